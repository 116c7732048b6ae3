"""Dispatch bits other pages show: `{% load dispatch_tags %}`.

{% order_assignment order_id %}   the order page's "Assigned to / Planned" card
{{ assignment|time_window }}       "08:00–10:00", "from 08:00" or ""
{{ profile.role|role_label }}      "Außendienst"
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from relaydash.accounts.permissions import ROLE_LABELS, Action, Role, user_can
from relaydash.accounts.selectors import people_field
from relaydash.dispatch.cards import card_labels, cards_html
from relaydash.dispatch.forms import PlanForm
from relaydash.dispatch.models import Assignment
from relaydash.dispatch.selectors import assignment_of, window_text

register = template.Library()


@register.filter
def role_label(value: str) -> str:
    try:
        return str(ROLE_LABELS[Role(value)])
    except ValueError:
        return value or "—"


@register.filter
def time_window(assignment: Any) -> str:
    """The window ("Termin") of an assignment: "08:00–10:00" (selectors.window_text)."""
    return window_text(getattr(assignment, "starts", None), getattr(assignment, "ends", None))


@register.inclusion_tag("dispatch/_order_assignment.html", takes_context=True)
def order_assignment(context: template.Context, order_id: int) -> dict[str, Any]:
    """Who does the order when, with the back office's form and field staff's
    "I'll do it" / "Hand back"."""
    request = context["request"]
    user = request.user
    assignment: Assignment = assignment_of(order_id=order_id)
    can_assign = user_can(user, Action.ORDER_ASSIGN)
    form = None
    if can_assign:
        form = PlanForm(
            initial={
                "person": assignment.person_id,
                "day": assignment.day,
                "starts": assignment.starts,
                "ends": assignment.ends,
                "seen": assignment.version,
            },
            prefix_id="plan",
        )
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "order_id": order_id,
        "assignment": assignment,
        "form": form,
        "can_take": user_can(user, Action.ORDER_TAKE) and assignment.person_id is None,
        "can_hand_back": assignment.person_id is not None and assignment.person_id == user.pk,
        "next": request.get_full_path(),
    }


@register.inclusion_tag("dispatch/_bulk_plan.html", takes_context=True)
def bulk_plan_form(context: template.Context, next_url: str) -> dict[str, Any]:
    """The order list's "with the selected orders: assign to / plan for" form; the
    rows' checkboxes join it through `form="order-bulk"`."""
    return {"csrf_token": context.get("csrf_token"), "next": next_url, "people": people_field()}


@register.simple_tag(takes_context=True)
def board_cards(context: template.Context, stops: Any, unplanned: bool = False) -> SafeString:
    """The cards of a board cell: `{% board_cards cell.stops %}` (see dispatch.cards)."""
    labels = context.get("card_labels")
    if labels is None:
        labels = context["card_labels"] = card_labels()
    return cards_html(
        stops,
        labels=labels,
        week_query=context.get("week_query", ""),
        moved_id=context.get("moved_id"),
        unplanned=unplanned,
    )
