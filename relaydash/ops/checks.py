"""What /readyz checks: one named entry per part relaydash depends on.

Each check returns None when its part works, or a short reason when it does not. The
reason goes to the log (a warning), never to the public answer, which names only the
part. Adding a part is one entry in READINESS_CHECKS.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from relaydash.orderindex.sync import index_sync_status
from relaydash.relay.client import RelayClient
from relaydash.relay.errors import RelayError

logger = logging.getLogger("relaydash.ops")

# A readiness probe must answer well within a load balancer's probe timeout.
RELAY_PROBE_TIMEOUT = (2.0, 5.0)


@dataclass(frozen=True)
class ReadinessCheck:
    name: str
    run: Callable[[], str | None]


def database_problem() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return None


def cache_problem() -> str | None:
    """A write and a read back: a cache that accepts writes and loses them is not working."""
    key = f"relaydash:readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    found = cache.get(key)
    cache.delete(key)
    return None if found == "1" else "a value written was not read back"


def relay_problem() -> str | None:
    """relay answers an authorised read (the smallest one: one property)."""
    connect, read = RELAY_PROBE_TIMEOUT
    client = RelayClient(
        base_url=settings.RELAY_API_URL,
        api_key=settings.RELAY_API_KEY,
        connect_timeout=connect,
        read_timeout=read,
        retries=0,
    )
    try:
        client.get_properties(limit=1, offset=0)
    except RelayError as error:
        return str(error)
    finally:
        client.close()
    return None


def order_sync_problem() -> str | None:
    """The order index was filled and a sync succeeded within three intervals: the sync
    worker runs and reaches relay (the order list would otherwise grow old)."""
    status = index_sync_status()
    if not status.filled:
        return "the order index was never filled: is `manage.py sync_orders` running?"
    if status.stale(timezone.now()):
        return f"no order sync succeeded since {status.last_success_at:%Y-%m-%d %H:%M:%S%z}"
    return None


def order_sync_facts() -> dict[str, object]:
    """How old the order index is and how many orders its last sync could not read
    (empty when the database cannot say: the database check names that)."""
    try:
        status = index_sync_status()
    except Exception:  # a probe reports, it never raises
        return {}
    age = status.age(timezone.now())
    return {
        "as_of": status.last_success_at.isoformat() if status.last_success_at else None,
        "age_seconds": round(age.total_seconds()) if age is not None else None,
        "orders": status.orders,
        "skipped": status.skipped,
    }


READINESS_CHECKS: tuple[ReadinessCheck, ...] = (
    ReadinessCheck("database", database_problem),
    ReadinessCheck("cache", cache_problem),
    ReadinessCheck("relay", relay_problem),
    ReadinessCheck("order_sync", order_sync_problem),
)


def readiness() -> dict[str, bool]:
    """Each part's name and whether it works; every failure is logged with its reason."""
    results: dict[str, bool] = {}
    for check in READINESS_CHECKS:
        try:
            problem = check.run()
        except Exception as error:  # a probe reports, it never raises
            problem = f"{type(error).__name__}: {error}"
        if problem is not None:
            logger.warning("readiness: %s is failing: %s", check.name, problem)
        results[check.name] = problem is None
    return results
