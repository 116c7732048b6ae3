"""Every CSV writes dates in one ISO 8601 form, whatever spelling relay used
(relaydash.display.dates.csv_moment is the one home; these prove each export uses it)."""

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from django.utils import translation

from relaydash.accounts.audit import Operation, Target, audit_write
from relaydash.accounts.audit_export import audit_csv_lines
from relaydash.accounts.models import AuditEntry
from relaydash.accounts.permissions import Role
from relaydash.directory.exports import customers_csv
from relaydash.orderindex.models import IndexedOrder
from relaydash.orderindex.sync import index_refresh_order
from relaydash.orders.export import CsvDialect, orders_csv
from relaydash.orders.selectors import order_rows
from relaydash.relay.records import Customer, Order

# One moment (14:05 in Berlin on 2 December 2026) in the spellings relays send.
SPELLINGS = [
    "2026-12-02T13:05:00Z",
    "2026-12-02T13:05:00.000Z",
    "2026-12-02T14:05:00+01:00",
    "2026-12-02T13:05:00+00:00",
    "2026-12-02 14:05:00",
    "2026-12-02T14:05",
]
ISO = "2026-12-02T14:05:00+01:00"


def table(text: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=delimiter))


@pytest.mark.django_db
def test_the_order_csv_writes_one_form() -> None:
    orders = [
        Order(id=i, due_date=text, created_at=text, updated_at=text)
        for i, text in enumerate(SPELLINGS, start=1)
    ]
    orders.append(Order(id=99, due_date="2026-12-02", created_at=SPELLINGS[0]))
    for order in orders:  # the export reads the order index, as a sync or a write left it
        index_refresh_order(order=order)
    rows = order_rows(rows=IndexedOrder.objects.order_by("id"), now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    with translation.override("en"):
        header, *lines = table(orders_csv(rows=rows, dialect=CsvDialect.SEMICOLON), ";")
    due, created, updated = header.index("Due date"), header.index("Created"), header.index("Updated")
    for line in lines[:-1]:
        assert [line[due], line[created], line[updated]] == [ISO, ISO, ISO]
    assert lines[-1][due] == "2026-12-02"  # a day stays a day


def test_the_customer_csv_writes_one_form() -> None:
    customers = [Customer(id=i, name="Kühn", status_updated_at=text) for i, text in enumerate(SPELLINGS)]
    lines = table(customers_csv(customers, delimiter=";").decode("utf-8"), ";")[1:]
    assert {line[5] for line in lines} == {ISO}


@pytest.mark.django_db
def test_the_audit_csv_writes_one_form(make_user: Any) -> None:
    user = make_user(Role.ADMIN, username="ada", email="ada@example.com")
    with audit_write(
        actor=user, operation=Operation.PATCH_ORDER, target_type=Target.ORDER, target_id=1, summary={}
    ):
        pass
    entry = AuditEntry.objects.get()
    with translation.override("de"):
        lines = table("".join(audit_csv_lines(entries=AuditEntry.objects.all())), ";")
    written = lines[1][0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", written), written
    assert dt.datetime.fromisoformat(written) == entry.created_at.replace(microsecond=0)
