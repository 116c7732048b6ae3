"""From relay's Order record to an index row: pure functions, no database.

The row's values are derived once, when the sync (or a write) stores the order; the
content hash over them is what lets the sync skip the rows that did not change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any, Final

import msgspec

from relaydash.display.phone import order_quick_call
from relaydash.relay.records import Moment, Order, moment_day, moment_end, moment_start, parse_moment

# The values the hash covers, in a fixed order (every content field of IndexedOrder).
CONTENT_FIELDS: Final = (
    "title",
    "status",
    "due_date",
    "due",
    "due_day",
    "created_at",
    "created",
    "updated_at",
    "updated",
    "internal_id",
    "type",
    "title_key",
    "has_address",
    "street_address",
    "postal_code",
    "locality",
    "country",
    "additional_info",
    "customer_id",
    "customer_name",
    "contact_names",
    "call_name",
    "call_number",
    "comment_count",
    "last_comment_at",
    "search_text",
)
TITLE_KEY_LENGTH: Final = 255
_ENCODER: Final = msgspec.json.Encoder()


def search_text(order: Order, customer_name: str) -> str:
    """Everything the free-text search looks at, case-folded once: the order number,
    title, internal id, type, address, customer name and contact names."""
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


# Whitespace and invisible format characters (zero-width space, direction marks and
# embeddings, word joiner, byte order mark) that a title may start or end with.
_INVISIBLE_EDGES: Final = re.compile(
    r"^[\s\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]+|[\s\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]+$"
)


def title_sort_key(title: str | None) -> str | None:
    """A title as it sorts: by the text people see, case-folded, so "  Heizung" sorts
    under H and not before "Aufzug"; None when nothing visible is left (such orders sort
    last, with those without a title)."""
    return _INVISIBLE_EDGES.sub("", title or "").casefold()[:TITLE_KEY_LENGTH] or None


def _instant(text: str | None) -> dt.datetime | None:
    """Where a moment sorts: a bare date at the start of its day."""
    return moment_start(parse_moment(text))


def _moment_text(value: Moment) -> str:
    if isinstance(value, dt.date):  # a date-time or a bare day
        return value.isoformat()
    return value or ""


def row_values(order: Order, *, customer_name: str) -> dict[str, Any]:
    """The index row of `order` (whose id is not None): every content field by name."""
    address = order.address
    title = order.title or ""
    call = order_quick_call(order)
    return {
        "title": title,
        "status": order.status_text or "",
        "due_date": order.due_date or "",
        # The due rule (orders.status): overdue once `due` has passed (a bare date at the
        # end of its day), due today when `due_day` is today.
        "due": moment_end(order.due),
        "due_day": moment_day(order.due),
        "created_at": order.created_at or "",
        "created": _instant(order.created_at),
        "updated_at": order.updated_at or "",
        "updated": _instant(order.updated_at),
        "internal_id": order.internal_id or "",
        "type": order.type or "",
        "title_key": title_sort_key(title),
        "has_address": address is not None,
        "street_address": (address.street_address if address else None) or "",
        "postal_code": (address.postal_code if address else None) or "",
        "locality": (address.locality if address else None) or "",
        "country": (address.country if address else None) or "",
        "additional_info": (address.additional_info if address else None) or "",
        "customer_id": order.customer_id,
        "customer_name": customer_name,
        "contact_names": "\n".join(p.name for p in order.contact_persons if p.name),
        "call_name": call.name if call is not None else "",
        "call_number": call.number if call is not None else "",
        "comment_count": len(order.comments),
        "last_comment_at": _moment_text(last_comment_at(order)),
        "search_text": search_text(order, customer_name),
    }


def content_hash(values: dict[str, Any]) -> str:
    """A short digest of a row's content fields. Instants count by their moment, not
    their offset, so a row read back from the database hashes as relay's text did."""
    encoded = _ENCODER.encode(
        [
            v.timestamp() if isinstance(v, dt.datetime) else v
            for v in (values[name] for name in CONTENT_FIELDS)
        ]
    )
    return hashlib.blake2b(encoded, digest_size=16).hexdigest()
