"""/healthz for the load balancer and /readyz for whoever needs to know which part fails."""

from typing import Any

import pytest
from django.test import Client

from relaydash.relay.client import RelayClient
from tests.services import free_port

PROBE_HOST = "10.20.30.40:8000"  # how a load balancer reaches one app server


def test_healthz_answers_any_host_over_plain_http_without_the_database(settings: Any) -> None:
    """No django_db mark: touching the database here would fail the test."""
    settings.SECURE_SSL_REDIRECT = True
    client = Client(headers={"Host": PROBE_HOST})
    response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok")
    head = client.head("/healthz")
    assert (head.status_code, head.content) == (200, b"")
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_other_pages_still_refuse_an_unknown_host() -> None:
    assert Client(headers={"Host": PROBE_HOST}).get("/login/").status_code == 400


def test_probes_need_no_sign_in_and_are_never_cached(seeded: RelayClient) -> None:
    response = Client(headers={"Host": PROBE_HOST}).get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["failing"] == []
    assert body["checks"] == {"database": "ok", "cache": "ok", "relay": "ok", "order_sync": "ok"}
    assert body["order_sync"]["orders"] == len(seeded.get_orders())
    assert body["order_sync"]["skipped"] == 0
    assert 0 <= body["order_sync"]["age_seconds"] < 60
    assert "no-store" in response["Cache-Control"]


def test_readyz_names_relay_when_it_is_unreachable(
    db: None, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.RELAY_API_URL = f"http://127.0.0.1:{free_port()}/api/v1"  # nothing listens
    response = Client().get("/readyz")
    assert response.status_code == 503
    # Nothing was ever synced either: the order list has nothing to show.
    assert response.json()["failing"] == ["relay", "order_sync"]
    assert response.json()["checks"]["database"] == "ok"
    assert "readiness: relay is failing: GetProperties: could not connect to relay" in caplog.text


def test_readyz_names_the_cache_when_redis_is_down(
    seeded: RelayClient, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["cache"]
    assert "readiness: cache is failing: ConnectionError" in caplog.text
    # The reason is logged for the operator, never shown to whoever asks.
    assert "127.0.0.1" not in response.content.decode()


def test_readyz_names_the_order_sync_when_it_stopped(
    seeded: RelayClient, caplog: pytest.LogCaptureFixture
) -> None:
    """The worker stopped (or cannot reach relay) for three intervals: the list grows old."""
    from datetime import timedelta

    from django.utils import timezone

    from relaydash.orderindex.models import SyncState

    SyncState.objects.filter(pk=1).update(last_success_at=timezone.now() - timedelta(hours=1))
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["order_sync"]
    assert response.json()["order_sync"]["age_seconds"] >= 3600
    assert "readiness: order_sync is failing: no order sync succeeded since" in caplog.text
