"""Adding order fields from the detail page: the next free position, the list in
position order, permissions and relay's failures."""

import re
from collections.abc import Callable
from typing import Any

from django.test import Client

from relaydash.accounts.models import AuditEntry
from relaydash.accounts.permissions import Role
from relaydash.orders.detail_views import FIELD_ADDED
from relaydash.orders.forms import FIELD_CONTENT_REQUIRED, FIELD_NAME_REQUIRED
from relaydash.relay.client import RelayClient
from relaydash.sandbox import faults
from relaydash.web import NOTHING_CHANGED, RELAY_FAILED, RELAY_REJECTED
from tests.orders.detail_support import (
    detail_url,
    english,
    get,
    pick,
    post,
)

FIELD_NAMES = re.compile(
    r'<span class="order-fields__position">[^<]*</span> (?:<bdi>)?([^<]*)(?:</bdi>)?</dt>'
)
POSITION_VALUE = re.compile(r'name="position" value="(\d+)"')


def add(client: Client, order_id: int, data: dict[str, Any], **kwargs: Any) -> Any:
    return post(client, detail_url(order_id, "fields/new"), data, **kwargs)


def test_position_defaults_to_the_next_free_one(seeded: RelayClient, backoffice: Client) -> None:
    order = pick(seeded, lambda o: len(o.fields) >= 2)
    highest = max(int(f.position or 0) for f in order.fields)
    page = get(backoffice, f"{detail_url(order.id)}?edit=field").content.decode()
    assert POSITION_VALUE.findall(page) == [str(highest + 1)]


def test_order_without_fields_starts_at_one(seeded: RelayClient, backoffice: Client) -> None:
    order = pick(seeded, lambda o: not o.fields)
    page = get(backoffice, f"{detail_url(order.id)}?edit=field").content.decode()
    assert POSITION_VALUE.findall(page) == ["1"]
    assert "This order has no fields yet." in page


def test_added_field_appears_in_position_order(seeded: RelayClient, client_as: Callable[..., Client]) -> None:
    order = pick(seeded, lambda o: len(o.fields) >= 2)
    ordered = sorted(order.fields, key=lambda f: (f.position, f.id))
    field_user = client_as(Role.FIELD)
    response = add(field_user, order.id, {"name": "Schlüssel", "content": "Box 4711", "position": "0"})
    assert response.status_code == 200
    assert response["HX-Trigger"] == "fieldAdded"
    body = response.content.decode()
    assert english(FIELD_ADDED, name="Schlüssel") in body
    assert body.lstrip().startswith('<div id="order-field"')
    assert '<form id="field-form"' in body
    assert '<div id="field-list" class="order-fields" hx-swap-oob="true">' in body
    assert FIELD_NAMES.findall(body) == ["Schlüssel"] + [f.name for f in ordered]
    # The fresh form suggests the next free position again.
    assert POSITION_VALUE.findall(body) == [str(max(int(f.position or 0) for f in order.fields) + 1)]
    created = [f for f in seeded.get_order(order.id).fields if f.name == "Schlüssel"]
    assert len(created) == 1 and created[0].content == "Box 4711" and created[0].position == 0
    entry = AuditEntry.objects.get(operation="CreateOrderField", target_id=str(order.id))
    assert entry.summary == {"name": "Schlüssel", "content": "Box 4711", "position": 0}


def test_field_without_javascript_redirects(seeded: RelayClient, backoffice: Client) -> None:
    order = seeded.get_orders()[0]
    response = add(
        backoffice, order.id, {"name": "Zählerstand", "content": "12345", "position": "9"}, htmx=False
    )
    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.id}/#fields"
    page = get(backoffice, response["Location"]).content.decode()
    assert english(FIELD_ADDED, name="Zählerstand") in page
    assert "Zählerstand</bdi></dt>" in page


def test_missing_name_and_content_come_back(seeded: RelayClient, backoffice: Client) -> None:
    order = seeded.get_orders()[0]
    response = add(backoffice, order.id, {"name": "", "content": "", "position": "3"})
    assert response.status_code == 422
    body = response.content.decode()
    assert english(FIELD_NAME_REQUIRED) in body and english(FIELD_CONTENT_REQUIRED) in body
    assert 'value="3"' in body


def test_viewer_cannot_add_fields(seeded: RelayClient, client_as: Callable[..., Client]) -> None:
    order = seeded.get_orders()[0]
    response = add(client_as(Role.VIEWER), order.id, {"name": "x", "content": "y", "position": "1"})
    assert response.status_code == 403
    assert not any(f.name == "x" for f in seeded.get_order(order.id).fields)


def test_relay_failure_keeps_the_input(seeded: RelayClient, backoffice: Client) -> None:
    order = seeded.get_orders()[0]
    faults.fail_next(status=503, operation="CreateOrderField")
    response = add(backoffice, order.id, {"name": "Notiz", "content": "Hund im Hof", "position": "5"})
    assert response.status_code == 503
    body = response.content.decode()
    assert english(RELAY_FAILED, status=503) in body
    assert english(NOTHING_CHANGED) in body
    assert 'value="Notiz"' in body and "Hund im Hof</textarea>" in body
    assert not any(f.name == "Notiz" for f in seeded.get_order(order.id).fields)


def test_relay_refusal_shows_relays_message(seeded: RelayClient, backoffice: Client) -> None:
    order = seeded.get_orders()[0]
    faults.fail_next(
        status=400, operation="CreateOrderField", body=b'{"message":"position must be a number"}'
    )
    response = add(backoffice, order.id, {"name": "Notiz", "content": "x", "position": "5"})
    assert response.status_code == 422
    assert english(RELAY_REJECTED, message="position must be a number") in response.content.decode()
