"""Kept relay answers (relaydash.relay.cache) as callers of RelayClient see them, over
mocked HTTP (`responses`): what costs a relay call, what never comes from the cache, and
what happens when the cache itself fails.

The page-level behaviour over the real sandbox is in tests/orders/test_detail_cache.py.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import responses
from django.core.cache.backends.locmem import LocMemCache

from relaydash.relay.cache import ReadCache, order_topic
from relaydash.relay.client import RelayClient, get_client
from relaydash.relay.errors import Unavailable
from relaydash.relay.records import CustomerInput, OrderFieldInput, OrderPatch, OrderStatus

BASE = "https://relay.test/api/v1"
KEY = "s3cret-key-value"
ORDER_7 = {"id": 7, "title": "Heizung prüfen", "status": "OPEN", "updatedAt": "2026-11-27T10:00:00+01:00"}
ORDER_8 = {"id": 8, "title": "Zähler ablesen", "status": "OPEN"}
CUSTOMERS = {"customers": [{"id": 3, "name": "Hausverwaltung Nord"}]}


class Clock:
    """Wall-clock time the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def tick(self, seconds: float = 0.001) -> None:
        self.now += seconds


class BrokenCache(LocMemCache):
    """A cache backend that is down (like Redis unreachable)."""

    def get_many(self, keys: Any, version: Any = None) -> dict[str, Any]:
        raise ConnectionError("cache is down")

    def set(self, *args: Any, **kwargs: Any) -> None:
        raise ConnectionError("cache is down")


def backend(name: str = "relay-cache-test") -> LocMemCache:
    store = LocMemCache(name, {})
    store.clear()
    return store


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(clock: Clock) -> RelayClient:
    cache = ReadCache(backend(), base_url=BASE, api_key=KEY, keep_seconds=60, clock=clock)
    return RelayClient(base_url=BASE, api_key=KEY, retries=0, backoff=0, cache=cache)


def serve_order(rsps: responses.RequestsMock, order: dict[str, Any] = ORDER_7) -> responses.BaseResponse:
    return rsps.get(f"{BASE}/orders/{order['id']}", json=order)


def calls_to(rsps: responses.RequestsMock, path: str) -> int:
    """How many reads (GETs) of `path` reached relay."""
    return sum(
        1 for call in rsps.calls if call.request.method == "GET" and call.request.url == f"{BASE}{path}"
    )


def test_a_recent_answer_is_served_without_asking_relay(
    rsps: responses.RequestsMock, client: RelayClient, clock: Clock
) -> None:
    serve_order(rsps)
    first = client.get_order(7, max_age=30)
    clock.tick(29)
    second = client.get_order(7, max_age=30)
    assert second == first and second.title == "Heizung prüfen"
    assert calls_to(rsps, "/orders/7") == 1


def test_an_answer_older_than_asked_for_is_read_again(
    rsps: responses.RequestsMock, client: RelayClient, clock: Clock
) -> None:
    serve_order(rsps)
    client.get_order(7, max_age=30)
    clock.tick(31)
    client.get_order(7, max_age=30)
    assert calls_to(rsps, "/orders/7") == 2


def test_the_default_always_asks_relay_and_keeps_the_answer_for_others(
    rsps: responses.RequestsMock, client: RelayClient, clock: Clock
) -> None:
    serve_order(rsps)
    client.get_order(7)
    client.get_order(7)
    assert calls_to(rsps, "/orders/7") == 2
    clock.tick(1)
    client.get_order(7, max_age=30)
    assert calls_to(rsps, "/orders/7") == 2


def test_failed_reads_are_not_kept(rsps: responses.RequestsMock, client: RelayClient) -> None:
    rsps.get(f"{BASE}/orders/7", status=500, json={"message": "boom"})
    with pytest.raises(Unavailable):
        client.get_order(7, max_age=30)
    rsps.replace(responses.GET, f"{BASE}/orders/7", json=ORDER_7)
    assert client.get_order(7, max_age=30).title == "Heizung prüfen"


def _patch(client: RelayClient) -> None:
    client.patch_order(7, OrderPatch(status=OrderStatus.IN_PROGRESS))


def _comment(client: RelayClient) -> None:
    client.create_order_comment(7, text="Erledigt", author_name="Erika", files=[])


def _field(client: RelayClient) -> None:
    client.create_order_field(OrderFieldInput(name="Zähler", content="123", position=1, order_id=7))


@pytest.mark.parametrize("write", [_patch, _comment, _field], ids=["patch", "comment", "field"])
def test_a_write_to_the_order_makes_the_next_read_ask_relay(
    rsps: responses.RequestsMock, client: RelayClient, clock: Clock, write: Any
) -> None:
    serve_order(rsps)
    rsps.patch(f"{BASE}/orders/7", json=0)
    rsps.post(f"{BASE}/orders/7/comments", json={"id": 99})
    rsps.post(f"{BASE}/order-fields", json={"name": "Zähler", "content": "123", "position": 1, "orderId": 7})
    client.get_order(7, max_age=30)
    clock.tick()
    write(client)
    clock.tick()
    client.get_order(7, max_age=30)
    assert calls_to(rsps, "/orders/7") == 2


def test_a_failed_write_still_counts_as_a_change(
    rsps: responses.RequestsMock, client: RelayClient, clock: Clock
) -> None:
    """A write that timed out or failed may have taken effect in relay."""
    serve_order(rsps)
    rsps.patch(f"{BASE}/orders/7", status=504, json={"message": "gateway timeout"})
    client.get_order(7, max_age=30)
    clock.tick()
    with pytest.raises(Unavailable):
        _patch(client)
    clock.tick()
    client.get_order(7, max_age=30)
    assert calls_to(rsps, "/orders/7") == 2


def test_a_write_to_one_order_leaves_the_others_kept(
    rsps: responses.RequestsMock, client: RelayClient, clock: Clock
) -> None:
    serve_order(rsps, ORDER_7)
    serve_order(rsps, ORDER_8)
    rsps.patch(f"{BASE}/orders/7", json=0)
    client.get_order(8, max_age=30)
    clock.tick()
    _patch(client)
    client.get_order(8, max_age=30)
    assert calls_to(rsps, "/orders/8") == 1


def test_creating_a_customer_makes_the_customer_list_read_again(
    rsps: responses.RequestsMock, client: RelayClient, clock: Clock
) -> None:
    rsps.get(f"{BASE}/customers", json=CUSTOMERS)
    rsps.post(f"{BASE}/customers", json={"customer": {"name": "Neu"}})
    assert [c.name for c in client.get_customers(max_age=60)] == ["Hausverwaltung Nord"]
    client.get_customers(max_age=60)
    assert calls_to(rsps, "/customers") == 1
    clock.tick()
    client.create_customer(CustomerInput(name="Neu"))
    clock.tick()
    client.get_customers(max_age=60)
    assert calls_to(rsps, "/customers") == 2


def test_a_read_that_raced_a_write_is_never_served(clock: Clock) -> None:
    """A slow read started before a write and stored after it holds the old order."""
    cache = ReadCache(backend(), base_url=BASE, api_key=KEY, keep_seconds=60, clock=clock)
    started = clock()
    clock.tick()
    cache.written(order_topic(7))
    clock.tick()
    cache.put(order_topic(7), json.dumps(ORDER_7).encode(), started=started)
    assert cache.get(order_topic(7), max_age=30) is None
    # A read that starts after the write is served.
    cache.put(order_topic(7), b"{}", started=clock())
    clock.tick()
    assert cache.get(order_topic(7), max_age=30) == b"{}"


def test_other_relays_and_other_keys_never_share_answers(rsps: responses.RequestsMock, clock: Clock) -> None:
    shared = backend()
    other_base = "https://other-relay.test/api/v1"
    rsps.get(f"{BASE}/orders/7", json=ORDER_7)
    rsps.get(f"{other_base}/orders/7", json={**ORDER_7, "title": "Andere Firma"})

    def client_for(base: str, key: str) -> RelayClient:
        cache = ReadCache(shared, base_url=base, api_key=key, keep_seconds=60, clock=clock)
        return RelayClient(base_url=base, api_key=key, retries=0, cache=cache)

    assert client_for(BASE, KEY).get_order(7, max_age=30).title == "Heizung prüfen"
    assert client_for(other_base, KEY).get_order(7, max_age=30).title == "Andere Firma"
    client_for(BASE, "another-company-key").get_order(7, max_age=30)
    assert calls_to(rsps, "/orders/7") == 2


def test_a_cache_that_is_down_means_asking_relay(
    rsps: responses.RequestsMock, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    cache = ReadCache(BrokenCache("broken", {}), base_url=BASE, api_key=KEY, keep_seconds=60, clock=clock)
    client = RelayClient(base_url=BASE, api_key=KEY, retries=0, cache=cache)
    serve_order(rsps)
    rsps.patch(f"{BASE}/orders/7", json=0)
    with caplog.at_level(logging.WARNING, logger="relaydash.relay"):
        assert client.get_order(7, max_age=30).title == "Heizung prüfen"
        assert client.get_order(7, max_age=30).title == "Heizung prüfen"
        _patch(client)
    assert calls_to(rsps, "/orders/7") == 2
    assert "relay cache: reading order:7 failed" in caplog.text
    assert "relay cache: storing order:7 failed" in caplog.text
    assert "relay cache: marking order:7 as changed failed" in caplog.text


def test_a_kept_answer_that_no_longer_decodes_is_read_again(
    rsps: responses.RequestsMock, clock: Clock
) -> None:
    cache = ReadCache(backend(), base_url=BASE, api_key=KEY, keep_seconds=60, clock=clock)
    client = RelayClient(base_url=BASE, api_key=KEY, retries=0, cache=cache)
    cache.put(order_topic(7), b"<html>not an order</html>", started=clock())
    clock.tick()
    serve_order(rsps)
    assert client.get_order(7, max_age=30).title == "Heizung prüfen"
    assert calls_to(rsps, "/orders/7") == 1


def test_settings_turn_keeping_answers_off(settings: Any) -> None:
    settings.RELAY_API_URL = "https://relay.test/off/api/v1"
    settings.RELAY_CACHE_ORDER_SECONDS = 0
    settings.RELAY_CACHE_CUSTOMERS_SECONDS = 0
    assert get_client().cache is None
    settings.RELAY_CACHE_ORDER_SECONDS = 30
    assert get_client().cache is not None
