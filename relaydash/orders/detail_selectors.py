"""Reads for the order detail page: one order with what the page shows around it.

The page costs one GetOrder and one GetCustomers (relay has no GetCustomer), never
GetOrders: that one returns every order with every comment. The two reads run side by
side, so the page waits for the slower of them, not for both, and both answers are kept
for a short while (relaydash.relay.cache), so repeated views cost no relay call.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import math
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Final

from django.conf import settings

from relaydash.orderindex.sync import index_forget_order, index_refresh_order
from relaydash.orders.selectors import customers_get
from relaydash.relay.client import RelayClient
from relaydash.relay.errors import NotFound, RelayError
from relaydash.relay.records import Comment, Customer, Listing, Order, OrderField, Skipped

# Shared by all requests of the process: two reads per page, a few pages at a time.
_READS: Final = ThreadPoolExecutor(max_workers=8, thread_name_prefix="relay-read")
_OLDEST: Final = dt.datetime.min.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class OrderDetail:
    """Everything the detail page shows about one order.

    `customer_unavailable` is True when GetCustomers failed: the order is still shown,
    with a note in the customer block, rather than no page at all.
    """

    order: Order
    customer: Customer | None
    customer_unavailable: bool
    fields: list[OrderField]
    comments: list[Comment]
    next_field_position: int


def order_detail_get(
    *, client: RelayClient, order_id: int, with_customer: bool = True, fresh: bool = False
) -> OrderDetail:
    """The order (its relay errors propagate: NotFound means a 404 page) with its
    customer resolved from GetCustomers, fields by position and comments newest first.

    Answers relay gave a moment ago are good enough for showing the page
    (RELAY_CACHE_ORDER_SECONDS, RELAY_CACHE_CUSTOMERS_SECONDS): opening an edit form,
    the redirect after a save or going back to the order costs no relay call. `fresh`
    (the user pressed reload) asks relay for both. Checks before a write never come
    through here: they always ask relay.

    The customer list is read beside GetOrder; when it fails the page still shows the
    order, with a note in the customer block.
    """
    order_age = 0.0 if fresh else float(settings.RELAY_CACHE_ORDER_SECONDS)
    customers_age = 0.0 if fresh else float(settings.RELAY_CACHE_CUSTOMERS_SECONDS)
    customers: Future[Listing[Customer]] | None = None
    if with_customer:
        # In this request's context, so its log lines carry the request id and user.
        customers = _READS.submit(contextvars.copy_context().run, client.get_customers, max_age=customers_age)
    try:
        order = client.get_order(order_id, max_age=order_age)
    except RelayError as error:
        if isinstance(error, NotFound):
            index_forget_order(order_id=order_id)
        # Leave no request running behind the error page.
        if customers is not None and not customers.cancel():
            wait([customers])
        raise
    # The order list shows what the order page just read.
    index_refresh_order(order=order)
    customer: Customer | None = None
    unavailable = False
    if customers is not None:
        try:
            listing = customers.result()
            customer = customer_for_order(order, listing)
            if customer is None and order.customer_id is not None and not fresh:
                # The kept list lacks it: customers_get's rule asks relay's current one.
                listing = customers_get(client=client, needed=[order.customer_id])
                customer = customer_for_order(order, listing)
            # relay sent the customer, but not in a shape that can be read: say so, as
            # when the list could not be read at all.
            unavailable = customer is None and str(order.customer_id) in {
                s.record_id for s in listing.skipped
            }
        except RelayError:
            unavailable = order.customer_id is not None
    fields = fields_by_position(order.fields)
    return OrderDetail(
        order=order,
        customer=customer,
        customer_unavailable=unavailable,
        fields=fields,
        comments=comments_newest_first(order.comments),
        next_field_position=next_field_position(fields),
    )


def with_order(order: Order) -> OrderDetail:
    """An OrderDetail for an order just read again (after a patch or a conflict), to
    re-render the parts that show it. The customer block is not among them, so
    GetCustomers is not asked again."""
    fields = fields_by_position(order.fields)
    return OrderDetail(
        order=order,
        customer=None,
        customer_unavailable=False,
        fields=fields,
        comments=comments_newest_first(order.comments),
        next_field_position=next_field_position(fields),
    )


def order_fields_get(*, client: RelayClient, order_id: int) -> tuple[list[OrderField], int]:
    """The order's fields by position and the next free position (after adding one)."""
    fields = fields_by_position(client.get_order(order_id).fields)
    return fields, next_field_position(fields)


@dataclass(frozen=True)
class LiveUpdate:
    """What the open order page learns at each tick: comments newer than the ones it
    shows and, when asked for, the order as relay has it now."""

    comments: list[Comment]
    order: Order | None
    skipped: tuple[Skipped, ...] = ()  # comments GetOrderComments sent that could not be read


def order_live_get(
    *, client: RelayClient, order_id: int, after_id: int | None = None, with_order: bool = False
) -> LiveUpdate:
    """Comments newest first, with `after_id` only those newer than that comment (all of
    them when it is unknown: the page skips ones it already shows).

    `with_order` reads GetOrder instead of GetOrderComments (it carries the comments
    too), always from relay: the page compares it with what it showed. That read is
    kept for the next view of the order, so a page someone keeps open keeps the order's
    kept answer fresh as well.
    """
    order = client.get_order(order_id) if with_order else None
    read = order.comments if order is not None else client.get_order_comments(order_id)
    skipped = read.skipped if isinstance(read, Listing) else ()
    comments = comments_newest_first(read)
    return LiveUpdate(comments=_newer_than(comments, after_id), order=order, skipped=skipped)


def _newer_than(comments: list[Comment], after_id: int | None) -> list[Comment]:
    if after_id is None:
        return comments
    for index, comment in enumerate(comments):
        if comment.id == after_id:
            return comments[:index]
    return comments


def customer_for_order(order: Order, customers: Iterable[Customer]) -> Customer | None:
    if order.customer_id is None:
        return None
    return next((c for c in customers if c.id == order.customer_id), None)


def _position(field: OrderField) -> float:
    position = field.position
    return float(position) if isinstance(position, int | float) else math.inf


def fields_by_position(fields: Iterable[OrderField]) -> list[OrderField]:
    """Fields in position order; without a position last, ties by id (creation order)."""
    return sorted(fields, key=lambda f: (_position(f), f.id if f.id is not None else math.inf))


def next_field_position(fields: Sequence[OrderField]) -> int:
    """One after the highest position in use (1 for an order without fields)."""
    used = [_position(f) for f in fields if math.isfinite(_position(f))]
    return math.floor(max(used)) + 1 if used else 1


def _created(comment: Comment) -> dt.datetime:
    created = comment.created
    return created if isinstance(created, dt.datetime) else _OLDEST


def comments_newest_first(comments: Iterable[Comment]) -> list[Comment]:
    """Newest first by createdAt, then by id (relay's ids grow); a comment whose date
    does not parse sorts as oldest rather than breaking the page."""
    return sorted(comments, key=lambda c: (_created(c), c.id if c.id is not None else -1), reverse=True)
