"""Issue #9, first acceptance point: with a relay that sends every scalar of every record as
the other JSON type, null or absent, every page answers 200 and shows the readable records.

The relay is the sandbox over real HTTP behind the real client, its read answers
rewritten by `faults.mutate_answers` (relaydash/sandbox/faults.py); the pages are walked
signed in as an administrator (who may open every page, the audit trail included).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from relaydash.accounts.permissions import Role
from relaydash.orders.selectors import PER_PAGE
from relaydash.relay.client import RelayClient
from relaydash.relay.records import OrderStatus
from relaydash.sandbox import faults
from relaydash.sandbox.models import Customer, Order, Property
from relaydash.web import RELAY_BAD_RESPONSE, RELAY_UNAVAILABLE
from tests.orderindex.support import sync

pytestmark = pytest.mark.django_db(transaction=True)

HTMX = {"HX-Request": "true"}


def order_list_urls() -> list[str]:
    """The list with every tab, the sorts and a search."""
    tabs = ["?overdue=1", "?due=today", *(f"?status={s.value}" for s in OrderStatus)]
    sorts = ["?sort=title", "?sort=-title", "?sort=-due", "?sort=created", "?sort=-updated"]
    return ["/", "/orders/", *(f"/orders/{q}" for q in (*tabs, *sorts, "?q=a", "?type=REPAIR"))]


def page_urls(*, orders: list[int], customers: list[int], properties: list[int]) -> list[tuple[str, bool]]:
    """(URL, asked by htmx) for every page that reads relay, each record's own pages too."""
    urls: list[tuple[str, bool]] = [(url, False) for url in order_list_urls()]
    urls += [("/orders/?overdue=1", True), ("/orders/refresh/?shown=&total=0", True)]
    urls += [("/orders/export.csv", False), ("/orders/export.csv?sep=comma", False)]
    for order_id in orders:
        urls += [(f"/orders/{order_id}/", False), (f"/orders/{order_id}/comments/", True)]
    first = orders[0]
    urls += [
        (f"/orders/{first}/?edit={part}", False) for part in ("due_date", "internal_id", "address", "field")
    ]
    urls += [(f"/orders/{first}/parts/address/?edit=1", True), (f"/orders/{first}/parts/due_date/", True)]
    urls += [("/customers/", False), ("/customers/?sort=-city", False), ("/customers/", True)]
    urls += [("/customers/export.csv", False), ("/customers/new/", False), ("/addresses/new/", False)]
    urls += [(f"/customers/{customer_id}/", False) for customer_id in customers]
    urls += [("/properties/", False), ("/properties/?page=2", False), ("/properties/new/", False)]
    urls += [("/properties/import/", False), ("/audit/", False), ("/audit/export.csv", False)]
    for property_id in properties:
        urls += [(f"/properties/{property_id}/", False), (f"/properties/{property_id}/edit/", False)]
    return urls


def english_text(message: object) -> str:
    with translation.override("en"):
        return html.escape(str(message))


def text_of(response: Any) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return str(response.content.decode("utf-8-sig"))


def rows(html: str, marker: str) -> int:
    return len(re.findall(marker, html))


@pytest.fixture
def admin(seeded: RelayClient, client_as: Callable[..., Client]) -> Client:
    return client_as(Role.ADMIN)


# Ids as text are still ids ("other" rewrites them too). A record whose own id is null or
# left out has no page that can find it, so those variants keep each answered record's
# own id (nested ids are rewritten); the ids themselves null or absent are the next test.
VARIANTS = [("other", False), ("null", True), ("absent", True), ("mixed", True)]


@pytest.mark.parametrize(("variant", "keep_ids"), VARIANTS, ids=[v for v, _ in VARIANTS])
def test_every_page_answers_200_with_every_scalar_as_the_other_type_null_or_absent(
    admin: Client, variant: str, keep_ids: bool
) -> None:
    orders = sorted(Order.objects.values_list("id", flat=True))
    customers = sorted(Customer.objects.values_list("id", flat=True))
    properties = sorted(Property.objects.values_list("id", flat=True))
    faults.mutate_answers(variant=variant, keep_ids=keep_ids)
    sync()  # the order list reads the order index: the worker's next round

    for url, htmx in page_urls(orders=orders, customers=customers, properties=properties):
        response = admin.get(url, headers=HTMX if htmx else {})
        assert response.status_code == 200, (variant, url, response.status_code)
        body = text_of(response)
        for failure in (RELAY_BAD_RESPONSE, RELAY_UNAVAILABLE):
            assert str(failure) not in body, (variant, url)

    # The readable records are shown: every order, customer and property relay has (ids
    # sent as text still link to their pages; without ids the rows are shown unlinked).
    listed = admin.get("/orders/?sort=created").content.decode()
    assert rows(listed, r'<tr class="order-row') == min(len(orders), PER_PAGE)
    assert "could not be read" not in listed
    customer_list = admin.get("/customers/").content.decode()
    assert rows(customer_list, r'<td class="dir-table__main">') == min(len(customers), 25)
    property_list = admin.get("/properties/").content.decode()
    assert rows(property_list, r'<td class="dir-table__main">') == min(len(properties), 50)
    csv_lines = admin.get("/orders/export.csv").content.decode("utf-8-sig").strip().splitlines()
    assert len(csv_lines) >= len(orders) + 1  # a header and at least a line per order
    if variant == "other":
        for order_id in orders[:PER_PAGE]:
            assert f'href="/orders/{order_id}/"' in listed
        detail = admin.get(f"/orders/{orders[0]}/").content.decode()
        assert "812" in detail  # the title relay sent as a number, shown as its text


@pytest.mark.parametrize("variant", ["null", "absent"])
def test_records_without_their_ids_are_listed_unlinked_and_pages_read_by_id_still_answer(
    admin: Client, variant: str
) -> None:
    orders = sorted(Order.objects.values_list("id", flat=True))
    customers = sorted(Customer.objects.values_list("id", flat=True))
    properties = sorted(Property.objects.values_list("id", flat=True))
    faults.mutate_answers(variant=variant)
    sync()

    for url, htmx in page_urls(orders=orders, customers=[], properties=properties):
        response = admin.get(url, headers=HTMX if htmx else {})
        assert response.status_code == 200, (variant, url, response.status_code)
    # The order index keys on relay's order id: an order relay sends without one cannot
    # be listed (nor opened), and the list says how many there were.
    listed = admin.get("/orders/", headers={"Accept-Language": "en"}).content.decode()
    assert f"{len(orders)} orders relay sent could not be read" in listed
    # Customers and properties without ids are listed, unlinked.
    customer_list = admin.get("/customers/").content.decode()
    table = customer_list.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert 'href="/customers/' not in table  # no id, no link
    # relay has no GetCustomer: a customer is found by its id in GetCustomers, and no
    # customer there has one. That is "not in relay", not a failure.
    assert admin.get(f"/customers/{customers[0]}/").status_code == 404


def test_a_record_that_cannot_be_read_is_left_out_with_a_notice_and_the_rest_shown(admin: Client) -> None:
    orders = sorted(Order.objects.values_list("id", flat=True))
    customers = sorted(Customer.objects.values_list("id", flat=True))
    properties = sorted(Property.objects.values_list("id", flat=True))
    faults.mutate_answers(variant="one-unreadable")
    sync()

    for url, htmx in page_urls(orders=orders, customers=customers, properties=properties):
        response = admin.get(url, headers=HTMX if htmx else {})
        assert response.status_code == 200, (url, response.status_code)

    english = {"Accept-Language": "en"}
    listed = admin.get("/orders/?sort=created", headers=english).content.decode()
    assert "1 order relay sent could not be read" in listed
    # The order index keeps that order's last readable row, so it does not vanish from
    # anyone's list while relay sends it unreadable.
    assert rows(listed, r'<tr class="order-row') == min(len(orders), PER_PAGE)
    customer_list = admin.get("/customers/", headers=english).content.decode()
    assert "1 customer relay sent could not be read" in customer_list
    properties_page = admin.get("/properties/", headers=english).content.decode()
    assert "1 property relay sent could not be read" in properties_page
    german = admin.get("/customers/", headers={"Accept-Language": "de"}).content.decode()
    assert "1 Kunde, den relay gesendet hat, konnte nicht gelesen werden" in german
    # The order list's export still writes every order that can be read.
    csv = admin.get("/orders/export.csv").content.decode("utf-8-sig")
    assert csv.count("\n") >= len(orders)


UNREADABLE = b'{"id": 1, "title": {"de": "Heizung"}, "name": {"de": "Haus"}}'


@pytest.mark.parametrize(
    ("operation", "url"),
    [
        ("GetOrder", "/orders/{order}/"),
        ("GetProperty", "/properties/{property}/"),
        ("GetProperty", "/properties/{property}/edit/"),
        ("GetCustomers", "/customers/"),
        ("GetCustomers", "/customers/{customer}/"),
        ("GetProperties", "/properties/"),
    ],
)
def test_a_200_answer_that_cannot_be_read_is_a_200_page_saying_so(
    admin: Client, operation: str, url: str
) -> None:
    ids = {
        "order": Order.objects.values_list("id", flat=True).first(),
        "property": Property.objects.values_list("id", flat=True).first(),
        "customer": Customer.objects.values_list("id", flat=True).first(),
    }
    faults.fail_next(status=200, operation=operation, body=b"<html>Wartung</html>", count=3)
    if operation in ("GetOrder", "GetProperty"):
        faults.clear()
        faults.fail_next(status=200, operation=operation, body=UNREADABLE, count=3)
    response = admin.get(url.format(**ids), headers={"Accept-Language": "en"})
    assert response.status_code == 200, (url, response.status_code)
    page = response.content.decode()
    assert english_text(RELAY_BAD_RESPONSE) in page
    assert 'role="alert"' in page


def test_a_part_of_the_order_page_keeps_its_error_status_for_the_page_script(admin: Client) -> None:
    order_id = Order.objects.values_list("id", flat=True).first()
    faults.fail_next(status=200, operation="GetOrder", body=UNREADABLE)
    response = admin.get(f"/orders/{order_id}/parts/due_date/", headers={**HTMX, "Accept-Language": "en"})
    assert response.status_code == 502  # order-detail.js shows the sentence beside the link
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == english_text(RELAY_BAD_RESPONSE)
