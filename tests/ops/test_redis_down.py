"""Redis down: signed-in people keep working (sessions from the database, relay asked
anew each time) and the operator reads why in the log; Redis back: nothing to do."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from relaydash.accounts.permissions import Role
from relaydash.orders.detail_views import STATUS_SAVED
from relaydash.relay.client import RelayClient
from relaydash.relay.records import OrderStatus
from tests.orders.detail_support import english, get, post, seen_of
from tests.services import RedisServer, redis_server


@pytest.fixture(autouse=True)
def _default_language_afterwards() -> Iterator[None]:
    """The English requests below leave their language active in this thread (Django's
    LocaleMiddleware activates and never deactivates); later tests expect the default."""
    yield
    translation.deactivate()


@pytest.fixture
def redis(settings: Any) -> Iterator[RedisServer]:
    """A Redis of this test's own as the default cache, as production runs."""
    with redis_server() as server:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": server.url,
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            }
        }
        # The process keeps one relay client per RELAY_* values, bound to the cache of the
        # moment it was made: other values give one whose kept answers go to this Redis.
        settings.RELAY_CACHE_CUSTOMERS_SECONDS = 59.0
        yield server


def test_signed_in_pages_keep_working_while_redis_is_down(
    seeded: RelayClient,
    redis: RedisServer,
    client_as: Callable[..., Client],
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = client_as(Role.BACKOFFICE)
    session_key = client.cookies["sessionid"].value
    order = next(o for o in seeded.get_orders() if o.status is OrderStatus.OPEN)
    assert get(client, "/orders/").status_code == 200

    redis.stop()
    caplog.clear()
    assert get(client, "/orders/").status_code == 200
    assert get(client, f"/orders/{order.id}/").status_code == 200
    # A write, and the session write its message makes.
    seen = seen_of(seeded, order.id, client)
    saved = post(
        client, f"/orders/{order.id}/patch/", {"part": "status", "status": "DECLINED", **seen}, htmx=False
    )
    assert saved.status_code == 302
    assert english(STATUS_SAVED, status="Declined") in get(client, saved["Location"]).content.decode()
    assert seeded.get_order(order.id).status is OrderStatus.DECLINED
    warnings = {r.getMessage() for r in caplog.records if r.levelname == "WARNING"}
    assert any(m.startswith("session cache unavailable (read); using the database alone") for m in warnings)
    assert any(m.startswith("relay cache: reading order:") for m in warnings)

    redis.start()  # the same address, empty, as a restarted Redis is
    assert get(client, "/orders/").status_code == 200
    assert cache.get(KEY_PREFIX + session_key) is not None  # cached again, by itself
    assert client.post("/logout/").status_code == 302
    assert get(client, "/orders/").status_code == 302  # signed out for real
