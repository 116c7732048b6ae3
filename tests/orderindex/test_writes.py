"""Writes through relaydash reach the order list at once, without waiting for the sync;
the order page refreshes its order's row on the way; a sync never undoes a newer write."""

import re
from typing import Any

from django.test import Client

from relaydash.orderindex.models import IndexedOrder
from relaydash.orderindex.sync import SyncResult, index_sync
from relaydash.relay.client import RelayClient
from relaydash.relay.records import OrderPatch, OrderStatus
from relaydash.sandbox import models as sandbox
from tests.orders.detail_support import detail_url, get, pick, post, seen_of

ROW_LINK = re.compile(r'id="order-link-(\d+)"')


def listed(client: Client, query: str) -> set[int]:
    return {int(i) for i in ROW_LINK.findall(get(client, f"/orders/?{query}").content.decode())}


def list_row(client: Client, order_id: int) -> str:
    page = get(client, f"/orders/?q={order_id}").content.decode()
    row = page[page.index(f'id="order-link-{order_id}"') :]
    return row[: row.index("</tr>")]


def patch(client: Client, order_id: int, data: dict[str, Any]) -> Any:
    return post(client, detail_url(order_id, "patch"), data)


def open_order(relay: RelayClient) -> Any:
    return pick(relay, lambda o: o.status is OrderStatus.OPEN and o.address is not None)


def test_a_status_change_moves_the_order_to_its_new_tab_at_once(
    seeded: RelayClient, backoffice: Client
) -> None:
    order = open_order(seeded)
    assert order.id in listed(backoffice, "status=OPEN")
    seen = seen_of(seeded, order.id, backoffice)
    assert patch(backoffice, order.id, {"part": "status", "status": "IN_PROGRESS", **seen}).status_code == 200
    assert order.id not in listed(backoffice, "status=OPEN")
    assert order.id in listed(backoffice, "status=IN_PROGRESS")


def test_due_date_internal_id_and_address_changes_show_in_the_list_at_once(
    seeded: RelayClient, backoffice: Client
) -> None:
    order = open_order(seeded)
    patch(
        backoffice,
        order.id,
        {"part": "due_date", "due_date": "2027-07-01T08:30", **seen_of(seeded, order.id, backoffice)},
    )
    assert order.id in listed(backoffice, "due_from=2027-07-01&due_to=2027-07-01")
    patch(
        backoffice,
        order.id,
        {"part": "internal_id", "internal_id": "WO-4711", **seen_of(seeded, order.id, backoffice)},
    )
    assert listed(backoffice, "q=wo-4711") == {order.id}
    address = {
        "street_address": "Kastanienallee 12",
        "postal_code": "10435",
        "locality": "Zwickau",
        "country": "DE",
        "additional_info": "",
    }
    patch(backoffice, order.id, {"part": "address", **address, **seen_of(seeded, order.id, backoffice)})
    assert order.id in listed(backoffice, "q=kastanienallee zwickau")
    assert "Zwickau" in list_row(backoffice, order.id)


def test_a_new_comment_is_counted_in_the_list_at_once(seeded: RelayClient, backoffice: Client) -> None:
    order = pick(seeded, lambda o: o.id is not None)
    before = IndexedOrder.objects.get(pk=order.id).comment_count
    response = post(backoffice, detail_url(order.id, "comments/new"), {"text": "Vor Ort erledigt."})
    assert response.status_code == 200
    assert IndexedOrder.objects.get(pk=order.id).comment_count == before + 1
    assert f'{before + 1} <span class="muted">· last ' in list_row(backoffice, order.id)


def test_the_order_page_refreshes_the_orders_row(seeded: RelayClient, backoffice: Client) -> None:
    order = open_order(seeded)
    seeded.patch_order(order.id, OrderPatch(internal_id="DIREKT-IN-RELAY"))  # not through relaydash
    assert listed(backoffice, "q=direkt-in-relay") == set()
    assert get(backoffice, detail_url(order.id)).status_code == 200
    assert listed(backoffice, "q=direkt-in-relay") == {order.id}


def test_an_order_relay_no_longer_knows_leaves_the_list_when_its_page_is_opened(
    seeded: RelayClient, backoffice: Client
) -> None:
    order = open_order(seeded)
    sandbox.Order.objects.filter(pk=order.id).delete()
    assert get(backoffice, detail_url(order.id)).status_code == 404
    assert not IndexedOrder.objects.filter(pk=order.id).exists()


def test_a_sync_that_read_relay_before_a_write_does_not_undo_it(
    seeded: RelayClient, backoffice: Client, monkeypatch: Any
) -> None:
    order = open_order(seeded)
    before_the_write = seeded.get_orders()
    seen = seen_of(seeded, order.id, backoffice)

    def get_orders_while_someone_writes() -> Any:
        patch(backoffice, order.id, {"part": "status", "status": "FINISHED", **seen})
        return before_the_write  # relay answered just before the write landed

    monkeypatch.setattr(seeded, "get_orders", get_orders_while_someone_writes)
    assert index_sync(client=seeded, force=True).result is SyncResult.DONE
    assert IndexedOrder.objects.get(pk=order.id).status == "FINISHED"
    monkeypatch.undo()
    assert index_sync(client=seeded, force=True).result is SyncResult.DONE
    assert IndexedOrder.objects.get(pk=order.id).status == "FINISHED"
