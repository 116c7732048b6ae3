"""Rows to relay's JSON shapes: camelCase keys, every documented field present.

GetOrders answers with every order and everything nested in it, so `orders()` reads
each table once (no model instances, no per-order queries) and groups the rows in
Python. The rows come straight from the database cursor: Django's per-value datetime
converters (parse, make aware, then format again) were most of the time for 5,000
orders, and a stored UTC timestamp can be written as RFC 3339 directly.
"""

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from relaydash.sandbox.models import (
    Address,
    Attachment,
    Comment,
    ContactPerson,
    Customer,
    Order,
    OrderField,
    Property,
)

Json = dict[str, Any]

_NUMERIC = re.compile(r"[0-9]{1,18}")


def date_time(value: datetime | None) -> str | None:
    """RFC 3339 with offset, e.g. "2026-11-28T09:15:00+00:00" (null when unknown)."""
    return value.isoformat() if value is not None else None


def _raw_date_time(value: datetime | str | None) -> str | None:
    """A timestamp as the database cursor returns it, as RFC 3339.

    Django keeps datetimes in UTC; without its converters a backend hands them back as
    naive UTC datetimes (SQLite, MySQL), UTC text, or aware datetimes (PostgreSQL).
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value.replace(" ", "T", 1) + "+00:00"
    if value.tzinfo is None:
        return value.isoformat() + "+00:00"
    return value.astimezone(UTC).isoformat()


def _rows(queryset: QuerySet[Any], *columns: str) -> Iterator[tuple[Any, ...]]:
    """The queryset's rows for `columns`, unconverted, straight from the cursor."""
    sql, params = queryset.values_list(*columns).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        yield from cursor.fetchall()


def number(value: float) -> int | float:
    """A stored float as relay would print it: 3.0 is 3."""
    value = float(value)
    return int(value) if value.is_integer() else value


def address(row: Address | None) -> Json | None:
    """Address / ApiAddress."""
    if row is None:
        return None
    return {
        "id": row.pk,
        "streetAddress": row.street_address,
        "postalCode": row.postal_code,
        "locality": row.locality,
        "country": row.country,
        "additionalInfo": row.additional_info,
        "accountId": row.account_id,
    }


def customer(row: Customer) -> Json:
    """Customer as GetCustomers lists it."""
    return {
        "id": row.pk,
        "accountId": row.account_id,
        "casaviTenantId": row.casavi_tenant_id,
        "casaviContactId": row.casavi_contact_id,
        "internalId": row.internal_id,
        "externalId": row.external_id,
        "name": row.name,
        "status": row.status,
        "statusUpdatedAt": date_time(row.status_updated_at),
        "telephone": row.telephone,
        "addressId": row.address_id,
        "origin": row.origin,
        "techemId": row.techem_id,
        "oasisId": row.oasis_id,
        "emailAddress": row.email_address,
        "assfinetId": row.assfinet_id,
        "autoAssignUserId": row.auto_assign_user_id,
        "address": address(row.address),
    }


def external_id(value: str | None) -> int | str | None:
    """Property.externalId: the reference types it as a number, so a numeric value is
    sent as one; anything else relay could only send as the string it was given."""
    if value is not None and _NUMERIC.fullmatch(value):
        return int(value)
    return value


def property_(row: Property) -> Json:
    """Property as GetProperties and GetProperty return it."""
    return {
        "id": row.pk,
        "name": row.name,
        "externalId": external_id(row.external_id),
        "customerId": row.customer_id,
        "origin": row.origin,
        "address": address(row.address),
        "mscNumber": row.msc_number,
        "createdAt": date_time(row.created_at),
        "updatedAt": date_time(row.updated_at),
    }


def _attachments(order_ids: list[int] | None) -> tuple[dict[int, list[Json]], dict[int, list[Json]]]:
    """Attachments grouped by order (order-level only) and by comment."""
    by_order: dict[int, list[Json]] = defaultdict(list)
    by_comment: dict[int, list[Json]] = defaultdict(list)
    rows = Attachment.objects.order_by("id")
    if order_ids is not None:
        rows = rows.filter(order_id__in=order_ids)
    for order_id, comment_id, name, item_type, updated_at in _rows(
        rows, "order_id", "comment_id", "name", "item_type", "updated_at"
    ):
        item = {"name": name, "itemType": item_type, "updatedAt": _raw_date_time(updated_at)}
        if comment_id is None:
            by_order[order_id].append(item)
        else:
            by_comment[comment_id].append(item)
    return by_order, by_comment


def _comments(order_ids: list[int] | None, by_comment: dict[int, list[Json]]) -> dict[int, list[Json]]:
    """Comments grouped by order, oldest first, each with its attachments."""
    grouped: dict[int, list[Json]] = defaultdict(list)
    rows = Comment.objects.order_by("created_at", "id")
    if order_ids is not None:
        rows = rows.filter(order_id__in=order_ids)
    for comment_id, order_id, text, author, created_at in _rows(
        rows, "id", "order_id", "text", "author", "created_at"
    ):
        grouped[order_id].append(
            {
                "id": comment_id,
                "text": text,
                "orderId": order_id,
                "author": author,
                "attachments": by_comment.get(comment_id, []),
                "createdAt": _raw_date_time(created_at),
            }
        )
    return grouped


def comments(order_id: int) -> list[Json]:
    """GetOrderComments: one order's thread."""
    _, by_comment = _attachments([order_id])
    return _comments([order_id], by_comment).get(order_id, [])


def _fields(order_ids: list[int] | None) -> dict[int, list[Json]]:
    grouped: dict[int, list[Json]] = defaultdict(list)
    rows = OrderField.objects.order_by("position", "id")
    if order_ids is not None:
        rows = rows.filter(order_id__in=order_ids)
    for field_id, order_id, position, name, content in _rows(
        rows, "id", "order_id", "position", "name", "content"
    ):
        item = {"id": field_id, "position": number(position), "name": name, "content": content}
        grouped[order_id].append(item)
    return grouped


def _contacts(order_ids: list[int] | None) -> dict[int, list[Json]]:
    grouped: dict[int, list[Json]] = defaultdict(list)
    rows = ContactPerson.objects.order_by("id")
    if order_ids is not None:
        rows = rows.filter(order_id__in=order_ids)
    for contact_id, order_id, type_, name, telephone, mobile, email in _rows(
        rows, "id", "order_id", "type", "name", "telephone", "mobile", "email_address"
    ):
        grouped[order_id].append(
            {
                "type": type_,
                "name": name,
                "id": contact_id,
                "telephone": telephone,
                "mobile": mobile,
                "emailAddress": email,
            }
        )
    return grouped


_ORDER_COLUMNS = (
    "id",
    "title",
    "status",
    "due_date",
    "follow_up_date",
    "created_at",
    "updated_at",
    "internal_id",
    "is_internal",
    "type",
    "task_id",
    "customer_id",
    "address_id",
    "address__street_address",
    "address__postal_code",
    "address__locality",
    "address__country",
    "address__additional_info",
    "address__account_id",
)


def orders(order_ids: Iterable[int] | None = None) -> list[Json]:
    """Orders with fields, attachments, comments and contact persons nested.

    `order_ids=None` means every order (GetOrders); the related tables are then read
    whole instead of through a long IN list.
    """
    ids = list(order_ids) if order_ids is not None else None
    rows = Order.objects.order_by("id")
    if ids is not None:
        rows = rows.filter(id__in=ids)
    attachments, by_comment = _attachments(ids)
    threads = _comments(ids, by_comment)
    fields = _fields(ids)
    contacts = _contacts(ids)
    result: list[Json] = []
    for row in _rows(rows, *_ORDER_COLUMNS):
        (order_id, title, status, due, follow_up, created, updated, internal_id, is_internal, type_, task_id,
         customer_id, address_id, street, postal, locality, country, info, account_id) = row  # fmt: skip
        result.append(
            {
                "id": order_id,
                "title": title,
                "status": status,
                "address": None
                if address_id is None
                else {
                    "id": address_id,
                    "streetAddress": street,
                    "postalCode": postal,
                    "locality": locality,
                    "country": country,
                    "additionalInfo": info,
                    "accountId": account_id,
                },
                "dueDate": _raw_date_time(due),
                "followUpDate": _raw_date_time(follow_up),
                "createdAt": _raw_date_time(created),
                "updatedAt": _raw_date_time(updated),
                "internalId": internal_id,
                "isInternal": bool(is_internal),
                "type": type_,
                "taskId": task_id,
                "fields": fields.get(order_id, []),
                "attachments": attachments.get(order_id, []),
                "comments": threads.get(order_id, []),
                "contactPersons": contacts.get(order_id, []),
                "customerId": customer_id,
            }
        )
    return result
