"""Reads for dispatch: one order's assignment now; the board, My day and the list join
assignments onto the order index (never one relay call per order)."""

from __future__ import annotations

from relaydash.dispatch.models import Assignment


def assignment_of(*, order_id: int) -> Assignment:
    """The order's assignment, or an unsaved empty one (version 0) when it has none."""
    return (
        Assignment.objects.select_related("person").filter(order_id=order_id).first()
        or Assignment(order_id=order_id)
    )
