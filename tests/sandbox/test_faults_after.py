"""Faults after a write, over real HTTP: the write runs and commits, then its answer is
cut, dropped or stalled; garbage answers 200 with a maintenance page and runs nothing."""

from typing import Any

import pytest
import requests
from django.conf import settings

from relaydash.sandbox import faults
from relaydash.sandbox.faults import MAINTENANCE_PAGE, After
from relaydash.sandbox.models import Address

pytestmark = pytest.mark.django_db(transaction=True)

ADDRESS = {"streetAddress": "Weg 1", "postalCode": "10115", "locality": "Berlin", "country": "DE"}


@pytest.fixture
def api(live_server: Any) -> Any:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {settings.RELAY_SANDBOX_API_KEY}"
    base = f"{live_server.url}/sandbox/api/v1"
    return lambda: session.post(f"{base}/addresses", json=ADDRESS, timeout=(2, 0.5))


def test_cut_runs_the_write_and_sends_half_of_a_promised_answer(api: Any) -> None:
    faults.after_next(kind=After.CUT, operation="CreateAddress")
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        api()
    assert Address.objects.count() == 1
    assert api().status_code == 200  # once only


def test_drop_runs_the_write_and_closes_without_an_answer(api: Any) -> None:
    faults.after_next(kind=After.DROP, operation="CreateAddress")
    with pytest.raises(requests.ConnectionError):
        api()
    assert Address.objects.count() == 1


def test_stall_runs_the_write_and_answers_too_late(api: Any) -> None:
    faults.after_next(kind=After.STALL, operation="CreateAddress", seconds=1.0)
    with pytest.raises(requests.ReadTimeout):
        api()
    assert Address.objects.count() == 1


def test_garbage_runs_nothing_and_answers_a_200_maintenance_page(api: Any) -> None:
    faults.garbage_next(operation="CreateAddress")
    response = api()
    assert response.status_code == 200 and response.content == MAINTENANCE_PAGE
    assert response.headers["Content-Type"].startswith("text/html")
    assert Address.objects.count() == 0


def test_skip_serves_the_first_requests_then_fails(api: Any) -> None:
    faults.fail_next(status=500, operation="CreateAddress", skip=1)
    assert api().status_code == 200
    assert api().status_code == 500
    assert api().status_code == 200


def test_after_faults_check_their_arguments() -> None:
    with pytest.raises(ValueError):
        faults.after_next(kind=After.STALL, operation="CreateAddress")  # no seconds
    with pytest.raises(ValueError):
        faults.after_next(kind=After.CUT, operation="NoSuchOperation")
