"""The detail page's rules as plain functions: field order and the next free position,
comment order, what counts as a change in a conflict, and the patch service's guard."""

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from relaydash.accounts.models import AuditEntry
from relaydash.accounts.permissions import Role
from relaydash.orders.detail_selectors import (
    comments_newest_first,
    fields_by_position,
    next_field_position,
    order_detail_get,
)
from relaydash.orders.forms import seen_snapshot, sign_seen, unsign_seen
from relaydash.orders.services import (
    OrderChanged,
    comment_author_name,
    order_changes,
    order_patch,
)
from relaydash.relay.client import RelayClient
from relaydash.relay.records import Address, Comment, Order, OrderField, OrderPatch, OrderStatus

BERLIN = ZoneInfo("Europe/Berlin")


def test_fields_sort_by_position_then_creation() -> None:
    fields = [
        OrderField(id=3, position=2, name="c"),
        OrderField(id=1, position=None, name="last"),
        OrderField(id=2, position=1.5, name="b"),
        OrderField(id=4, position=2, name="d"),
        OrderField(id=5, position=0, name="a"),
    ]
    assert [f.name for f in fields_by_position(fields)] == ["a", "b", "c", "d", "last"]


@pytest.mark.parametrize(
    ("positions", "expected"),
    [([], 1), ([None], 1), ([1, 2, 3], 4), ([0], 1), ([2.5], 3), ([7, 1], 8)],
)
def test_next_free_position(positions: list[Any], expected: int) -> None:
    assert next_field_position([OrderField(position=p) for p in positions]) == expected


def test_comments_newest_first_and_unreadable_dates_last() -> None:
    comments = [
        Comment(id=1, created_at="2026-11-01T10:00:00+01:00"),
        Comment(id=2, created_at="yesterday"),
        Comment(id=3, created_at="2026-11-03T10:00:00+01:00"),
        Comment(id=4, created_at="2026-11-03T10:00:00+01:00"),
    ]
    assert [c.id for c in comments_newest_first(comments)] == [4, 3, 1, 2]


def _order(**values: Any) -> Order:
    base: dict[str, Any] = {
        "id": 5,
        "status_text": "OPEN",
        "due_date": "2026-12-01T09:00:00+00:00",
        "internal_id": "A-1",
        "updated_at": "2026-11-01T08:00:00+00:00",
        "address": Address(
            street_address="Hauptstraße 1", postal_code="10115", locality="Berlin", country="DE"
        ),
    }
    return Order(**{**base, **values})


def test_snapshot_survives_signing_and_refuses_tampering() -> None:
    order = _order()
    signed = sign_seen(order)
    assert unsign_seen(signed) == seen_snapshot(order)
    assert unsign_seen(signed[:-2] + "xx") is None


def test_changes_list_each_part_that_differs() -> None:
    seen = seen_snapshot(_order())
    now = _order(
        status_text="FINISHED",
        due_date="2026-12-01T10:00:00+01:00",  # the same moment, written differently
        internal_id="B-2",
        address=Address(street_address="Hauptstraße 2", postal_code="10115", locality="Berlin", country="DE"),
    )
    changes = {c.field: (c.before, c.now) for c in order_changes(seen=seen, current=now)}
    assert changes == {
        "status": ("OPEN", "FINISHED"),
        "internal_id": ("A-1", "B-2"),
        "address": ("Hauptstraße 1, 10115 Berlin", "Hauptstraße 2, 10115 Berlin"),
    }


def test_no_snapshot_means_no_listed_changes() -> None:
    assert order_changes(seen=None, current=_order()) == []


def test_author_name(make_user: Callable[..., Any]) -> None:
    assert (
        comment_author_name(make_user(Role.FIELD, username="a", first_name="Ina", last_name="Roth"))
        == "Ina Roth"
    )
    assert comment_author_name(make_user(Role.FIELD, username="b", first_name="", last_name="")) == "b"


def test_patch_refuses_a_stale_updated_at(seeded: RelayClient, make_user: Callable[..., Any]) -> None:
    order = next(o for o in seeded.get_orders() if o.status is OrderStatus.OPEN)
    actor = make_user(Role.BACKOFFICE)
    with pytest.raises(OrderChanged) as caught:
        order_patch(
            client=seeded,
            actor=actor,
            order_id=order.id or 0,
            changes=OrderPatch(status=OrderStatus.FINISHED),
            seen_updated_at="2000-01-01T00:00:00+00:00",
        )
    assert caught.value.current.updated_at == order.updated_at
    assert seeded.get_order(order.id or 0).status is OrderStatus.OPEN
    assert not AuditEntry.objects.exists()


def test_a_confirmed_patch_is_not_read_back(seeded: RelayClient, make_user: Callable[..., Any]) -> None:
    order = next(o for o in seeded.get_orders() if o.status is OrderStatus.OPEN)
    due = dt.datetime(2027, 4, 1, 12, 0, tzinfo=BERLIN)
    result = order_patch(
        client=seeded,
        actor=make_user(Role.BACKOFFICE),
        order_id=order.id or 0,
        changes=OrderPatch(status=OrderStatus.OPEN, due_date=due),
        seen_updated_at=order.updated_at or "",
    )
    assert result.changed == ("due_date",)  # the status was already OPEN: not sent
    assert result.order.due == due
    # Not read again: the updatedAt the patch started from, marked as the page's own.
    assert result.local and result.order.updated_at == order.updated_at
    assert seeded.get_order(order.id or 0).due == due


def test_detail_reads_order_and_customer(seeded: RelayClient) -> None:
    order = next(o for o in seeded.get_orders() if o.customer_id is not None)
    detail = order_detail_get(client=seeded, order_id=order.id or 0)
    assert detail.order.id == order.id
    assert detail.customer is not None and detail.customer.id == order.customer_id
    assert not detail.customer_unavailable
