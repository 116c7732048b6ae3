"""Reads for the order list and its CSV export: filter, search, sort, page and count.

relay's GetOrders has no filters and no paging: it returns every order with its
comments, which costs relay and us more the more orders a company has. So the list reads
the order index (relaydash.orderindex, kept fresh by one sync worker) and the database
filters, counts every tab in one aggregate query, sorts and pages; per-row work (due
state, the record the templates show) is only done for the orders on the page shown.
The rules stay here (what overdue and due today mean, how a search matches); the index
only stores what they look at.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from itertools import batched
from typing import Any, Final
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Collate
from django.utils import timezone
from django.utils.functional import Promise, cached_property
from django.utils.translation import gettext_lazy as _

from relaydash.dispatch.models import Assignment
from relaydash.orderindex.models import IndexedCustomer, IndexedOrder
from relaydash.orders.status import CLOSED_STATUSES, DueState, due_state
from relaydash.relay.client import RelayClient
from relaydash.relay.records import Customer, Listing, Moment, Order, OrderStatus, parse_moment

PER_PAGE: Final = 50


class SortKey(StrEnum):
    """What the list can be sorted by; a leading "-" in the URL means descending."""

    DUE = "due"
    CREATED = "created"
    UPDATED = "updated"
    TITLE = "title"

    @property
    def label(self) -> str:
        return str(SORT_LABELS[self])


SORT_LABELS: Final[dict[SortKey, Promise]] = {
    SortKey.DUE: _("Due date"),
    SortKey.CREATED: _("Created"),
    SortKey.UPDATED: _("Updated"),
    SortKey.TITLE: _("Title"),
}

# Most urgent first: what field staff and the back office look at first.
DEFAULT_SORT: Final = "due"
SORT_VALUES: Final = tuple(v for key in SortKey for v in (key.value, f"-{key.value}"))

# `?due=today`: the quick filter of open orders due on today's local date.
DUE_TODAY: Final = "today"

# `?assigned=`: nobody's orders, the signed-in person's, or a person's user id.
UNASSIGNED: Final = "none"
MINE: Final = "mine"


@dataclass(frozen=True, kw_only=True)
class OrderFilters:
    """Everything the list's URL query can say (q, status, overdue, due=today, due_from,
    due_to, customer, type, sort). Values are already valid: the filter form drops bad ones."""

    q: str = ""
    status: OrderStatus | None = None
    overdue: bool = False
    due_today: bool = False
    due_from: dt.date | None = None
    due_to: dt.date | None = None
    customer: int | None = None
    type: str = ""
    assigned: str = ""  # UNASSIGNED, MINE or a person's user id (the tab-like filter)
    planned: dt.date | None = None  # planned for this day (dispatch)
    sort: str = DEFAULT_SORT
    # Who "mine" is: the signed-in person (not part of the URL, not a filter itself).
    me: int | None = field(default=None, compare=False)

    @property
    def sort_key(self) -> SortKey:
        return SortKey(self.sort.removeprefix("-"))

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")

    @property
    def narrowing(self) -> bool:
        """True when anything except the sort order limits which orders are shown."""
        return replace(self, sort=DEFAULT_SORT) != OrderFilters()

    def params(self) -> dict[str, str]:
        """The canonical query: only what differs from the defaults, in a fixed order,
        so equal lists have equal, short, shareable URLs."""
        params: dict[str, str] = {}
        if self.q:
            params["q"] = self.q
        if self.status is not None:
            params["status"] = self.status.value
        if self.overdue:
            params["overdue"] = "1"
        if self.due_today:
            params["due"] = DUE_TODAY
        if self.due_from is not None:
            params["due_from"] = self.due_from.isoformat()
        if self.due_to is not None:
            params["due_to"] = self.due_to.isoformat()
        if self.customer is not None:
            params["customer"] = str(self.customer)
        if self.type:
            params["type"] = self.type
        if self.assigned:
            params["assigned"] = self.assigned
        if self.planned is not None:
            params["planned"] = self.planned.isoformat()
        if self.sort != DEFAULT_SORT:
            params["sort"] = self.sort
        return params

    def query(self, *, page: int | None = None, **extra: str) -> str:
        """URL-encoded canonical query (without "?"), optionally with a page number."""
        params = self.params()
        if page is not None and page > 1:
            params["page"] = str(page)
        params.update(extra)
        return urlencode(params)


@dataclass(frozen=True, kw_only=True)
class TabCounts:
    """How many orders each status tab holds under the current non-status filters
    (search, due range, customer, type)."""

    all: int = 0
    overdue: int = 0
    due_today: int = 0
    unassigned: int = 0
    mine: int = 0
    by_status: dict[OrderStatus, int] = field(default_factory=dict)
    selected: int = 0  # what the selected tab holds (the matches of the whole query)


@dataclass(frozen=True, kw_only=True)
class OrderRow:
    """One order as a list row or CSV line shows it."""

    order: Order
    customer_name: str
    due_state: DueState
    comment_count: int
    last_comment_at: Moment
    # Who does it when (dispatch), joined from the assignments; None: nobody, no day.
    assignment: Assignment | None = None


@dataclass(frozen=True, kw_only=True)
class OrderListing:
    """The answer to one list request: counts, the page of rows, and what the filter
    form needs for its choices."""

    total_orders: int  # every order relay has, before any filter
    counts: TabCounts
    matches: int
    page: Page[IndexedOrder]
    rows: list[OrderRow]
    customers: list[Customer]
    types: list[str]


# --- Reads from the order index ---------------------------------------------------------


def search_terms(q: str) -> list[str]:
    """Words of a search; every one must occur (so "heizung berlin" narrows)."""
    return q.casefold().split()


def _open_work() -> Q:
    return ~Q(status__in=[s.value for s in CLOSED_STATUSES])


def _narrowed(filters: OrderFilters) -> QuerySet[IndexedOrder]:
    """The index under the non-status filters (search, due range, customer, type)."""
    rows = IndexedOrder.objects.all()
    if filters.customer is not None:
        rows = rows.filter(customer_id=filters.customer)
    if filters.type:
        rows = rows.filter(type=filters.type)
    if filters.due_from is not None:
        rows = rows.filter(due_day__gte=filters.due_from)
    if filters.due_to is not None:
        rows = rows.filter(due_day__lte=filters.due_to)
    for term in search_terms(filters.q):
        rows = rows.filter(search_text__contains=term)
    if filters.planned is not None:
        rows = rows.filter(id__in=Assignment.objects.filter(day=filters.planned).values("order_id"))
    return rows


def _assigned_to(person_id: int | None) -> Q:
    """Orders assigned to the person (no one: none of them, so "mine" of nobody is empty)."""
    return (
        Q(id__in=Assignment.objects.filter(person_id=person_id).values("order_id"))
        if person_id
        else Q(pk=None)
    )


def _assignment_filter(filters: OrderFilters) -> Q | None:
    if filters.assigned == UNASSIGNED:
        return ~Q(id__in=Assignment.objects.filter(person__isnull=False).values("order_id"))
    if filters.assigned == MINE:
        return _assigned_to(filters.me)
    if filters.assigned.isdigit():
        return _assigned_to(int(filters.assigned))
    return None


def filter_and_count(*, filters: OrderFilters, now: dt.datetime) -> tuple[QuerySet[IndexedOrder], TabCounts]:
    """The orders of the selected tab (status, overdue and/or due today) and the count
    of every tab under the other filters, in one aggregate query.

    Overdue and due today are the two quick filters of open work (neither counts a
    finished or declined order); an order due earlier today is in both."""
    narrowed = _narrowed(filters)
    today = timezone.localtime(now).date()
    # `due` is the deadline (a bare date's deadline is the end of its day) and `due_day`
    # the day it is due, both from orders.status' due rule when the row was stored.
    overdue = Q(due__lt=now) & _open_work()
    due_today = Q(due_day=today) & _open_work()
    tab = Q()
    if filters.status is not None:
        tab &= Q(status=filters.status.value)
    if filters.overdue:
        tab &= overdue
    if filters.due_today:
        tab &= due_today
    assignment = _assignment_filter(filters)
    if assignment is not None:
        tab &= assignment
    # COUNT(status), not COUNT(id): status is never null, and with it the counts can be
    # read from the (status, due) index alone when there is no search.
    totals = narrowed.aggregate(
        all=Count("status"),
        overdue=Count("status", filter=overdue),
        due_today=Count("status", filter=due_today),
        unassigned=Count("status", filter=_assignment_filter(replace(filters, assigned=UNASSIGNED))),
        mine=Count("status", filter=_assigned_to(filters.me)),
        selected=Count("status", filter=tab) if tab else Count("status"),
        **{status.value: Count("status", filter=Q(status=status.value)) for status in OrderStatus},
    )
    counts = TabCounts(
        all=totals["all"],
        overdue=totals["overdue"],
        due_today=totals["due_today"],
        unassigned=totals["unassigned"],
        mine=totals["mine"],
        by_status={status: totals[status.value] for status in OrderStatus},
        selected=totals["selected"],
    )
    return narrowed.filter(tab), counts


def sort_orders(rows: QuerySet[IndexedOrder], *, sort: str) -> QuerySet[IndexedOrder]:
    """Sorted by due date, created, updated or title (case-folded, in code point order
    on every database), ascending or descending ("-"). Orders without the value always
    come last; ties keep a stable order by id."""
    key = SortKey(sort.removeprefix("-"))
    column: F | Collate = F(_SORT_COLUMNS[key])
    if key is SortKey.TITLE and connection.vendor == "postgresql":
        column = Collate(column, "C")
    ordering = column.desc(nulls_last=True) if sort.startswith("-") else column.asc(nulls_last=True)
    return rows.order_by(ordering, "id")


_SORT_COLUMNS: Final = {
    SortKey.DUE: "due",
    SortKey.CREATED: "created",
    SortKey.UPDATED: "updated",
    SortKey.TITLE: "title_key",
}


def order_rows(*, rows: Iterable[IndexedOrder], now: dt.datetime) -> list[OrderRow]:
    """What each shown row needs; only called for the orders actually displayed."""
    shown: list[OrderRow] = []
    # The assignments of a batch of rows in one query (an export streams many batches).
    for batch in batched(rows, 1000):
        shown.extend(_order_rows(batch, now=now))
    return shown


def _order_rows(rows: Sequence[IndexedOrder], *, now: dt.datetime) -> list[OrderRow]:
    shown: list[OrderRow] = []
    assignments = {
        a.order_id: a
        for a in Assignment.objects.select_related("person").filter(order_id__in=[row.id for row in rows])
    }
    for row in rows:
        order = row.as_order()
        shown.append(
            OrderRow(
                order=order,
                customer_name=row.customer_name,
                due_state=due_state(due=order.due, status=order.status, now=now),
                comment_count=row.comment_count,
                last_comment_at=parse_moment(row.last_comment_at),
                assignment=assignments.get(row.id),
            )
        )
    return shown


def order_types() -> list[str]:
    """The order types relay has sent, for the type filter."""
    kinds = IndexedOrder.objects.exclude(type="").values_list("type", flat=True).distinct()
    return sorted(kinds, key=str.casefold)


def indexed_customers() -> list[Customer]:
    """The customers relay has, by name, for the customer filter."""
    customers = [Customer(id=c.id, name=c.name) for c in IndexedCustomer.objects.all()]
    return sorted(customers, key=lambda c: (c.name or "").casefold())


class _CountedPaginator(Paginator):
    """A paginator told its count (the aggregate query already counted the matches),
    so paging costs no second pass over the index."""

    def __init__(self, object_list: Any, per_page: int, *, count: int, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self._count = count

    @cached_property
    def count(self) -> int:
        return self._count


def paginate[T](
    *,
    orders: Sequence[T] | QuerySet[Any, T],
    page: str | int | None,
    per_page: int = PER_PAGE,
    count: int | None = None,
) -> Page[T]:
    """50 per page. A page number that is not a number gives page 1, one past the end
    gives the last page (so a shared link never ends in an error). `count`: how many
    `orders` holds, when already known."""
    if count is None:
        return Paginator(orders, per_page, allow_empty_first_page=True).get_page(page)
    return _CountedPaginator(orders, per_page, count=count, allow_empty_first_page=True).get_page(page)


def list_orders(*, filters: OrderFilters, page: str | int | None, now: dt.datetime) -> OrderListing:
    """The order list from the order index: a few queries, no relay call."""
    selected, counts = filter_and_count(filters=filters, now=now)
    ordered = sort_orders(selected.defer("search_text"), sort=filters.sort)
    shown: Page[IndexedOrder] = paginate(orders=ordered, page=page, count=counts.selected)
    return OrderListing(
        total_orders=IndexedOrder.objects.count(),
        counts=counts,
        matches=shown.paginator.count,
        page=shown,
        rows=order_rows(rows=shown.object_list, now=now),
        customers=indexed_customers(),
        types=order_types(),
    )


def export_orders(*, filters: OrderFilters, now: dt.datetime) -> list[OrderRow]:
    """Every order matching the filters (not just one page), sorted like the list."""
    selected, _counts = filter_and_count(filters=filters, now=now)
    return order_rows(
        rows=sort_orders(selected.defer("search_text"), sort=filters.sort).iterator(2000), now=now
    )


# --- Reads from relay -----------------------------------------------------------------


def customers_get(*, client: RelayClient, needed: Iterable[int | None]) -> Listing[Customer]:
    """The customer list: relay's answer from up to RELAY_CACHE_CUSTOMERS_SECONDS ago
    when it names every customer in `needed` (customers change rarely), else relay's
    current list: a customer the kept list lacks was created in casavi since, and its
    orders would otherwise show no customer."""
    kept = client.get_customers(max_age=float(settings.RELAY_CACHE_CUSTOMERS_SECONDS))
    known = {c.id for c in kept}
    if all(customer_id is None or customer_id in known for customer_id in needed):
        return kept
    return client.get_customers()
