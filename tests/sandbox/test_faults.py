"""Fault injection: failures and delays on cue, per operation, thread-safe."""

import threading
import time

import pytest
import requests
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from relaydash.sandbox import faults
from tests.sandbox.conftest import BASE, Api

pytestmark = pytest.mark.django_db


def test_fail_next_answers_once_then_serves_normally(api: Api) -> None:
    faults.fail_next(status=503)
    response = api.get("/customers")
    assert response.status_code == 503
    assert response.json() == {"message": "injected fault: HTTP 503"}
    assert api.get("/customers").status_code == 200


def test_fail_next_counts_and_matches_the_operation(api: Api) -> None:
    faults.fail_next(status=429, count=2, operation="GetOrders")
    assert api.get("/customers").status_code == 200
    assert api.get("/orders").status_code == 429
    assert api.get("/properties", limit=1, offset=0).status_code == 200
    assert api.get("/orders").status_code == 429
    assert api.get("/orders").status_code == 200


def test_fail_next_can_send_a_body_that_is_not_json(api: Api) -> None:
    faults.fail_next(status=200, body=b"<html>Wartung</html>", operation="GetCustomers")
    response = api.get("/customers")
    assert response.status_code == 200
    assert response.content == b"<html>Wartung</html>"


def test_failures_apply_after_authentication(api: Api) -> None:
    faults.fail_next(status=500)
    assert Client().get(BASE + "/orders").status_code == 401
    assert api.get("/orders").status_code == 500


def test_the_operation_is_told_apart_by_method(api: Api) -> None:
    faults.fail_next(status=502, operation="PatchOrder")
    assert api.get("/orders/1").status_code == 404
    assert api.patch("/orders/1", {"status": "OPEN"}).status_code == 502


def test_delay_next_stalls_the_request(api: Api) -> None:
    faults.delay_next(seconds=0.3, operation="GetCustomers")
    start = time.monotonic()
    assert api.get("/customers").status_code == 200
    assert time.monotonic() - start >= 0.3
    start = time.monotonic()
    api.get("/customers")
    assert time.monotonic() - start < 0.3


def test_delay_and_failure_combine(api: Api) -> None:
    faults.delay_next(seconds=0.2)
    faults.fail_next(status=504)
    start = time.monotonic()
    assert api.get("/orders").status_code == 504
    assert time.monotonic() - start >= 0.2


def test_clear_forgets_everything(api: Api) -> None:
    faults.fail_next(status=500, count=5)
    faults.delay_next(seconds=10, count=5)
    faults.clear()
    assert api.get("/orders").status_code == 200


@pytest.mark.parametrize(
    "call",
    [
        lambda: faults.fail_next(operation="GetOrdersTypo"),
        lambda: faults.fail_next(count=0),
        lambda: faults.fail_next(status=42),
        lambda: faults.delay_next(seconds=-1),
        lambda: faults.delay_next(seconds=1, operation="orders"),
    ],
)
def test_mistakes_in_a_test_are_refused_loudly(call: object) -> None:
    with pytest.raises(ValueError):
        call()  # type: ignore[operator]


def test_concurrent_requests_consume_exactly_count_failures() -> None:
    faults.fail_next(status=500, count=50, operation="GetOrders")
    results: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(20):
            injected = faults.take("GetOrders")
            with lock:
                results.append(injected.status or 200)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(500) == 50
    assert results.count(200) == 110


@pytest.mark.django_db(transaction=True)
def test_faults_reach_the_live_server_thread(live_server: object) -> None:
    url = f"{live_server}{BASE}/orders"
    headers = {"Authorization": f"Bearer {settings.RELAY_SANDBOX_API_KEY}"}
    faults.fail_next(status=503, operation="GetOrders")
    assert requests.get(url, headers=headers, timeout=10).status_code == 503
    assert requests.get(url, headers=headers, timeout=10).json() == []


# --- Answers rewritten: every scalar as the other JSON type, null or absent ------------------


@pytest.fixture
def filled(api: Api) -> Api:
    call_command("seed_sandbox", orders=5, seed=7, verbosity=0)
    return api


def scalars(value: object) -> list[object]:
    if isinstance(value, dict):
        return [s for inner in value.values() for s in scalars(inner)]
    if isinstance(value, list):
        return [s for inner in value for s in scalars(inner)]
    return [value]


def test_mutate_answers_sends_every_scalar_as_the_other_json_type(filled: Api) -> None:
    api = filled
    plain = api.get("/customers").json()
    faults.mutate_answers(variant="other", operations=["GetCustomers"])
    rewritten = api.get("/customers").json()
    assert len(rewritten["customers"]) == len(plain["customers"])
    for before, after in zip(scalars(plain), scalars(rewritten), strict=True):
        if before is None:
            assert after is None
        elif isinstance(before, str):
            assert isinstance(after, int)
        else:
            assert after == str(before).lower() if isinstance(before, bool) else after == str(before)
    assert api.get("/orders").status_code == 200  # other operations are left alone


@pytest.mark.parametrize("variant", ["null", "absent"])
def test_mutate_answers_nulls_or_drops_every_scalar_keeping_ids_on_request(filled: Api, variant: str) -> None:
    api = filled
    faults.mutate_answers(variant=variant, keep_ids=True)
    orders = api.get("/orders").json()
    assert orders, "the sandbox has orders"
    for order in orders:
        assert isinstance(order["id"], int)
        kept = {k: v for k, v in order.items() if k != "id" and not isinstance(v, (dict, list))}
        assert all(v is None for v in kept.values()) if variant == "null" else kept == {}


def test_mutate_answers_can_make_the_first_record_of_each_list_unreadable(filled: Api) -> None:
    api = filled
    plain = api.get("/orders").json()
    faults.mutate_answers(variant="one-unreadable")
    orders = api.get("/orders").json()
    assert orders[0]["title"] == {"unreadable": True}
    assert orders[1:] == plain[1:]
    assert api.get(f"/orders/{plain[0]['id']}").json() == plain[0]  # single records stay readable


def test_mutations_last_until_cleared(filled: Api) -> None:
    api = filled
    faults.mutate_answers(variant="null", operations=["GetOrders"])
    assert all(o["title"] is None for o in api.get("/orders").json())
    assert all(o["title"] is None for o in api.get("/orders").json())
    faults.clear()
    assert any(o["title"] for o in api.get("/orders").json())


@pytest.mark.parametrize(
    "call",
    [
        lambda: faults.mutate_answers(variant="sideways"),
        lambda: faults.mutate_answers(variant="null", operations=["PatchOrder"]),
    ],
)
def test_mutation_mistakes_are_refused_loudly(call: object) -> None:
    with pytest.raises(ValueError):
        call()  # type: ignore[operator]
