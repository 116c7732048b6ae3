"""Helpers the order detail tests share: requests in English, htmx headers, and picking
orders with the traits a test needs from the seeded sandbox (through the client, not
through the page's own selectors)."""

import html
import re
from collections.abc import Callable
from typing import Any

from django.test import Client
from django.utils import translation

from relaydash.relay.client import RelayClient
from relaydash.relay.records import Order

HTMX = {"HX-Request": "true"}
SEEN = re.compile(r'name="seen_updated_at" value="([^"]*)"')
SEEN_VALUES = re.compile(r'name="seen_values" value="([^"]*)"')


def get(client: Client, url: str, **headers: str) -> Any:
    """A GET in English, so assertions on words do not depend on the German catalog."""
    return client.get(url, headers={"Accept-Language": "en", **headers})


def post(client: Client, url: str, data: dict[str, Any], *, htmx: bool = True, **headers: str) -> Any:
    extra = {"Accept-Language": "en", **(HTMX if htmx else {}), **headers}
    return client.post(url, data, headers=extra)


def english(message: object, /, **values: object) -> str:
    """A message constant as the English page prints it (escaped like the template)."""
    with translation.override("en"):
        text = str(message) % values if values else str(message)
    return html.escape(text)


def pick(relay: RelayClient, test: Callable[[Order], bool]) -> Order:
    return next(o for o in relay.get_orders() if test(o))


def seen_of(relay: RelayClient, order_id: int, client: Client) -> dict[str, str]:
    """The hidden "what I saw" values a fresh detail page gives its patch forms."""
    page = get(client, f"/orders/{order_id}/").content.decode()
    return {
        "seen_updated_at": html.unescape(SEEN.findall(page)[0]),
        "seen_values": SEEN_VALUES.findall(page)[0],
    }


def detail_url(order_id: int, action: str = "") -> str:
    return f"/orders/{order_id}/{action + '/' if action else ''}"
