"""Keeping the order index fresh: one sync for the whole deployment, and writes at once.

The sync reads GetOrders (and GetCustomers, for the names the list shows and searches),
decodes it once, and writes only the rows whose content hash changed, in batches, removing
the orders relay no longer returns. The database is the coordinator: a lock in it makes
one sync run at a time however many workers and app servers there are (PostgreSQL's
session advisory lock, released by the database if the worker dies; elsewhere a lease on
the SyncState row taken with one conditional UPDATE), and the time the last sync started,
kept in the same database, makes the others wait their turn, so relay sees one GetOrders
per RELAY_SYNC_SECONDS in total.

Writes through relaydash (a status change, a new comment) update their row at once
(`index_refresh_order`, `index_note_comment`), so nobody sees their own change vanish
until the next sync. A sync never overwrites a row written after its GetOrders was
asked: that row is newer than the sync's answer.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from relaydash.orderindex.models import IndexedCustomer, IndexedOrder, SyncState
from relaydash.orderindex.rows import CONTENT_FIELDS, content_hash, row_values
from relaydash.relay.client import RelayClient
from relaydash.relay.errors import RelayError
from relaydash.relay.records import Customer, Order, Skipped

logger = logging.getLogger("relaydash.orderindex")

BATCH_SIZE: Final = 500
# The key of the PostgreSQL advisory lock (any constant bigint all workers share).
ADVISORY_LOCK_KEY: Final = 0x52454C4159_01  # "RELAY" 1
# How long a lease (databases without advisory locks) holds before others may take it
# over: a worker that died mid-sync blocks the others no longer than this. Renewed
# between the phases of a sync.
LEASE: Final = dt.timedelta(minutes=5)
# How long a list view waits for another process's first fill of an empty index.
FIRST_FILL_WAIT_SECONDS: Final = 120.0
_WRITE_FIELDS: Final = (*CONTENT_FIELDS, "content_hash", "indexed_at")


class SyncResult(StrEnum):
    DONE = "done"  # relay was read and the index updated
    FAILED = "failed"  # relay could not be read; the index keeps its last state
    BUSY = "busy"  # another worker is syncing right now
    RECENT = "recent"  # another worker synced less than RELAY_SYNC_SECONDS ago


@dataclass(frozen=True, kw_only=True)
class SyncOutcome:
    result: SyncResult
    orders: int = 0
    created: int = 0
    updated: int = 0
    removed: int = 0
    skipped: int = 0
    error: str = ""
    seconds: float = 0.0

    @property
    def written(self) -> int:
        return self.created + self.updated + self.removed


@dataclass(frozen=True, kw_only=True)
class SyncStatus:
    """How the sync stands, for the list's "as of" notice and for /readyz."""

    last_success_at: dt.datetime | None  # when the GetOrders behind the index was asked
    last_started_at: dt.datetime | None
    last_error: str  # empty when the last attempt succeeded
    failing_since: dt.datetime | None  # first failed attempt since the last good sync
    orders: int
    skipped: int  # orders the last good sync could not index (see skipped_detail)
    skipped_detail: list[dict[str, Any]] = field(default_factory=list)

    @property
    def filled(self) -> bool:
        return self.last_success_at is not None

    @property
    def failing(self) -> bool:
        return bool(self.last_error)

    def age(self, now: dt.datetime) -> dt.timedelta | None:
        """How old the index is (None: never filled)."""
        return now - self.last_success_at if self.last_success_at is not None else None

    def skipped_records(self) -> tuple[Skipped, ...]:
        """The orders the last good sync could not read, as the one skipped-records notice
        takes them (the detail is kept for the first 100; the count is exact)."""
        named = [
            Skipped(
                operation="GetOrders",
                record_id=None if e.get("record_id") is None else str(e["record_id"]),
                field=str(e.get("field") or ""),
                reason=str(e.get("reason") or ""),
            )
            for e in self.skipped_detail
        ]
        unnamed = Skipped(operation="GetOrders", record_id=None, field="", reason="")
        return (*named, *[unnamed] * max(0, self.skipped - len(named)))

    def stale(self, now: dt.datetime) -> bool:
        """True when no sync succeeded for three intervals (the worker may not run)."""
        age = self.age(now)
        limit = dt.timedelta(seconds=3 * float(settings.RELAY_SYNC_SECONDS) + 60)
        return age is not None and age > limit


def _state() -> SyncState:
    try:
        state, _created = SyncState.objects.get_or_create(pk=1)
    except IntegrityError:  # another process made the row at the same moment
        state = SyncState.objects.get(pk=1)
    return state


def index_sync_status() -> SyncStatus:
    """The sync's state: last successful sync, last error, skipped orders (one query)."""
    state = _state()
    return SyncStatus(
        last_success_at=state.last_success_at,
        last_started_at=state.last_started_at,
        last_error=state.last_error,
        failing_since=state.failing_since,
        orders=state.orders,
        skipped=state.skipped,
        skipped_detail=list(state.skipped_detail or []),
    )


# --- The lock -----------------------------------------------------------------------


@contextmanager
def sync_lock() -> Iterator[bool]:
    """Yield True when this process holds the deployment's sync lock, False when
    another holds it. Never waits."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
            held = bool(cursor.fetchone()[0])
        try:
            yield held
        finally:
            if held:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])
        return
    _state()
    token = uuid.uuid4().hex
    now = timezone.now()
    held = bool(
        SyncState.objects.filter(pk=1)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_holder=token, lease_until=now + LEASE)
    )
    try:
        yield held
    finally:
        if held:
            SyncState.objects.filter(pk=1, lease_holder=token).update(lease_holder="", lease_until=None)


def _renew_lease() -> None:
    if connection.vendor != "postgresql":
        SyncState.objects.filter(pk=1).exclude(lease_holder="").update(lease_until=timezone.now() + LEASE)


# --- The sync -----------------------------------------------------------------------


def index_sync(*, client: RelayClient, force: bool = False) -> SyncOutcome:
    """One sync, unless another worker is syncing (BUSY) or synced less than
    RELAY_SYNC_SECONDS ago (RECENT; `force` syncs anyway). A relay failure is recorded
    (the index keeps its last state) and returned as FAILED, never raised."""
    with sync_lock() as held:
        if not held:
            return SyncOutcome(result=SyncResult.BUSY)
        started = timezone.now()
        interval = dt.timedelta(seconds=max(float(settings.RELAY_SYNC_SECONDS) - 1.0, 0.0))
        last = _state().last_started_at  # (made here on PostgreSQL: its lock needs no row)
        if not force and last is not None and started - last < interval:
            return SyncOutcome(result=SyncResult.RECENT)
        SyncState.objects.filter(pk=1).update(last_started_at=started)
        clock = time.perf_counter()
        try:
            orders = client.get_orders()
            customers = client.get_customers()
        except RelayError as error:
            return _failed(error, started=started, seconds=time.perf_counter() - clock)
        _renew_lease()
        outcome = _apply(orders=orders, customers=customers, started=started, clock=clock)
    logger.info(
        "order index: %d orders, %d new, %d changed, %d removed, %d skipped in %.1f s",
        outcome.orders,
        outcome.created,
        outcome.updated,
        outcome.removed,
        outcome.skipped,
        outcome.seconds,
    )
    return outcome


def _failed(error: RelayError, *, started: dt.datetime, seconds: float) -> SyncOutcome:
    message = str(error) or type(error).__name__
    logger.warning("order index: relay could not be read (%s); the list shows its last state", message)
    state = _state()
    state.last_error = message
    state.failing_since = state.failing_since or started
    state.save(update_fields=["last_error", "failing_since"])
    return SyncOutcome(result=SyncResult.FAILED, error=message, seconds=seconds)


def _skipped_entries(orders: Sequence[Order]) -> list[dict[str, Any]]:
    """The orders the client could not decode (its Listing's `.skipped`), logged by id."""
    entries: list[dict[str, Any]] = []
    for item in getattr(orders, "skipped", ()):
        entry = {
            "record_id": getattr(item, "record_id", None),
            "field": getattr(item, "field", None),
            "reason": str(getattr(item, "reason", item)),
        }
        logger.warning(
            "order index: order %s skipped, relay sent it in a shape we cannot read (%s)",
            entry["record_id"],
            entry["reason"],
        )
        entries.append(entry)
    return entries


def _apply(
    *, orders: Sequence[Order], customers: Sequence[Customer], started: dt.datetime, clock: float
) -> SyncOutcome:
    """Write what changed between relay's answer and the index, in one transaction."""
    skipped = _skipped_entries(orders)
    # A row of an order relay sent but we could not read stays as it was.
    keep = {int(e["record_id"]) for e in skipped if str(e["record_id"] or "").strip().isdigit()}
    names = {c.id: c.name or "" for c in customers if c.id is not None}
    existing = dict(IndexedOrder.objects.values_list("id", "content_hash"))
    # Rows written by a write through relaydash after GetOrders was asked are newer.
    newer = set(IndexedOrder.objects.filter(indexed_at__gte=started).values_list("id", flat=True))
    now = timezone.now()
    seen: set[int] = set()
    created: list[IndexedOrder] = []
    changed: list[IndexedOrder] = []
    for order in orders:
        if order.id is None:
            logger.warning("order index: an order without an id was skipped (title %r)", order.title)
            skipped.append({"record_id": None, "field": "id", "reason": "no id"})
            continue
        if order.id in seen:
            continue
        seen.add(order.id)
        values = row_values(order, customer_name=names.get(order.customer_id or -1, ""))
        digest = content_hash(values)
        old = existing.get(order.id)
        if old == digest or order.id in newer:
            continue
        row = IndexedOrder(id=order.id, content_hash=digest, indexed_at=now, **values)
        (created if old is None else changed).append(row)
    removed = [i for i in existing if i not in seen and i not in keep and i not in newer]
    count = len(orders)
    with transaction.atomic():
        IndexedOrder.objects.bulk_create(created, batch_size=BATCH_SIZE)
        if changed:
            IndexedOrder.objects.bulk_update(changed, fields=list(_WRITE_FIELDS), batch_size=BATCH_SIZE)
        for start in range(0, len(removed), BATCH_SIZE):
            IndexedOrder.objects.filter(id__in=removed[start : start + BATCH_SIZE]).delete()
        _apply_customers(names)
        SyncState.objects.filter(pk=1).update(
            last_success_at=started,
            last_error="",
            failing_since=None,
            orders=count,
            written=len(created) + len(changed) + len(removed),
            skipped=len(skipped),
            skipped_detail=skipped[:100],
            duration_ms=int((time.perf_counter() - clock) * 1000),
        )
    return SyncOutcome(
        result=SyncResult.DONE,
        orders=count,
        created=len(created),
        updated=len(changed),
        removed=len(removed),
        skipped=len(skipped),
        seconds=time.perf_counter() - clock,
    )


def _apply_customers(names: dict[int, str]) -> None:
    existing = dict(IndexedCustomer.objects.values_list("id", "name"))
    fresh = [IndexedCustomer(id=i, name=n) for i, n in names.items() if i not in existing]
    renamed = [IndexedCustomer(id=i, name=n) for i, n in names.items() if i in existing and existing[i] != n]
    gone = [i for i in existing if i not in names]
    IndexedCustomer.objects.bulk_create(fresh, batch_size=BATCH_SIZE)
    IndexedCustomer.objects.bulk_update(renamed, fields=["name"], batch_size=BATCH_SIZE)
    for start in range(0, len(gone), BATCH_SIZE):
        IndexedCustomer.objects.filter(id__in=gone[start : start + BATCH_SIZE]).delete()


def index_ensure_filled(*, client: RelayClient) -> SyncStatus:
    """Before a list is shown: if the index was never filled, fill it now (or wait for
    the worker that is filling it). At most one attempt per interval is made while relay
    is down, so an unreachable relay does not slow every view. Returns the status."""
    status = index_sync_status()
    if status.filled:
        return status
    deadline = time.monotonic() + FIRST_FILL_WAIT_SECONDS
    while index_sync(client=client).result is SyncResult.BUSY and time.monotonic() < deadline:
        time.sleep(0.25)
    return index_sync_status()


# --- Writes through relaydash ------------------------------------------------------------


def index_refresh_order(*, order: Order) -> None:
    """Store `order` as relay just gave it (after a write, or read by the order page).

    An answer older than the row (relay's updatedAt is earlier, e.g. a kept answer read
    before the last sync) is not written."""
    if order.id is None:
        return
    name = ""
    if order.customer_id is not None:
        name = (
            IndexedCustomer.objects.filter(pk=order.customer_id).values_list("name", flat=True).first() or ""
        )
    values = row_values(order, customer_name=name)
    digest = content_hash(values)
    current = IndexedOrder.objects.filter(pk=order.id).values("content_hash", "updated").first()
    if current is not None:
        if current["content_hash"] == digest:
            return
        if current["updated"] and values["updated"] and values["updated"] < current["updated"]:
            return
    # Single statements, no read-then-write transaction: on SQLite such a transaction
    # cannot wait for the sync's writes (it fails at once with "database is locked").
    fields = {**values, "content_hash": digest, "indexed_at": timezone.now()}
    if not IndexedOrder.objects.filter(pk=order.id).update(**fields):
        IndexedOrder.objects.bulk_create([IndexedOrder(id=order.id, **fields)], ignore_conflicts=True)


def index_note_comment(*, order_id: int, at: dt.datetime | None = None) -> None:
    """A comment was just posted through relaydash: count it on the order's row."""
    row = IndexedOrder.objects.filter(pk=order_id).first()
    if row is None:
        return
    row.comment_count += 1
    row.last_comment_at = (at or timezone.now()).isoformat()
    row.content_hash = content_hash({name: getattr(row, name) for name in CONTENT_FIELDS})
    row.indexed_at = timezone.now()
    row.save(update_fields=["comment_count", "last_comment_at", "content_hash", "indexed_at"])


def index_forget_order(*, order_id: int) -> None:
    """relay says the order does not exist (any more): take it off the lists at once."""
    IndexedOrder.objects.filter(pk=order_id).delete()
