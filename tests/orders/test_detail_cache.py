"""The order page with kept relay answers (RELAY_CACHE_ORDER_SECONDS) over the sandbox:
going back to an order costs no relay call, reload always reads relay, a change made in
relaydash shows at once, and no kept answer can hide a conflict."""

import html
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from relaydash.relay.client import RelayClient
from relaydash.relay.records import Order, OrderPatch, OrderStatus
from relaydash.sandbox import faults
from tests.orders.detail_support import detail_url, get, pick, post, seen_of

RELOAD = {"Cache-Control": "max-age=0"}


@pytest.fixture
def casavi(seeded: RelayClient, settings: Any) -> RelayClient:
    """Someone changing orders in relay outside relaydash (a property manager in casavi):
    a client of its own, which leaves no mark in relaydash's cache."""
    return RelayClient(base_url=seeded.base_url, api_key=settings.RELAY_API_KEY, retries=0)


def open_order(relay: RelayClient) -> Order:
    return pick(relay, lambda o: o.status is OrderStatus.OPEN and bool(o.title))


def shows_internal_id(client: Client, order_id: int, value: str, **headers: str) -> bool:
    return f">{html.escape(value)}<" in get(client, detail_url(order_id), **headers).content.decode()


def test_going_back_to_an_order_costs_no_relay_call(seeded: RelayClient, backoffice: Client) -> None:
    order = open_order(seeded)
    assert get(backoffice, detail_url(order.id)).status_code == 200
    faults.fail_next(status=500, count=5, operation="GetOrder")
    again = get(backoffice, detail_url(order.id))
    assert again.status_code == 200
    title = html.escape(order.title or "")
    heading = f'<h1 id="order-title" class="order-title"><bdi>{title}</bdi></h1>'
    assert heading in again.content.decode()


def test_reload_shows_what_relay_has_now(
    seeded: RelayClient, casavi: RelayClient, backoffice: Client
) -> None:
    order = open_order(seeded)
    get(backoffice, detail_url(order.id))
    casavi.patch_order(order.id, OrderPatch(internal_id="HV-4711"))
    # A plain navigation within the kept time still shows the answer from a moment ago...
    assert not shows_internal_id(backoffice, order.id, "HV-4711")
    # ...the reload button (Cache-Control: max-age=0) asks relay.
    assert shows_internal_id(backoffice, order.id, "HV-4711", **RELOAD)
    assert shows_internal_id(backoffice, order.id, "HV-4711", **{"Cache-Control": "no-cache"})


def test_reload_when_relay_is_down_says_so(seeded: RelayClient, backoffice: Client) -> None:
    order = open_order(seeded)
    get(backoffice, detail_url(order.id))
    faults.fail_next(status=500, count=5, operation="GetOrder")
    assert get(backoffice, detail_url(order.id), **RELOAD).status_code == 503


def test_a_change_made_in_relaydash_shows_at_once(seeded: RelayClient, backoffice: Client) -> None:
    order = open_order(seeded)
    seen = seen_of(seeded, order.id, backoffice)
    data = {"part": "internal_id", "internal_id": "MEINE-12", **seen}
    response = post(backoffice, detail_url(order.id, "patch"), data, htmx=False)
    assert response.status_code == 302
    assert shows_internal_id(backoffice, order.id, "MEINE-12")


def test_a_kept_page_cannot_hide_a_conflict(
    seeded: RelayClient, casavi: RelayClient, backoffice: Client
) -> None:
    order = open_order(seeded)
    get(backoffice, detail_url(order.id))
    casavi.patch_order(order.id, OrderPatch(internal_id="FREMD-9"))
    # The page still shows the kept order, and its forms carry what it showed...
    seen = seen_of(seeded, order.id, backoffice)
    data = {"part": "internal_id", "internal_id": "MEINE-3", **seen}
    response = post(backoffice, detail_url(order.id, "patch"), data, htmx=False)
    # ...but the check before the write asks relay, finds the change and writes nothing.
    assert response.status_code == 409
    assert "<strong><bdi>FREMD-9</bdi></strong>" in response.content.decode()
    assert casavi.get_order(order.id).internal_id == "FREMD-9"


def test_without_keeping_every_view_asks_relay(
    seeded: RelayClient, backoffice: Client, settings: Any
) -> None:
    settings.RELAY_CACHE_ORDER_SECONDS = 0
    settings.RELAY_CACHE_CUSTOMERS_SECONDS = 0
    order = open_order(seeded)
    assert get(backoffice, detail_url(order.id)).status_code == 200
    faults.fail_next(status=500, count=5, operation="GetOrder")
    assert get(backoffice, detail_url(order.id)).status_code == 503


@pytest.mark.parametrize("page", ["list", "order"])
def test_a_customer_missing_from_the_kept_list_is_looked_up(
    relay: RelayClient, backoffice: Client, settings: Any, page: str
) -> None:
    """Customers created in casavi since the customer list was kept still show by name."""
    assert relay.get_customers(max_age=60) == []  # kept while relay had no customers yet
    call_command("seed_sandbox", orders=30, seed=7, verbosity=0)
    casavi = RelayClient(base_url=relay.base_url, api_key=settings.RELAY_API_KEY, retries=0)
    order = pick(casavi, lambda o: o.customer_id is not None)
    customer = next(c for c in casavi.get_customers() if c.id == order.customer_id)
    url = "/orders/" if page == "list" else detail_url(order.id)
    assert html.escape(customer.name or "") in get(backoffice, url).content.decode()
