"""Reads for dispatch: the week board, My day, one order's assignment.

Orders come from the order index (relaydash.orderindex), assignments from this app's
table: each page is a couple of queries joined here, never a relay call per order.
`orders_for` is the one place that reads the index, so the source can change there. An
assignment whose order the index no longer holds (relay stopped returning it) comes back
as a `Stop` without `row`: pages show it as gone instead of dropping it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from django.db.models import Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from relaydash.accounts.models import Profile
from relaydash.accounts.selectors import people_field
from relaydash.dispatch.models import Assignment
from relaydash.orderindex.models import IndexedOrder
from relaydash.orders.status import (
    CLOSED_STATUSES,
    DueState,
    due_state,
    status_css_class,
    status_label,
    status_of,
)
from relaydash.relay.records import Address

UNPLANNED_LIMIT: Final = 100
WEEK_DAYS: Final = 7


def assignment_of(*, order_id: int) -> Assignment:
    """The order's assignment, or an unsaved empty one (version 0) when it has none."""
    return Assignment.objects.select_related("person").filter(order_id=order_id).first() or Assignment(
        order_id=order_id
    )


def orders_for(ids: Iterable[int] | QuerySet[Assignment]) -> dict[int, Any]:
    """Index rows by order id, as named tuples of what a card shows (`_ROW_FIELDS`; a
    board reads hundreds, and model instances would cost more than the rest of it).
    Pass a queryset of assignments to join in the database, or plain ids."""
    index = IndexedOrder.objects.values_list(*_ROW_FIELDS, named=True)
    if isinstance(ids, QuerySet):
        rows = index.filter(id__in=Subquery(ids.values("order_id")))
    else:
        rows = index.filter(id__in=list(ids))
    return {row.id: row for row in rows}


# What a card or a stop shows of an index row: the list's rules need no more.
_ROW_FIELDS: Final = (
    "id",
    "title",
    "status",
    "due",
    "has_address",
    "street_address",
    "postal_code",
    "locality",
    "customer_name",
    "call_name",
    "call_number",
)


@dataclass(frozen=True, kw_only=True, slots=True)
class Stop:
    """An order as the board and My day show it, its words worked out once (a board
    shows hundreds): `gone` when the index no longer holds it, `assignment` None when
    nobody is assigned and no day planned."""

    order_id: int
    key: str  # the id as text, for ids and data attributes (no number formatting)
    url: str
    gone: bool
    title: str
    city: str
    address: str
    status_label: str
    status_class: str
    finished: bool
    overdue: bool
    window: str
    call_name: str  # whom the one-tap "Call" rings ("" when no contact has a number)
    call_number: str
    version: int
    # The assignment (a model, or on the board a named tuple of its values): who, which day.
    assignment: Any


def window_text(starts: dt.time | None, ends: dt.time | None) -> str:
    """The window ("Termin") as people write it: "08:00–10:00", "08:00–" or ""."""
    if starts is None and ends is None:
        return ""
    return f"{starts.strftime('%H:%M') if starts else ''}–{ends.strftime('%H:%M') if ends else ''}"


def _stop(order_id: int, row: Any, assignment: Any, now: dt.datetime, url: str) -> Stop:
    """`row`: an index row (None: gone); `assignment`: an Assignment or its values."""
    status = status_of(row.status or None) if row is not None else None
    address = (
        Address(
            street_address=row.street_address, postal_code=row.postal_code, locality=row.locality
        ).one_line
        if row is not None and row.has_address
        else ""
    )
    return Stop(
        order_id=order_id,
        key=str(order_id),
        url=url.format(order_id),
        gone=row is None,
        title=row.title if row is not None else "",
        city=row.locality if row is not None else "",
        address=address,
        status_label=status_label(row.status or None) if row is not None else "",
        status_class=status_css_class(row.status or None) if row is not None else "",
        finished=status in CLOSED_STATUSES,
        overdue=row is not None and due_state(due=row.due, status=status, now=now) is DueState.OVERDUE,
        window=window_text(assignment.starts, assignment.ends) if assignment is not None else "",
        call_name=row.call_name if row is not None else "",
        call_number=row.call_number if row is not None else "",
        version=assignment.version if assignment is not None else 0,
        assignment=assignment,
    )


def _detail_url() -> str:
    """The order page's URL with "{}" for the id: one reverse for a whole board."""
    return reverse("orders:detail", args=[987654321]).replace("987654321", "{}")


def stops_for(assignments: QuerySet[Assignment], *, now: dt.datetime) -> list[Stop]:
    """The assignments (in their order) joined with their index rows."""
    planned = list(assignments)
    rows = orders_for(assignments)
    url = _detail_url()
    return [_stop(a.order_id, rows.get(a.order_id), a, now, url) for a in planned]


# --- The week board ---------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class UnplannedFilters:
    city: str = ""
    type: str = ""
    customer: int | None = None
    due: str = ""  # "", "overdue" or "week"


@dataclass(frozen=True, kw_only=True)
class Cell:
    day: dt.date
    iso: str  # "2026-12-07", for data attributes and forms
    stops: list[Stop]


@dataclass(kw_only=True)
class BoardRow:
    person: Profile
    cells: list[Cell]
    load: int = 0


@dataclass(kw_only=True)
class Board:
    monday: dt.date
    days: list[dt.date]
    rows: list[BoardRow]
    max_load: int
    unplanned: list[Stop]
    unplanned_total: int
    cities: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    customers: list[tuple[int, str]] = field(default_factory=list)
    gone: int = 0


def _on_board() -> Q:
    return Q(person__isnull=False, day__isnull=False)


def board_for_week(*, monday: dt.date, filters: UnplannedFilters, now: dt.datetime) -> Board:
    """People down, the week's days across, each cell that person's orders that day (in
    their order), and the column of open orders not on the board, most overdue first."""
    days = [monday + dt.timedelta(days=n) for n in range(WEEK_DAYS)]
    people = list(people_field())
    planned = Assignment.objects.filter(
        person_id__in=[p.user_id for p in people], day__gte=days[0], day__lte=days[-1]
    ).order_by("position", "starts", "id")
    index = orders_for(planned)
    url = _detail_url()
    cells: dict[tuple[int, dt.date | None], list[Stop]] = defaultdict(list)
    gone = 0
    for plan in planned.values_list("order_id", "person_id", "day", "starts", "ends", "version", named=True):
        stop = _stop(plan.order_id, index.get(plan.order_id), plan, now, url)
        cells[(plan.person_id, plan.day)].append(stop)
        gone += stop.gone
    rows = []
    for person in people:
        row_cells = [
            Cell(day=day, iso=day.isoformat(), stops=cells.get((person.user_id, day), [])) for day in days
        ]
        rows.append(BoardRow(person=person, cells=row_cells, load=sum(len(c.stops) for c in row_cells)))
    unplanned, total = unplanned_orders(filters=filters, monday=monday, now=now)
    open_rows = IndexedOrder.objects.exclude(status__in=[s.value for s in CLOSED_STATUSES])
    return Board(
        monday=monday,
        days=days,
        rows=rows,
        max_load=max([r.load for r in rows] + [1]),
        unplanned=unplanned,
        unplanned_total=total,
        cities=sorted(set(open_rows.exclude(locality="").values_list("locality", flat=True).distinct())),
        types=sorted(set(open_rows.exclude(type="").values_list("type", flat=True).distinct())),
        customers=sorted(
            {
                (customer_id, name)
                for customer_id, name in open_rows.values_list("customer_id", "customer_name").distinct()
                if customer_id is not None
            },
            key=lambda pair: (pair[1].casefold(), pair[0]),
        ),
        gone=gone,
    )


def unplanned_orders(
    *, filters: UnplannedFilters, monday: dt.date, now: dt.datetime
) -> tuple[list[Stop], int]:
    """Open orders with no person or no day (the first UNPLANNED_LIMIT), overdue first
    (earliest due date first, undated last), and how many there are in all."""
    on_board = Assignment.objects.filter(_on_board()).values("order_id")
    rows = IndexedOrder.objects.exclude(status__in=[s.value for s in CLOSED_STATUSES]).exclude(
        id__in=on_board
    )
    if filters.city:
        rows = rows.filter(locality=filters.city)
    if filters.type:
        rows = rows.filter(type=filters.type)
    if filters.customer is not None:
        rows = rows.filter(customer_id=filters.customer)
    if filters.due == "overdue":
        rows = rows.filter(due__lt=now)
    elif filters.due == "week":
        start = timezone.make_aware(dt.datetime.combine(monday, dt.time()))
        rows = rows.filter(due__gte=start, due__lt=start + dt.timedelta(days=WEEK_DAYS))
    total = rows.count()
    shown = list(rows.order_by("due", "id").values_list(*_ROW_FIELDS, named=True)[:UNPLANNED_LIMIT])
    partial = {
        a.order_id: a
        for a in Assignment.objects.select_related("person").filter(order_id__in=[r.id for r in shown])
    }
    url = _detail_url()
    return [_stop(r.id, r, partial.get(r.id), now, url) for r in shown], total


# --- My day -----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class MyDay:
    today: list[Stop]
    overdue: list[Stop]
    tomorrow: list[Stop]


def my_day(*, person_id: int, today: dt.date, now: dt.datetime) -> MyDay:
    """Today's stops in the person's order; then their unfinished ones left from earlier
    days or past their due date; then tomorrow's, as a preview."""
    mine = Assignment.objects.filter(person_id=person_id)
    today_stops = stops_for(mine.filter(day=today).order_by("position", "starts", "id"), now=now)
    tomorrow_stops = stops_for(
        mine.filter(day=today + dt.timedelta(days=1)).order_by("position", "starts", "id"), now=now
    )
    earlier = stops_for(
        mine.exclude(day__gte=today).order_by("day", "position", "id"),
        now=now,
    )
    later_overdue = [
        stop for stop in stops_for(mine.filter(day__gt=today + dt.timedelta(days=1)), now=now) if stop.overdue
    ]
    # Planned for a past day and not done, or never given a day and past due (gone ones
    # stay, so nobody loses track of them).
    left = [
        s
        for s in earlier
        if s.gone
        or (not s.finished and (s.overdue or (s.assignment is not None and s.assignment.day is not None)))
    ] + later_overdue
    return MyDay(today=today_stops, overdue=left, tomorrow=tomorrow_stops)
