"""The CSV export of the order list: Excel-ready, honouring the list's query, all pages."""

import csv
import html
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from relaydash.orders.export import COLUMNS
from relaydash.relay.client import RelayClient
from relaydash.relay.records import OrderPatch
from relaydash.web import RELAY_FAILED

BOM = "\ufeff"


def export(client: Client, query: str = "") -> Any:
    return client.get(f"/orders/export.csv{query}", headers={"Accept-Language": "en"})


def rows(response: Any, delimiter: str = ";") -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))


def test_semicolons_with_bom_by_default(seeded: RelayClient, backoffice: Client) -> None:
    response = export(backoffice)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="orders-')
    table = rows(response)
    assert table[0] == [
        "Order number",
        "Title",
        "Status",
        "Status code",
        "Due date",
        "Due state",
        "Created",
        "Updated",
        "Internal ID",
        "Type",
        "Street",
        "Postal code",
        "City",
        "Customer",
        "Contact persons",
        "Comments",
        "Last comment",
    ]
    assert len(table[0]) == len(COLUMNS)
    assert sorted(int(r[0]) for r in table[1:]) == sorted(o.id for o in seeded.get_orders())


def test_commas_on_request(seeded: RelayClient, backoffice: Client) -> None:
    table = rows(export(backoffice, "?sep=comma"), delimiter=",")
    assert len(table[0]) == len(COLUMNS)
    assert len(table) == len(seeded.get_orders()) + 1


def test_values_match_the_orders(seeded: RelayClient, backoffice: Client) -> None:
    customers = {c.id: c.name for c in seeded.get_customers()}
    target = next(o for o in seeded.get_orders() if o.comments and o.address)
    line = next(r for r in rows(export(backoffice))[1:] if r[0] == str(target.id))
    assert line[1] == target.title
    assert line[3] == target.status_text
    assert line[8] == (target.internal_id or "")
    assert line[9] == target.type
    assert line[12] == target.address.locality  # type: ignore[union-attr]
    assert line[13] == customers[target.customer_id]
    assert line[14] == ", ".join(p.name or "" for p in target.contact_persons)
    assert line[15] == str(len(target.comments))


def test_export_honours_the_filters_across_all_pages(relay: RelayClient, backoffice: Client) -> None:
    call_command("seed_sandbox", orders=120, seed=3, verbosity=0)
    orders = relay.get_orders()
    kind = max({o.type for o in orders}, key=lambda t: sum(o.type == t for o in orders))
    # Every order with a due date: more than one page of the list.
    with_due = [o for o in orders if o.due is not None]
    assert len(with_due) > 50
    table = rows(export(backoffice, "?due_from=2000-01-01&sort=-due"))
    assert sorted(int(r[0]) for r in table[1:]) == sorted(o.id for o in with_due)
    due_column = [r[4] for r in table[1:]]
    assert due_column == sorted(due_column, reverse=True)
    typed = rows(export(backoffice, f"?type={kind}&status=OPEN"))
    expected = {o.id for o in orders if o.type == kind and o.status_text == "OPEN"}
    assert {int(r[0]) for r in typed[1:]} == expected


def test_formulas_in_relay_text_are_defused(seeded: RelayClient, backoffice: Client) -> None:
    target = seeded.get_orders()[0]
    assert target.id is not None
    seeded.patch_order(target.id, OrderPatch(internal_id='=HYPERLINK("http://evil.example","x")'))
    line = next(r for r in rows(export(backoffice))[1:] if r[0] == str(target.id))
    assert line[8] == '\'=HYPERLINK("http://evil.example","x")'


@pytest.mark.parametrize("status", [500, 503])
def test_relay_down_is_a_clear_page(seeded: RelayClient, backoffice: Client, status: int) -> None:
    from relaydash.sandbox import faults

    faults.fail_next(status=status, count=5, operation="GetOrders")
    response = export(backoffice)
    assert response.status_code == 503
    with translation.override("en"):
        assert html.escape(str(RELAY_FAILED % {"status": status})) in response.content.decode()
    assert not response.content.decode().startswith(BOM)
