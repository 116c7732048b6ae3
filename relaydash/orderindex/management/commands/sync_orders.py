"""`manage.py sync_orders`: the worker that keeps the order index fresh.

Runs one sync every RELAY_SYNC_SECONDS (default 30) until stopped; `--once` runs one sync
now and exits (1 when relay could not be read). Start one beside every app server if
that is simpler: the lock and the start time of the last sync, both in the database,
make them take turns, so relay sees one GetOrders per interval in total.

A plain management command with a database lock rather than Django's tasks framework:
the job is one periodic loop, not a queue of tasks, and the tasks framework has no
scheduler of its own (a periodic task still needs a loop or cron to enqueue it, plus a
task table and a worker to run it). The loop here is that worker, with nothing else to
deploy, and the database it already uses is the coordinator.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connection
from django.utils import timezone

from relaydash.orderindex.sync import SyncOutcome, SyncResult, index_sync, index_sync_status
from relaydash.relay.client import RelayClient, get_client


def _sync_client() -> RelayClient:
    """The process's client, but waiting RELAY_SYNC_TIMEOUT_READ for relay's answer."""
    client = get_client()
    return RelayClient(
        base_url=client.base_url,
        api_key=settings.RELAY_API_KEY,
        connect_timeout=client.connect_timeout,
        read_timeout=max(client.read_timeout, float(settings.RELAY_SYNC_TIMEOUT_READ)),
        retries=client.retries,
        cache=client.cache,
    )


class Command(BaseCommand):
    verbosity = 1
    help = "Keep the order index fresh: read GetOrders every RELAY_SYNC_SECONDS (or once with --once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one sync now and exit.")
        parser.add_argument(
            "--wait-for-relay",
            type=float,
            default=0.0,
            metavar="SECONDS",
            help="At start, retry the first sync for up to this long until relay answers "
            "(make run starts relay's sandbox beside the worker).",
        )
        parser.add_argument(
            "--stop-with-parent",
            action="store_true",
            help="Stop when the process that started this one ends (make run's server).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = int(options["verbosity"])
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        if options["stop_with_parent"]:
            self._watch_parent(stop)
        client = _sync_client()
        if options["once"]:
            outcome = index_sync(client=client, force=True)
            self._report(outcome)
            if outcome.result is SyncResult.FAILED:
                raise CommandError(f"relay could not be read: {outcome.error}")
            return
        deadline = time.monotonic() + options["wait_for_relay"]
        retrying = False
        while not stop.is_set():
            outcome = index_sync(client=client, force=retrying)
            self._report(outcome)
            retrying = outcome.result is SyncResult.FAILED and time.monotonic() < deadline
            if retrying:
                stop.wait(1.0)
                continue
            deadline = 0.0
            if not connection.in_atomic_block:  # (a test runs the loop inside one)
                close_old_connections()  # a long-lived worker drops broken or old connections
            stop.wait(self._until_next())

    @staticmethod
    def _watch_parent(stop: threading.Event) -> None:
        parent = os.getppid()

        def watch() -> None:
            while not stop.wait(1.0):
                if os.getppid() != parent:
                    stop.set()

        threading.Thread(target=watch, name="sync-parent-watch", daemon=True).start()

    def _until_next(self) -> float:
        """Seconds until the deployment's next sync is due (another worker's counts too)."""
        interval = float(settings.RELAY_SYNC_SECONDS)
        last = index_sync_status().last_started_at
        if last is None:
            return interval
        due = interval - (timezone.now() - last).total_seconds()
        return min(max(due, 1.0), interval)

    def _report(self, outcome: SyncOutcome) -> None:
        if self.verbosity < 1 or outcome.result is SyncResult.RECENT:
            return
        if outcome.result is SyncResult.DONE:
            self.stdout.write(
                f"order index: {outcome.orders} orders from relay, {outcome.created} new, "
                f"{outcome.updated} changed, {outcome.removed} removed, {outcome.skipped} skipped "
                f"({outcome.seconds:.1f} s)"
            )
        elif outcome.result is SyncResult.BUSY:
            self.stdout.write("order index: another worker is syncing; skipped")
        else:
            self.stderr.write(f"order index: relay could not be read ({outcome.error})")
