"""The week board (back office) and My day (field staff).

Both read the order index joined with assignments (no relay call). A move on the board
(drag, the keyboard's "Move" then "Place here", or the no-JavaScript form) is one POST
carrying the version the page showed; htmx swaps the board in place, a plain POST
redirects back to the same week.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from relaydash.accounts.permissions import Action, require
from relaydash.accounts.selectors import people_field
from relaydash.dispatch.forms import PlanForm, WeekForm
from relaydash.dispatch.links import route_url
from relaydash.dispatch.selectors import UnplannedFilters, assignment_of, board_for_week, my_day
from relaydash.dispatch.services import Result, day_move, day_reorder, order_plan
from relaydash.web import HtmxHttpRequest, page_or_partial, wants_partial

BOARD: Final = "dispatch/board.html"
MY_DAY: Final = "dispatch/my_day.html"
NO_ORDER: Final = _("Choose an order to move.")
_WEEK_KEYS: Final = ("week", "city", "type", "customer", "due")


def _me(request: HtmxHttpRequest) -> int:
    """The signed-in person's id (every view here needs login and a role)."""
    assert request.user.pk is not None
    return int(request.user.pk)


def _week_query(data: Any) -> str:
    return urlencode({key: data.get(key) for key in _WEEK_KEYS if data.get(key)})


def _board_context(request: HtmxHttpRequest, data: Any, *, move_id: int | None = None) -> dict[str, Any]:
    form = WeekForm(data)
    today = timezone.localdate()
    monday = form.monday(today=today)
    cleaned = form.cleaned_data if form.is_valid() else {}
    filters = UnplannedFilters(
        city=cleaned.get("city") or "",
        type=cleaned.get("type") or "",
        customer=cleaned.get("customer"),
        due=cleaned.get("due") or "",
    )
    board = board_for_week(monday=monday, filters=filters, now=timezone.now())
    base = reverse("dispatch:board")
    keep = {k: v for k, v in ((k, cleaned.get(k)) for k in ("city", "type", "customer", "due")) if v}

    def week_url(day: dt.date) -> str:
        return f"{base}?{urlencode({'week': day.isoformat(), **keep})}"

    moving = assignment_of(order_id=move_id) if move_id else None
    move_form = PlanForm(
        initial={
            "person": moving.person_id if moving else None,
            "day": moving.day if moving else None,
            "starts": moving.starts if moving else None,
            "ends": moving.ends if moving else None,
            "seen": moving.version if moving else None,
        },
        prefix_id="move",
    )
    return {
        "board": board,
        "form": form,
        "filters": filters,
        "today": today,
        "move_id": move_id,
        "move_form": move_form,
        "people": people_field(),
        "week_query": _week_query({"week": monday.isoformat(), **keep}),
        "week_params": [("week", monday.isoformat()), *((k, str(v)) for k, v in keep.items())],
        "prev_url": week_url(monday - dt.timedelta(days=7)),
        "next_url": week_url(monday + dt.timedelta(days=7)),
        "today_url": week_url(today),
        "board_url": week_url(monday),
        "move_url": reverse("dispatch:board_move"),
    }


@require_GET
@require(Action.ORDER_ASSIGN)
def board(request: HtmxHttpRequest) -> TemplateResponse:
    move = request.GET.get("move", "")
    context = _board_context(request, request.GET, move_id=int(move) if move.isdigit() else None)
    return page_or_partial(request, BOARD, "board", context)


@require_POST
@require(Action.ORDER_ASSIGN)
def board_move(request: HtmxHttpRequest) -> HttpResponse:
    """Put an order into a person's day (or back into the unplanned column: no person
    or no day). Refused with the board as it is now when the order moved meanwhile."""
    order = request.POST.get("order", "")
    form = PlanForm(request.POST)
    note, failed = "", False
    if not order.isdigit():
        note, failed = str(NO_ORDER), True
    elif not form.is_valid():
        note, failed = " ".join(str(e) for errors in form.errors.values() for e in errors), True
    else:
        outcome = order_plan(
            actor=request.user,
            order_id=int(order),
            plan=form.plan(),
            seen_version=form.cleaned_data.get("seen"),
            how=request.POST.get("how", "board")[:20],
        )
        note, failed = outcome.message, outcome.result in (Result.MOVED, Result.REFUSED)
    if not wants_partial(request):
        (messages.error if failed else messages.success)(request, note)
        query = _week_query(request.POST)
        return redirect(reverse("dispatch:board") + (f"?{query}" if query else ""))
    context = _board_context(request, request.POST)
    context.update(note=note, note_failed=failed, moved_id=int(order) if order.isdigit() else None)
    # 200 even when refused: htmx swaps only successful answers, and the refusal is
    # shown on the board as it is now.
    response = TemplateResponse(request, f"{BOARD}#board", context)
    response["Vary"] = "HX-Request"
    return response


@require_GET
@require(Action.ORDER_TAKE)
def my_day_page(request: HtmxHttpRequest) -> TemplateResponse:
    return _my_day_response(request)


def _my_day_response(request: HtmxHttpRequest) -> TemplateResponse:
    today = timezone.localdate()
    day = my_day(person_id=_me(request), today=today, now=timezone.now())
    context = {
        "day": day,
        "today": today,
        "tomorrow": today + dt.timedelta(days=1),
        "route_url": route_url(addresses=[s.address for s in day.today if not s.gone and not s.finished]),
        "unassigned_url": reverse("orders:list") + "?assigned=none",
    }
    return page_or_partial(request, MY_DAY, "today", context)


@require_POST
@require(Action.ORDER_TAKE)
def my_day_reorder(request: HtmxHttpRequest) -> HttpResponse:
    """Up / down (a button: `order` and `step`) or a drag (every `order` in the new order)."""
    today = timezone.localdate()
    ids = [int(v) for v in request.POST.getlist("order") if v.isdigit()]
    step = request.POST.get("step")
    if step in ("-1", "1") and len(ids) == 1:
        day_move(actor=request.user, person_id=_me(request), day=today, order_id=ids[0], step=int(step))
    elif ids:
        day_reorder(actor=request.user, person_id=_me(request), day=today, order_ids=ids)
    if not wants_partial(request):
        return redirect("dispatch:my_day")
    return _my_day_response(request)
