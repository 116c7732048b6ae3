"""The back office's reads: finding, filtering, sorting and paging customers and properties.

relay offers little: GetCustomers returns every customer at once (no filters, no single
customer), GetProperties pages by limit/offset without a total, GetOrders returns every
order. The rules for making pages out of that live here, as plain functions over records,
so the list, the export and the detail page agree.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from relaydash.orderindex.models import IndexedOrder
from relaydash.orderindex.sync import index_ensure_filled
from relaydash.relay.client import RelayClient
from relaydash.relay.errors import Unavailable
from relaydash.relay.records import Customer, Order, Property

CUSTOMERS_PER_PAGE: Final = 25
PROPERTIES_PER_PAGE: Final = 50
# Finding a customer's properties means paging through all of them (relay cannot filter):
# at most this many pages of this size, then the page says the list may be incomplete.
PROPERTY_SCAN_PAGE: Final = 200
PROPERTY_SCAN_MAX_PAGES: Final = 25


class Connected(StrEnum):
    """The "connected to casavi" filter."""

    ANY = ""
    YES = "yes"
    NO = "no"


class CustomerSort(StrEnum):
    NAME = "name"
    NAME_DESC = "-name"
    CITY = "city"
    CITY_DESC = "-city"
    STATUS = "status"
    STATUS_DESC = "-status"
    SINCE = "since"
    SINCE_DESC = "-since"


def _fold(text: str | None) -> str:
    """Case- and accent-insensitive text for search and sorting ("Müller" ~ "muller")."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def customer_matches(customer: Customer, query: str) -> bool:
    """Search in name, email, internal id and external id (and relay's id, for people
    who paste one)."""
    needle = _fold(query.strip())
    if not needle:
        return True
    haystack = (
        customer.name,
        customer.email_address,
        customer.internal_id,
        customer.external_id,
        str(customer.id) if customer.id is not None else "",
    )
    return any(needle in _fold(text) for text in haystack)


def _customer_city(customer: Customer) -> str:
    return customer.address.locality or "" if customer.address else ""


_SORT_KEYS: Final[dict[str, Callable[[Customer], tuple[object, ...]]]] = {
    "name": lambda c: (_fold(c.name), c.id or 0),
    "city": lambda c: (_fold(_customer_city(c)) or "\uffff", _fold(c.name)),
    "status": lambda c: (_fold(c.status) or "\uffff", _fold(c.name)),
    "since": lambda c: (c.status_updated_at or "", _fold(c.name)),
}


def filter_customers(
    customers: Sequence[Customer],
    *,
    query: str = "",
    status: str = "",
    connected: Connected = Connected.ANY,
    sort: CustomerSort = CustomerSort.NAME,
) -> list[Customer]:
    """The customers the list shows (and the export writes), in order."""
    chosen = [
        c
        for c in customers
        if customer_matches(c, query)
        and (not status or (c.status or "") == status)
        and (
            connected is Connected.ANY
            or (connected is Connected.YES and c.connected_to_casavi)
            or (connected is Connected.NO and not c.connected_to_casavi)
        )
    ]
    key = _SORT_KEYS[sort.value.removeprefix("-")]
    return sorted(chosen, key=key, reverse=sort.value.startswith("-"))


def customer_statuses(customers: Sequence[Customer]) -> list[str]:
    """The statuses relay uses, for the filter (relay documents no list of them)."""
    return sorted({c.status for c in customers if c.status})


@dataclass(frozen=True)
class Page[T]:
    items: list[T]
    number: int
    has_previous: bool
    has_next: bool
    total: int | None = None
    num_pages: int | None = None
    start_index: int = 0

    @property
    def previous_number(self) -> int:
        return self.number - 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.items) - 1 if self.items else self.start_index


def page_of[T](items: Sequence[T], *, number: int, per_page: int) -> Page[T]:
    """One page of a list we hold completely; a page number past the end shows the last."""
    total = len(items)
    num_pages = max(1, -(-total // per_page))
    number = min(max(1, number), num_pages)
    start = (number - 1) * per_page
    return Page(
        items=list(items[start : start + per_page]),
        number=number,
        has_previous=number > 1,
        has_next=number < num_pages,
        total=total,
        num_pages=num_pages,
        start_index=start + 1,
    )


def find_customer(customers: Sequence[Customer], customer_id: int) -> Customer | None:
    """relay has no GetCustomer: the customer is picked from GetCustomers."""
    return next((c for c in customers if c.id == customer_id), None)


def customer_names(customers: Sequence[Customer]) -> dict[int, str]:
    return {c.id: c.name or f"#{c.id}" for c in customers if c.id is not None}


def customer_orders(*, client: RelayClient, customer_id: int) -> list[Order]:
    """The customer's orders, newest first, from the order index (GetOrders has no
    filter, the index has). Raises Unavailable when the index was never filled and relay
    cannot fill it now."""
    if not index_ensure_filled(client=client).filled:
        raise Unavailable("the order index has not been filled from relay yet", operation="GetOrders")
    rows = IndexedOrder.objects.filter(customer_id=customer_id).order_by("-created_at", "-id")
    return [row.as_order() for row in rows.defer("search_text")]


@dataclass(frozen=True)
class PropertyScan:
    properties: list[Property]
    complete: bool
    scanned: int


def customer_properties(
    *,
    client: RelayClient,
    customer_id: int,
    page_size: int | None = None,
    max_pages: int | None = None,
) -> PropertyScan:
    """The customer's properties, found by paging GetProperties until a short page.

    Capped at `max_pages` pages of `page_size` (PROPERTY_SCAN_MAX_PAGES and
    PROPERTY_SCAN_PAGE by default) so a huge property list cannot make the customer page
    hang; `complete` is False when the cap stopped the scan, and the page says so.
    """
    page_size = page_size or PROPERTY_SCAN_PAGE
    max_pages = max_pages or PROPERTY_SCAN_MAX_PAGES
    found: list[Property] = []
    scanned = 0
    for page in range(max_pages):
        batch = client.get_properties(limit=page_size, offset=page * page_size)
        scanned += len(batch)
        found += [p for p in batch if p.customer_id == customer_id]
        if len(batch) < page_size:
            return PropertyScan(properties=found, complete=True, scanned=scanned)
    return PropertyScan(properties=found, complete=False, scanned=scanned)


def property_page(*, client: RelayClient, number: int, per_page: int | None = None) -> Page[Property]:
    """One page of properties through relay's limit/offset.

    relay tells no total, so we ask for one property more than the page shows: if it
    comes, there is a next page. That way an exactly full last page does not offer a
    "next" that leads to an empty page.
    """
    per_page = per_page or PROPERTIES_PER_PAGE
    number = max(1, number)
    offset = (number - 1) * per_page
    batch = client.get_properties(limit=per_page + 1, offset=offset)
    return Page(
        items=batch[:per_page],
        number=number,
        has_previous=number > 1,
        has_next=len(batch) > per_page,
        start_index=offset + 1,
    )
