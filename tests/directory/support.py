"""Helpers the back office tests share: English requests, escaped messages, test data
created through the real client (so relay, not the database, is the source of truth)."""

import html
import re
from typing import Any

from django.test import Client
from django.utils import translation

from relaydash.relay.client import RelayClient
from relaydash.relay.records import AddressInput, CustomerInput, PropertyInput

CUSTOMER_LINK = re.compile(r'href="/customers/(\d+)/"')
PROPERTY_LINK = re.compile(r'href="/properties/(\d+)/"')


def get(client: Client, url: str, **headers: str) -> Any:
    """A GET in English, so assertions on words do not depend on the German catalog."""
    return client.get(url, headers={"Accept-Language": "en", **headers})


def post(client: Client, url: str, data: dict[str, Any], **headers: str) -> Any:
    return client.post(url, data, headers={"Accept-Language": "en", **headers})


def english(message: object, /, **values: object) -> str:
    """A message as the English page shows it (HTML-escaped), filled with `values`."""
    with translation.override("en"):
        return html.escape(str(message) % values if values else str(message))


def text(response: Any) -> str:
    return response.content.decode()


def customer_ids(response: Any) -> list[int]:
    """Customer ids linked from a page, in order, without repeats."""
    return list(dict.fromkeys(int(i) for i in CUSTOMER_LINK.findall(text(response))))


def property_ids(response: Any) -> list[int]:
    return list(dict.fromkeys(int(i) for i in PROPERTY_LINK.findall(text(response))))


def address(**overrides: str) -> AddressInput:
    values = {
        "street_address": "Lindenstraße 12",
        "postal_code": "10969",
        "locality": "Berlin",
        "country": "DE",
    }
    return AddressInput(**{**values, **overrides})


def make_customer(relay: RelayClient, name: str, **fields: Any) -> int:
    """Create a customer through relay and return its relay id (looked up by name)."""
    relay.create_customer(CustomerInput(name=name, address=address(), **fields))
    return next(c.id for c in relay.get_customers() if c.name == name and c.id is not None)


def make_properties(relay: RelayClient, count: int, *, prefix: str = "Testobjekt") -> list[PropertyInput]:
    items = [
        PropertyInput(name=f"{prefix} {i:03d}", address=address(street_address=f"Weg {i}"))
        for i in range(count)
    ]
    return relay.create_properties(items, casavi_account_id=1) if items else []


def all_properties(relay: RelayClient) -> list[Any]:
    found: list[Any] = []
    while True:
        batch = relay.get_properties(limit=500, offset=len(found))
        found += batch
        if len(batch) < 500:
            return found


def address_data(prefix: str = "address", **overrides: str) -> dict[str, str]:
    """POST data of an AddressForm with `prefix` ("" for none)."""
    values = {
        "street_address": "Lindenstraße 12",
        "postal_code": "10969",
        "locality": "Berlin",
        "country": "DE",
        "additional_info": "Hinterhaus",
        **overrides,
    }
    key = (lambda name: f"{prefix}-{name}") if prefix else (lambda name: name)
    return {key(name): value for name, value in values.items()}
