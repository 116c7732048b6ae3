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
from typing import Final

from django.db.models import Q, QuerySet, Subquery
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
from relaydash.relay.records import OrderStatus

UNPLANNED_LIMIT: Final = 100
WEEK_DAYS: Final = 7


def assignment_of(*, order_id: int) -> Assignment:
    """The order's assignment, or an unsaved empty one (version 0) when it has none."""
    return Assignment.objects.select_related("person").filter(order_id=order_id).first() or Assignment(
        order_id=order_id
    )


def orders_for(ids: Iterable[int] | QuerySet[Assignment]) -> dict[int, IndexedOrder]:
    """Index rows by order id. Pass a queryset of assignments to join in the database
    (one query however many orders) or plain ids."""
    if isinstance(ids, QuerySet):
        rows = IndexedOrder.objects.filter(id__in=Subquery(ids.values("order_id")))
    else:
        rows = IndexedOrder.objects.filter(id__in=list(ids))
    return {row.id: row for row in rows}


@dataclass(frozen=True, kw_only=True)
class Stop:
    """An order as the board and My day show it: the index row (None: gone from relay)
    and its assignment (None: not assigned or planned)."""

    order_id: int
    row: IndexedOrder | None
    assignment: Assignment | None
    due: DueState

    @property
    def gone(self) -> bool:
        return self.row is None

    @property
    def title(self) -> str:
        return self.row.title if self.row is not None else ""

    @property
    def city(self) -> str:
        return self.row.locality if self.row is not None else ""

    @property
    def address(self) -> str:
        """ "Hauptstraße 5, 10115 Berlin" (the record's own one-line rule)."""
        if self.row is None or not self.row.has_address:
            return ""
        return self.row.as_order().address.one_line  # type: ignore[union-attr]

    @property
    def status(self) -> OrderStatus | None:
        return status_of(self.row.status or None) if self.row is not None else None

    @property
    def status_label(self) -> str:
        return status_label(self.row.status or None) if self.row is not None else ""

    @property
    def status_class(self) -> str:
        return status_css_class(self.row.status or None) if self.row is not None else ""

    @property
    def finished(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def overdue(self) -> bool:
        return self.due is DueState.OVERDUE

    @property
    def version(self) -> int:
        return self.assignment.version if self.assignment is not None else 0


def _stop(order_id: int, row: IndexedOrder | None, assignment: Assignment | None, now: dt.datetime) -> Stop:
    state = (
        due_state(due=row.due, status=status_of(row.status or None), now=now)
        if row is not None
        else DueState.NONE
    )
    return Stop(order_id=order_id, row=row, assignment=assignment, due=state)


def stops_for(assignments: QuerySet[Assignment], *, now: dt.datetime) -> list[Stop]:
    """The assignments (in their order) joined with their index rows."""
    planned = list(assignments)
    rows = orders_for(assignments)
    return [_stop(a.order_id, rows.get(a.order_id), a, now) for a in planned]


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
    planned = (
        Assignment.objects.filter(
            person_id__in=[p.user_id for p in people], day__gte=days[0], day__lte=days[-1]
        )
        .select_related("person")
        .order_by("position", "starts", "id")
    )
    cells: dict[tuple[int, dt.date], list[Stop]] = defaultdict(list)
    gone = 0
    for stop in stops_for(planned, now=now):
        assert stop.assignment is not None and stop.assignment.person_id is not None
        cells[(stop.assignment.person_id, stop.assignment.day)].append(stop)  # type: ignore[index]
        gone += stop.gone
    rows = []
    for person in people:
        row_cells = [Cell(day=day, stops=cells.get((person.user_id, day), [])) for day in days]
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
    shown = list(rows.order_by("due", "id")[:UNPLANNED_LIMIT])
    partial = {
        a.order_id: a
        for a in Assignment.objects.select_related("person").filter(order_id__in=[r.id for r in shown])
    }
    return [_stop(r.id, r, partial.get(r.id), now) for r in shown], total


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
