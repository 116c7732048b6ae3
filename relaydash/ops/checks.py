"""What /readyz checks: one named entry per part relaydash depends on.

Each check returns None when its part works, or a short reason when it does not. The
reason goes to the log (a warning), never to the public answer, which names only the
part. Adding a part (e.g. the age of the last order sync) is one entry in READINESS_CHECKS.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection

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


READINESS_CHECKS: tuple[ReadinessCheck, ...] = (
    ReadinessCheck("database", database_problem),
    ReadinessCheck("cache", cache_problem),
    ReadinessCheck("relay", relay_problem),
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
