"""The sync worker over the sandbox relay: what it writes, what it leaves, the lock, the
tolerance for one unreadable order, and the worker loop (`manage.py sync_orders`)."""

import datetime as dt
import io
import logging
import threading
import time
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from relaydash.orderindex.models import IndexedCustomer, IndexedOrder, SyncState
from relaydash.orderindex.sync import (
    ADVISORY_LOCK_KEY,
    SyncResult,
    index_sync,
    index_sync_status,
    sync_lock,
)
from relaydash.relay.client import RelayClient
from relaydash.relay.records import Order, OrderPatch, OrderStatus
from relaydash.sandbox import faults
from relaydash.sandbox import models as sandbox
from tests.orderindex.support import sync


def written_at() -> dict[int, Any]:
    return dict(IndexedOrder.objects.values_list("id", "indexed_at"))


def test_first_sync_indexes_every_order_and_customer(seeded: RelayClient) -> None:
    orders = seeded.get_orders()
    assert IndexedOrder.objects.count() == len(orders)
    assert set(IndexedOrder.objects.values_list("id", flat=True)) == {o.id for o in orders}
    names = {c.id: c.name or "" for c in seeded.get_customers() if c.id is not None}
    assert dict(IndexedCustomer.objects.values_list("id", "name")) == names
    target = next(o for o in orders if o.customer_id and o.address and o.comments)
    row = IndexedOrder.objects.get(pk=target.id)
    assert row.as_order().title == target.title
    assert row.status == target.status_text
    assert row.customer_name == names[target.customer_id]
    assert row.comment_count == len(target.comments)
    assert row.locality == target.address.locality  # type: ignore[union-attr]
    status = index_sync_status()
    assert status.filled and not status.failing and status.orders == len(orders)


def test_a_sync_writes_only_the_orders_that_changed(seeded: RelayClient) -> None:
    before = written_at()
    target = seeded.get_orders()[0]
    assert target.id is not None
    seeded.patch_order(target.id, OrderPatch(internal_id="AUF-GEAENDERT-1"))
    out = io.StringIO()
    call_command("sync_orders", once=True, stdout=out)
    assert "1 changed" in out.getvalue()
    after = written_at()
    assert after[target.id] > before[target.id]
    assert {i for i in after if after[i] != before[i]} == {target.id}
    assert IndexedOrder.objects.get(pk=target.id).internal_id == "AUF-GEAENDERT-1"
    assert SyncState.objects.get().written == 1


def test_a_sync_with_nothing_changed_writes_nothing(seeded: RelayClient) -> None:
    before = written_at()
    sync()
    assert written_at() == before
    assert SyncState.objects.get().written == 0


def test_orders_relay_no_longer_returns_are_removed(seeded: RelayClient) -> None:
    gone = seeded.get_orders()[-1].id
    sandbox.Order.objects.filter(pk=gone).delete()
    sync()
    assert not IndexedOrder.objects.filter(pk=gone).exists()
    assert IndexedOrder.objects.count() == len(seeded.get_orders())


def test_a_renamed_customer_reaches_its_orders(seeded: RelayClient) -> None:
    row = IndexedOrder.objects.exclude(customer_id=None).first()
    assert row is not None
    sandbox.Customer.objects.filter(pk=row.customer_id).update(name="Neuer Name Hausverwaltung")
    sync()
    assert IndexedOrder.objects.get(pk=row.pk).customer_name == "Neuer Name Hausverwaltung"
    assert "neuer name hausverwaltung" in IndexedOrder.objects.get(pk=row.pk).search_text


def test_relay_down_keeps_the_index_and_records_since_when(seeded: RelayClient) -> None:
    before = written_at()
    faults.fail_next(status=503, count=5, operation="GetOrders")
    started = timezone.now()
    outcome = index_sync(client=seeded, force=True)
    assert outcome.result is SyncResult.FAILED
    assert written_at() == before
    status = index_sync_status()
    assert status.failing and status.failing_since is not None and status.failing_since >= started
    assert status.last_success_at is not None and status.last_success_at < started
    faults.clear()
    # A second failure keeps the first failure's time; a good sync clears it.
    faults.fail_next(status=503, count=5, operation="GetOrders")
    index_sync(client=seeded, force=True)
    assert index_sync_status().failing_since == status.failing_since
    faults.clear()
    assert index_sync(client=seeded, force=True).result is SyncResult.DONE
    assert not index_sync_status().failing


# --- One sync at a time, one per interval ----------------------------------------------------


def _hold_lock_in_another_connection(held: threading.Event, release: threading.Event) -> threading.Thread:
    """Another worker: takes the lock on its own database connection and keeps it."""

    def worker() -> None:
        try:
            with sync_lock() as got:
                assert got
                held.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    assert held.wait(10), "the other worker did not get the lock"
    return thread


@pytest.mark.django_db(transaction=True)
def test_a_second_sync_while_one_runs_skips_and_relay_is_asked_once(
    relay: RelayClient, caplog: pytest.LogCaptureFixture
) -> None:
    call_command("seed_sandbox", orders=30, seed=7, verbosity=0)
    caplog.set_level(logging.INFO, logger="relaydash.relay")
    held, release = threading.Event(), threading.Event()
    other = _hold_lock_in_another_connection(held, release)
    try:
        out = io.StringIO()
        call_command("sync_orders", once=True, stdout=out)
        assert "another worker is syncing; skipped" in out.getvalue()
        assert index_sync(client=relay, force=True).result is SyncResult.BUSY
        assert IndexedOrder.objects.count() == 0
        assert not any("GetOrders" in r.getMessage() for r in caplog.records)
    finally:
        release.set()
        other.join(10)
    # Once the other worker let go, the next sync runs.
    assert index_sync(client=relay, force=True).result is SyncResult.DONE
    assert IndexedOrder.objects.count() == 30


@pytest.mark.django_db(transaction=True)
def test_two_syncs_started_together_read_relay_once(
    relay: RelayClient, caplog: pytest.LogCaptureFixture
) -> None:
    call_command("seed_sandbox", orders=30, seed=7, verbosity=0)
    caplog.set_level(logging.INFO, logger="relaydash.relay")
    faults.delay_next(seconds=1.0, operation="GetOrders")  # the first sync is still reading
    results: list[SyncResult] = []

    def worker() -> None:
        try:
            results.append(index_sync(client=relay).result)
        finally:
            connection.close()

    first = threading.Thread(target=worker)
    first.start()
    time.sleep(0.3)
    second = index_sync(client=relay).result
    first.join(20)
    assert sorted([*results, second]) == sorted([SyncResult.DONE, SyncResult.BUSY])
    assert sum("GetOrders" in r.getMessage() for r in caplog.records) == 1
    # Right after it, another worker's turn has not come yet: relay is not asked again.
    assert index_sync(client=relay).result is SyncResult.RECENT
    assert sum("GetOrders" in r.getMessage() for r in caplog.records) == 1


@pytest.mark.django_db(transaction=True)
def test_a_lock_left_by_a_dead_worker_does_not_block_the_next(relay: RelayClient) -> None:
    call_command("seed_sandbox", orders=5, seed=7, verbosity=0)
    index_sync_status()  # the state row exists
    if connection.vendor == "postgresql":
        # A worker that dies holds an advisory lock on a connection the server then drops.
        def dying_worker() -> None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
            connection.close()

        thread = threading.Thread(target=dying_worker)
        thread.start()
        thread.join(10)
    else:
        # A worker that dies leaves its lease, which runs out.
        SyncState.objects.filter(pk=1).update(
            lease_holder="dead", lease_until=timezone.now() - dt.timedelta(seconds=1)
        )
    assert index_sync(client=relay, force=True).result is SyncResult.DONE


# --- Tolerance ------------------------------------------------------------------------------


class _Skipped:
    def __init__(self, record_id: str) -> None:
        self.operation, self.record_id, self.field, self.reason = "GetOrders", record_id, "$.taskId", "bad"


class _Listing(list[Order]):
    """What the client's GetOrders gives when it could not read some orders."""

    skipped: tuple[_Skipped, ...] = ()


def test_an_order_relay_sends_unreadable_is_skipped_logged_and_counted(
    seeded: RelayClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    orders = seeded.get_orders()
    bad = orders[0]
    assert bad.id is not None
    seeded.patch_order(orders[1].id or 0, OrderPatch(status=OrderStatus.DECLINED))
    fresh = seeded.get_orders()
    listing = _Listing([o for o in fresh if o.id != bad.id])
    listing.skipped = (_Skipped(str(bad.id)),)
    monkeypatch.setattr(seeded, "get_orders", lambda: listing)
    with caplog.at_level(logging.WARNING, logger="relaydash.orderindex"):
        outcome = index_sync(client=seeded, force=True)
    assert outcome.result is SyncResult.DONE and outcome.skipped == 1
    assert any(str(bad.id) in r.getMessage() and "skipped" in r.getMessage() for r in caplog.records)
    # The rest is indexed (the change made it), and the unreadable order keeps its last row.
    assert IndexedOrder.objects.get(pk=orders[1].id).status == "DECLINED"
    assert IndexedOrder.objects.filter(pk=bad.id).exists()
    status = index_sync_status()
    assert status.skipped == 1
    assert status.skipped_detail[0]["record_id"] == str(bad.id)


# --- The list is filled before it is first shown -------------------------------------------------


def test_the_first_list_view_fills_an_empty_index(relay: RelayClient, backoffice: Client) -> None:
    call_command("seed_sandbox", orders=12, seed=5, verbosity=0)
    assert not index_sync_status().filled
    response = backoffice.get("/orders/", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert response.content.decode().count('id="order-link-') == 12
    assert index_sync_status().filled


def test_the_worker_loop_syncs_until_stopped(seeded: RelayClient, settings: Any) -> None:
    """`sync_orders` without --once: a loop that a stop signal ends between rounds."""
    import signal

    from relaydash.orderindex.management.commands import sync_orders

    settings.RELAY_SYNC_SECONDS = 0.2
    target = seeded.get_orders()[2]
    seeded.patch_order(target.id or 0, OrderPatch(internal_id="IM-LAUF"))
    handlers: dict[int, Any] = {}
    monkey = pytest.MonkeyPatch()
    monkey.setattr(sync_orders.signal, "signal", lambda num, fn: handlers.__setitem__(num, fn))
    timer = threading.Timer(1.5, lambda: handlers[signal.SIGTERM](signal.SIGTERM, None))
    timer.start()
    try:
        call_command("sync_orders", verbosity=0)
    finally:
        timer.cancel()
        monkey.undo()
    assert IndexedOrder.objects.get(pk=target.id).internal_id == "IM-LAUF"
