"""Every read relay offers × every way it fails, through the page that uses it, over real
HTTP: a clear relay failure (never a bare 500), and never "nothing was changed"."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from relaydash.orders.list_views import RELAY_DOWN_NOTICE
from relaydash.relay.client import RelayClient
from relaydash.sandbox import faults
from relaydash.sandbox.faults import After
from relaydash.web import RELAY_BAD_RESPONSE
from tests.orderindex.support import failed_sync

pytestmark = pytest.mark.django_db(transaction=True)

KINDS = ("500", "502", "503", "timeout", "garbage", "cut", "drop", "401", "404")


def _first_property(relay: RelayClient) -> int:
    found = relay.get_properties(limit=1, offset=0)[0].id
    assert found is not None
    return found


# Each read and a page (or in-page update) that depends on it.
PAGES: dict[str, tuple[Callable[[RelayClient], str], dict[str, str]]] = {
    "GetOrders": (lambda r: "/orders/", {}),
    "GetOrder": (lambda r: f"/orders/{r.get_orders()[0].id}/", {}),
    "GetOrderComments": (
        lambda r: f"/orders/{r.get_orders()[0].id}/comments/?after=0",
        {"HX-Request": "true"},
    ),
    "GetCustomers": (lambda r: "/customers/", {}),
    "GetProperties": (lambda r: "/properties/", {}),
    "GetProperty": (lambda r: f"/properties/{_first_property(r)}/", {}),
}


def arrange(kind: str, operation: str) -> None:
    if kind.isdigit():
        faults.fail_next(status=int(kind), count=3, operation=operation)  # reads are retried
    elif kind == "timeout":
        faults.delay_next(seconds=1.0, count=3, operation=operation)
    elif kind == "garbage":
        faults.garbage_next(operation=operation, count=3)
    else:
        faults.after_next(kind=After(kind), operation=operation, count=3)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("operation", sorted(PAGES))
def test_a_failed_read_is_a_clear_relay_failure_never_a_bare_500(
    seeded: RelayClient, backoffice: Client, settings: Any, operation: str, kind: str
) -> None:
    settings.RELAY_CACHE_ORDER_SECONDS = 0
    settings.RELAY_CACHE_CUSTOMERS_SECONDS = 0
    settings.RELAY_TIMEOUT_READ = settings.RELAY_SYNC_TIMEOUT_READ = 0.3
    url_of, headers = PAGES[operation]
    url = url_of(seeded)
    arrange(kind, operation)
    if operation == "GetOrders":
        failed_sync()  # the order list reads the order index: the sync worker meets it
    response = backoffice.get(url, headers={"Accept-Language": "en", **headers})
    body = html.unescape(response.content.decode()).casefold()
    assert response.status_code != 500
    assert "nothing was changed" not in body
    assert "something went wrong" not in body
    with translation.override("en"):
        down_notice = str(RELAY_DOWN_NOTICE).split("%", 1)[0].casefold()
        unreadable = str(RELAY_BAD_RESPONSE).casefold()
    if operation == "GetOrders":
        # The list as last synced, with a dated notice that relay fails: never an error page.
        assert response.status_code == 200 and down_notice in body
    elif kind == "garbage" and operation != "GetOrderComments":
        # relay answered 200, but not with its answer: a 200 page that says so.
        assert response.status_code == 200 and unreadable in body
    elif operation == "GetOrderComments":
        assert response.status_code >= 400  # the page keeps its comments and asks again
    elif operation == "GetCustomers" and response.status_code == 200:
        raise AssertionError("the customer list claims success")
    else:
        assert response.status_code >= 400
        assert "relay" in body
