"""Typed, immutable records of what relay sends and takes.

msgspec Structs because GetOrders returns every order with its comments and must decode
fast. They are tolerant on purpose: unknown fields are ignored, every field may be
missing or null, ids that arrive as strings are read as numbers (lax decoding), and
Property `id`/`externalId`, which the reference gives as numbers in responses and as
strings in requests, are normalised.

Dates are kept as relay sent them (`*_at`/`*_date` text, which is also what the "no lost
updates" check compares) and exposed parsed through properties (`due`, `updated`, ...):
an aware datetime when the text parses, a `datetime.date` for a bare date ("2026-12-02":
a day, not a moment, so no time is made up), the text itself when it does not parse.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum
from functools import lru_cache
from typing import BinaryIO

import msgspec
from django.utils import timezone


class OrderStatus(StrEnum):
    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    PREPARE = "PREPARE"
    FINISHED = "FINISHED"
    DECLINED = "DECLINED"
    NULL = "NULL"  # a real value of relay's enum, not JSON null


# A day (bare date) is a `dt.date` that is not a `dt.datetime`; test with `is_day`.
Moment = dt.datetime | dt.date | str | None


@lru_cache(maxsize=65536)
def parse_moment(text: str | None) -> Moment:
    """relay's date text → aware datetime; unparseable text is returned unchanged.

    A bare date ("2026-11-28") is a day and comes back as a `dt.date`: property managers
    mean "on that day", and a made-up midnight would make it overdue all day long. A
    naive date-time is taken as local time (Europe/Berlin by default), which is how
    property managers enter them.
    """
    if text is None or text == "":
        return None
    stripped = text.strip()
    if not any(mark in stripped for mark in "T :"):
        try:
            return dt.date.fromisoformat(stripped)
        except ValueError:
            pass
    try:
        value = dt.datetime.fromisoformat(stripped)
    except ValueError:
        return text
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.get_default_timezone())
    return value


class Skipped(msgspec.Struct, frozen=True, kw_only=True):
    """A record relay sent in a list that could not be read, and why: the operation,
    the record's id as relay sent it (None when it had none), the field's path inside
    the record ("$.taskId", "$" for the record itself) and msgspec's reason."""

    operation: str
    record_id: str | None
    field: str
    reason: str


class Listing[T](list[T]):
    """A list answer of relay (GetOrders, GetCustomers, GetProperties, GetOrderComments):
    the records that could be read, in relay's order, and in `skipped` the ones that
    could not. A plain list to every caller that needs no more; pages show a notice
    when `skipped` is not empty."""

    skipped: tuple[Skipped, ...]

    def __init__(self, records: Iterable[T] = (), *, skipped: Iterable[Skipped] = ()) -> None:
        super().__init__(records)
        self.skipped = tuple(skipped)

    def __repr__(self) -> str:
        return f"Listing({list.__repr__(self)}, skipped={self.skipped!r})"


def is_day(value: object) -> bool:
    """True for a bare date (a whole day), False for a moment, text or None."""
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def moment_start(value: Moment) -> dt.datetime | None:
    """When a moment begins, for ordering: a day starts at local midnight; text and None
    have no place in time (None)."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), tzinfo=timezone.get_default_timezone())
    return None


def moment_day(value: Moment) -> dt.date | None:
    """The local day (Europe/Berlin) of a moment; a bare date is that day itself. The day
    an order is due on, for the due-date filter and "due today"."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value, timezone.get_default_timezone()).date()
    if isinstance(value, dt.date):
        return value
    return None


def moment_end(value: Moment) -> dt.datetime | None:
    """When a moment is over: a date-time itself, a bare date at the end of its day (the
    start of the next local day). When an order becomes overdue, and the due-date sort
    key, so a day sorts after the moments within it."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return moment_start(value + dt.timedelta(days=1))
    return None


class _Record(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    pass


class Address(_Record, frozen=True):
    id: int | None = None
    street_address: str | None = None
    postal_code: str | None = None
    locality: str | None = None
    country: str | None = None
    additional_info: str | None = None
    account_id: int | None = None

    @property
    def one_line(self) -> str:
        """ "Hauptstraße 5, 10115 Berlin" — for lists and map searches."""
        place = " ".join(p for p in (self.postal_code, self.locality) if p)
        return ", ".join(p for p in (self.street_address, place) if p)


class Customer(_Record, frozen=True):
    id: int | None = None
    account_id: int | None = None
    casavi_tenant_id: int | None = None
    casavi_contact_id: int | None = None
    internal_id: str | None = None
    external_id: str | None = None
    name: str | None = None
    status: str | None = None
    status_updated_at: str | None = None
    telephone: str | None = None
    address_id: int | None = None
    origin: str | None = None
    techem_id: str | None = None
    oasis_id: str | None = None
    email_address: str | None = None
    assfinet_id: str | None = None
    auto_assign_user_id: int | None = None
    address: Address | None = None

    @property
    def connected_to_casavi(self) -> bool:
        return self.casavi_tenant_id is not None

    @property
    def status_updated(self) -> Moment:
        return parse_moment(self.status_updated_at)


class Property(_Record, frozen=True):
    id: int | None = None
    name: str | None = None
    external_id: str | int | None = None
    customer_id: int | None = None
    origin: str | None = None
    address: Address | None = None
    msc_number: str | None = None
    internal_id: str | None = None
    created_at: str | None = None
    updated_at: str | None = None

    def __post_init__(self) -> None:
        # The reference sends externalId as a number here and takes a string in
        # CreateProperties; callers always see text.
        if isinstance(self.external_id, int):
            msgspec.structs.force_setattr(self, "external_id", str(self.external_id))

    @property
    def created(self) -> Moment:
        return parse_moment(self.created_at)

    @property
    def updated(self) -> Moment:
        return parse_moment(self.updated_at)


class OrderField(_Record, frozen=True):
    id: int | None = None
    position: int | float | None = None
    name: str | None = None
    content: str | None = None


class Attachment(_Record, frozen=True):
    name: str | None = None
    item_type: str | None = None
    updated_at: str | None = None

    @property
    def updated(self) -> Moment:
        return parse_moment(self.updated_at)


class Comment(_Record, frozen=True):
    id: int | None = None
    text: str | None = None
    order_id: int | None = None
    author: str | None = None
    attachments: tuple[Attachment, ...] = ()
    created_at: str | None = None

    @property
    def created(self) -> Moment:
        return parse_moment(self.created_at)


class ContactPerson(_Record, frozen=True):
    type: str | None = None
    name: str | None = None
    id: int | None = None
    telephone: str | None = None
    mobile: str | None = None
    email_address: str | None = None


class Order(_Record, frozen=True):
    id: int | None = None
    title: str | None = None
    status_text: str | None = msgspec.field(default=None, name="status")
    address: Address | None = None
    due_date: str | None = None
    follow_up_date: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    internal_id: str | None = None
    is_internal: bool | None = None
    type: str | None = None
    task_id: str | None = None
    fields: tuple[OrderField, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    comments: tuple[Comment, ...] = ()
    contact_persons: tuple[ContactPerson, ...] = ()
    customer_id: int | None = None

    @property
    def status(self) -> OrderStatus | None:
        """The status as the enum; None when relay sent nothing or a value we do not know
        (then `status_text` still has relay's word, so nothing is hidden)."""
        try:
            return OrderStatus(self.status_text) if self.status_text is not None else None
        except ValueError:
            return None

    @property
    def due(self) -> Moment:
        return parse_moment(self.due_date)

    @property
    def follow_up(self) -> Moment:
        return parse_moment(self.follow_up_date)

    @property
    def created(self) -> Moment:
        return parse_moment(self.created_at)

    @property
    def updated(self) -> Moment:
        return parse_moment(self.updated_at)


# --- What relaydash sends -------------------------------------------------------------


class AddressInput(_Record, frozen=True):
    """An address as CreateAddress, CreateCustomer, CreateProperties and PatchOrder take it."""

    street_address: str
    postal_code: str
    locality: str
    country: str
    additional_info: str | None = None
    id: int | None = None
    account_id: int | None = None


class CustomerInput(_Record, frozen=True):
    name: str
    internal_id: str | None = None
    id: str | None = None
    telephone: str | None = None
    email_address: str | None = None
    address: AddressInput | None = None


class CustomerCreated(_Record, frozen=True):
    """CreateCustomer's echo. With `casavi_account_id` the customer is connected to that
    casavi tenant."""

    customer: CustomerInput
    casavi_account_id: int | None = None


class PropertyInput(_Record, frozen=True):
    """One item of CreateProperties (an upsert keyed on `id`). `id` and `external_id` are
    strings on this side of the API."""

    id: str | None = None
    name: str | None = None
    address: AddressInput | None = None
    msc_number: str | None = None
    internal_id: str | None = None
    external_id: str | None = None
    customer_id: int | None = None


class OrderPatch(_Record, frozen=True):
    """PatchOrder: only the fields set here are sent and changed."""

    status: OrderStatus | msgspec.UnsetType = msgspec.UNSET
    due_date: dt.datetime | msgspec.UnsetType = msgspec.UNSET
    internal_id: str | msgspec.UnsetType = msgspec.UNSET
    address: AddressInput | msgspec.UnsetType = msgspec.UNSET


class OrderFieldInput(_Record, frozen=True):
    name: str
    content: str
    position: int | float
    order_id: int


class UploadFile(msgspec.Struct, frozen=True, kw_only=True):
    """A file for CreateOrderComment, streamed from `stream` (never read into memory)."""

    name: str
    stream: BinaryIO
    size: int
    content_type: str = "application/octet-stream"
