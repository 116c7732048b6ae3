"""Reads for the order list and its CSV export: filter, search, sort, page and count.

relay's GetOrders has no filters and no paging: it returns every order with its
comments. So one GetOrders call per page view is all relay is asked, and the rest happens
here, over the typed records, in as few passes as possible: one pass filters and counts
every status tab at once, the search text of an order is only built when there is a
search, and per-row work (customer name, due state, last comment) is only done for the
orders on the page being shown.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Final
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from relaydash.orders.status import (
    DueState,
    due_clock,
    due_day,
    due_deadline,
    due_overdue_today,
    due_state,
)
from relaydash.relay.client import RelayClient
from relaydash.relay.records import Customer, Listing, Moment, Order, OrderStatus, Skipped, moment_start

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
    sort: str = DEFAULT_SORT

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
    by_status: dict[OrderStatus, int] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class OrderRow:
    """One order as a list row or CSV line shows it."""

    order: Order
    customer_name: str
    due_state: DueState
    comment_count: int
    last_comment_at: Moment


@dataclass(frozen=True, kw_only=True)
class OrderListing:
    """The answer to one list request: counts, the page of rows, and what the filter
    form needs for its choices."""

    total_orders: int  # every order relay has, before any filter
    counts: TabCounts
    matches: int
    page: Page[Order]
    rows: list[OrderRow]
    customers: list[Customer]
    types: list[str]
    skipped: tuple[Skipped, ...] = ()  # orders and customers relay sent that could not be read


# --- Pure functions over records ----------------------------------------------------------


def local_day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day` in the site's time zone (Europe/Berlin)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time()), timezone.get_default_timezone())


def customer_names(customers: Iterable[Customer]) -> dict[int, str]:
    return {c.id: c.name or "" for c in customers if c.id is not None}


def search_text(order: Order, customer_name: str) -> str:
    """Everything the free-text search looks at, case-folded once: the order number,
    title, internal id, type, address, customer name and contact names. (One f-string:
    this runs for every order on every search, so it avoids intermediate lists.)"""
    a = order.address
    place = (
        f"{a.street_address or ''}\n{a.postal_code or ''}\n{a.locality or ''}\n{a.additional_info or ''}"
        if a is not None
        else ""
    )
    contacts = "\n".join([p.name for p in order.contact_persons if p.name])
    return (
        f"{order.id or ''}\n{order.title or ''}\n{order.internal_id or ''}\n{order.type or ''}\n"
        f"{place}\n{customer_name}\n{contacts}"
    ).casefold()


def search_terms(q: str) -> list[str]:
    """Words of a search; every one must occur (so "heizung berlin" narrows)."""
    return q.casefold().split()


def filter_and_count(
    *,
    orders: Sequence[Order],
    filters: OrderFilters,
    names: dict[int, str],
    now: dt.datetime,
) -> tuple[list[Order], TabCounts]:
    """One pass over all orders: apply the non-status filters, count every tab, and
    keep the orders of the selected tab (status, overdue and/or due today).

    Overdue and due today are the two quick filters of open work (neither counts a
    finished or declined order); an order due earlier today is in both."""
    terms = search_terms(filters.q)
    due_from, due_to = filters.due_from, filters.due_to
    by_date = due_from is not None or due_to is not None
    clock = due_clock(now)
    by_status: dict[OrderStatus, int] = dict.fromkeys(OrderStatus, 0)
    total = overdue_total = today_total = 0
    selected: list[Order] = []
    want_status = filters.status
    want_overdue = filters.overdue
    want_today = filters.due_today

    for order in orders:
        if filters.customer is not None and order.customer_id != filters.customer:
            continue
        if filters.type and order.type != filters.type:
            continue
        due = order.due
        if by_date:
            day = due_day(due)
            if day is None:
                continue
            if due_from is not None and day < due_from:
                continue
            if due_to is not None and day > due_to:
                continue
        if terms:
            text = search_text(order, names.get(order.customer_id or -1, ""))
            if not all(term in text for term in terms):
                continue
        status = order.status
        overdue, due_today = due_overdue_today(due=due, status=status, clock=clock)
        total += 1
        if status is not None:
            by_status[status] += 1
        if overdue:
            overdue_total += 1
        if due_today:
            today_total += 1
        if (
            (want_status is None or status == want_status)
            and (not want_overdue or overdue)
            and (not want_today or due_today)
        ):
            selected.append(order)
    counts = TabCounts(all=total, overdue=overdue_total, due_today=today_total, by_status=by_status)
    return selected, counts


_FAR_FUTURE: Final = dt.datetime.max.replace(tzinfo=dt.UTC)
# Whitespace and invisible format characters (zero-width space, direction marks and
# embeddings, word joiner, byte order mark) that a title may start or end with.
_INVISIBLE_EDGES: Final = re.compile(
    r"^[\s\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]+|[\s\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]+$"
)


def title_sort_key(title: str | None) -> str:
    """A title as it sorts: by the text people see, so "  Heizung" sorts under H and not
    before "Aufzug"; "" when nothing visible is left (such orders sort last)."""
    return _INVISIBLE_EDGES.sub("", title or "").casefold()


def _moment_key(value: Moment) -> tuple[int, dt.datetime]:
    # Orders without a (readable) date go last in both directions.
    if isinstance(value, dt.datetime):
        return (0, value)
    return (1, _FAR_FUTURE)


def sort_orders(*, orders: list[Order], sort: str) -> list[Order]:
    """Sorted by due date, created, updated or title, ascending or descending ("-").
    Orders without the value always come last; ties keep a stable order by id."""
    key = SortKey(sort.removeprefix("-"))
    descending = sort.startswith("-")
    present: list[Order] = []
    missing: list[Order] = []
    if key is SortKey.TITLE:
        for order in orders:
            (present if title_sort_key(order.title) else missing).append(order)
        present.sort(key=lambda o: o.id or 0)
        present.sort(key=lambda o: title_sort_key(o.title), reverse=descending)
    else:
        attribute = {SortKey.DUE: "due", SortKey.CREATED: "created", SortKey.UPDATED: "updated"}[key]
        # A due day sorts at its end (when it becomes overdue), other days at their start.
        instant = due_deadline if key is SortKey.DUE else moment_start
        keyed: list[tuple[dt.datetime, Order]] = []
        for order in orders:
            value = instant(getattr(order, attribute))
            if value is not None:
                keyed.append((value, order))
            else:
                missing.append(order)
        keyed.sort(key=lambda pair: pair[1].id or 0)
        keyed.sort(key=lambda pair: pair[0], reverse=descending)
        present = [order for _, order in keyed]
    missing.sort(key=lambda o: o.id or 0)
    return present + missing


def last_comment_at(order: Order) -> Moment:
    """When the newest comment was written (comments may arrive in any order)."""
    newest: dt.datetime | None = None
    fallback: Moment = None
    for comment in order.comments:
        created = comment.created
        if isinstance(created, dt.datetime):
            if newest is None or created > newest:
                newest = created
        elif created:
            fallback = created
    return newest if newest is not None else fallback


def order_rows(*, orders: Iterable[Order], names: dict[int, str], now: dt.datetime) -> list[OrderRow]:
    """What each shown row needs; only called for the orders actually displayed."""
    return [
        OrderRow(
            order=order,
            customer_name=names.get(order.customer_id or -1, ""),
            due_state=due_state(due=order.due, status=order.status, now=now),
            comment_count=len(order.comments),
            last_comment_at=last_comment_at(order),
        )
        for order in orders
    ]


def order_types(orders: Iterable[Order]) -> list[str]:
    """The order types relay has sent, for the type filter."""
    return sorted({o.type for o in orders if o.type}, key=str.casefold)


def paginate(*, orders: list[Order], page: str | int | None, per_page: int = PER_PAGE) -> Page[Order]:
    """50 per page. A page number that is not a number gives page 1, one past the end
    gives the last page (so a shared link never ends in an error)."""
    return Paginator(orders, per_page, allow_empty_first_page=True).get_page(page)


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


def list_orders(
    *, client: RelayClient, filters: OrderFilters, page: str | int | None, now: dt.datetime
) -> OrderListing:
    """The order list: one GetOrders and one GetCustomers call (the customer list may be
    a kept answer, see `customers_get`), the rest done here. Raises the client's
    RelayError when relay fails."""
    orders = client.get_orders()
    customers = customers_get(client=client, needed={o.customer_id for o in orders})
    names = customer_names(customers)
    selected, counts = filter_and_count(orders=orders, filters=filters, names=names, now=now)
    ordered = sort_orders(orders=selected, sort=filters.sort)
    shown = paginate(orders=ordered, page=page)
    return OrderListing(
        total_orders=len(orders),
        counts=counts,
        matches=len(ordered),
        page=shown,
        rows=order_rows(orders=shown.object_list, names=names, now=now),
        customers=sorted(customers, key=lambda c: (c.name or "").casefold()),
        types=order_types(orders),
        skipped=orders.skipped + customers.skipped,
    )


def export_orders(*, client: RelayClient, filters: OrderFilters, now: dt.datetime) -> list[OrderRow]:
    """Every order matching the filters (not just one page), sorted like the list."""
    orders = client.get_orders()
    names = customer_names(client.get_customers())
    selected, _counts = filter_and_count(orders=orders, filters=filters, names=names, now=now)
    return order_rows(orders=sort_orders(orders=selected, sort=filters.sort), names=names, now=now)
