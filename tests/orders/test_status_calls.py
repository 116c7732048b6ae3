"""A status change costs two relay calls in a row (check, patch), not three, and the
no-lost-update guarantee stays: the page's next change is accepted when only its own
patch moved relay's updatedAt, and refused when someone else changed what it shows."""

import html
import re
from typing import Any
from unittest import mock

from django.test import Client

from relaydash.orders.detail_views import ORDER_CHANGED, STATUS_SAVED
from relaydash.relay.client import RelayClient
from relaydash.relay.records import OrderPatch, OrderStatus
from tests.orders.detail_support import detail_url, english, post, seen_of

SEEN_AT = re.compile(r'name="seen_updated_at" value="([^"]*)"')
SEEN_VALUES = re.compile(r'name="seen_values" value="([^"]*)"')


def seen_in(body: str) -> dict[str, str]:
    """What the swapped-in part gives the page's forms for their next patch."""
    return {
        "seen_updated_at": html.unescape(SEEN_AT.findall(body)[0]),
        "seen_values": SEEN_VALUES.findall(body)[0],
    }


def patch(client: Client, order_id: int, data: dict[str, Any]) -> Any:
    return post(client, detail_url(order_id, "patch"), data)


def open_order(relay: RelayClient) -> Any:
    return next(o for o in relay.get_orders() if o.status is OrderStatus.OPEN)


def test_a_status_change_calls_relay_twice(seeded: RelayClient, backoffice: Client) -> None:
    order = open_order(seeded)
    seen = seen_of(seeded, order.id, backoffice)
    with mock.patch.object(seeded.session, "request", wraps=seeded.session.request) as sent:
        response = patch(backoffice, order.id, {"part": "status", "status": "IN_PROGRESS", **seen})
    assert english(STATUS_SAVED, status="In progress") in response.content.decode()
    assert [call.args[0] for call in sent.call_args_list] == ["GET", "PATCH"]


def test_the_next_change_from_the_same_page_is_not_a_false_conflict(
    seeded: RelayClient, backoffice: Client
) -> None:
    order = open_order(seeded)
    first = patch(
        backoffice,
        order.id,
        {"part": "status", "status": "IN_PROGRESS", **seen_of(seeded, order.id, backoffice)},
    )
    second = patch(
        backoffice, order.id, {"part": "status", "status": "FINISHED", **seen_in(first.content.decode())}
    )
    assert second.status_code == 200
    assert english(STATUS_SAVED, status="Finished") in second.content.decode()
    assert seeded.get_order(order.id).status is OrderStatus.FINISHED


def test_someone_elses_change_in_between_is_still_a_conflict(seeded: RelayClient, backoffice: Client) -> None:
    order = open_order(seeded)
    first = patch(
        backoffice,
        order.id,
        {"part": "status", "status": "IN_PROGRESS", **seen_of(seeded, order.id, backoffice)},
    )
    seeded.patch_order(
        order.id, OrderPatch(internal_id="von woanders")
    )  # another person, the same part of the page
    second = patch(
        backoffice, order.id, {"part": "status", "status": "FINISHED", **seen_in(first.content.decode())}
    )
    assert second.status_code == 409
    assert english(ORDER_CHANGED) in second.content.decode()
    assert seeded.get_order(order.id).status is OrderStatus.IN_PROGRESS
