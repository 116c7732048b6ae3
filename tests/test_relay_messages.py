"""What people read when relay fails: relay failing (it answered with an error) is not
relay out of reach, a failed read never claims "nothing was changed", and a cut answer
to a page's read is a relay failure page, never a bare 500. Over real HTTP."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from relaydash.relay.client import RelayClient
from relaydash.sandbox import faults
from relaydash.sandbox.faults import After
from relaydash.web import NOTHING_CHANGED, RELAY_FAILED, RELAY_TIMED_OUT, RELAY_UNAVAILABLE

pytestmark = pytest.mark.django_db(transaction=True)


def english(message: object, **values: object) -> str:
    with translation.override("en"):
        return html.escape(str(message) % values if values else str(message))


def page(client: Client, url: str, **headers: str) -> Any:
    return client.get(url, headers={"Accept-Language": "en", **headers})


def no_nothing_changed(body: str) -> None:
    assert english(NOTHING_CHANGED) not in body
    assert "nothing was changed" not in html.unescape(body).casefold()


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_read_relay_answers_with_an_error_says_relay_failed_not_unreachable(
    seeded: RelayClient, backoffice: Client, status: int
) -> None:
    # The customer list reads relay on every view (the order list reads the order index,
    # whose relay-down notice tests/orders/test_list_views.py covers).
    faults.fail_next(status=status, count=3, operation="GetCustomers")
    response = page(backoffice, "/customers/")
    body = response.content.decode()
    assert english(RELAY_FAILED, status=status) in body
    assert english(RELAY_UNAVAILABLE) not in body
    no_nothing_changed(body)


def test_a_read_that_times_out_offers_to_try_again(
    seeded: RelayClient, backoffice: Client, settings: Any
) -> None:
    order = seeded.get_orders()[0]
    settings.RELAY_TIMEOUT_READ = 0.3
    faults.delay_next(seconds=1.0, operation="GetOrder")
    response = page(backoffice, f"/orders/{order.id}/")
    body = response.content.decode()
    assert response.status_code == 503
    assert english(RELAY_TIMED_OUT) in body
    no_nothing_changed(body)


@pytest.mark.parametrize("kind", [After.CUT, After.DROP])
@pytest.mark.parametrize("operation", ["GetCustomers", "GetOrder"])
def test_a_cut_or_dropped_read_shows_the_relay_failure_never_a_bare_500(
    seeded: RelayClient, backoffice: Client, operation: str, kind: After
) -> None:
    order = seeded.get_orders()[0]
    url = "/customers/" if operation == "GetCustomers" else f"/orders/{order.id}/"
    faults.after_next(kind=kind, operation=operation, count=3)  # the client retries a dropped read
    response = page(backoffice, url)
    body = response.content.decode()
    assert response.status_code in (502, 503)
    assert english(RELAY_UNAVAILABLE) in body
    no_nothing_changed(body)


def test_a_status_change_whose_check_read_is_cut_says_relay_failed_in_the_form(
    seeded: RelayClient, backoffice: Client
) -> None:
    order = next(o for o in seeded.get_orders() if o.status_text == "OPEN")
    detail = page(backoffice, f"/orders/{order.id}/").content.decode()
    seen_at = html.unescape(re.findall(r'name="seen_updated_at" value="([^"]*)"', detail)[0])
    seen_values = re.findall(r'name="seen_values" value="([^"]*)"', detail)[0]
    faults.after_next(kind=After.CUT, operation="GetOrder", count=3)
    response = backoffice.post(
        f"/orders/{order.id}/patch/",
        {"part": "status", "status": "IN_PROGRESS", "seen_updated_at": seen_at, "seen_values": seen_values},
        headers={"Accept-Language": "en", "HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 503
    assert response["X-Relaydash-Form"] == "error"
    assert english(RELAY_UNAVAILABLE) in body  # the check could not be read: nothing was sent
    assert english(NOTHING_CHANGED) in body
    faults.clear()
    assert seeded.get_order(order.id).status_text == "OPEN"
