"""RelayClient over real HTTP against the embedded sandbox (pytest-django live_server).

All 12 operations, as views use them: through `get_client()` pointed at the live server.
The sandbox shares no code with the client, so these check the client against the
contract, not against its own assumptions. Failures relay produces on demand (404,
400, 401, a closed port, injected 503s, bodies that are not JSON, slow answers) are
exercised here too; the rest of the edge cases are in test_client_unit.py.
"""

from __future__ import annotations

import datetime as dt
import io
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from relaydash.relay.client import RelayClient, get_client
from relaydash.relay.errors import BadResponse, NotFound, Unauthorized, Unavailable, ValidationFailed
from relaydash.relay.records import (
    AddressInput,
    CustomerInput,
    OrderFieldInput,
    OrderPatch,
    OrderStatus,
    PropertyInput,
    UploadFile,
)
from relaydash.sandbox import faults

pytestmark = pytest.mark.django_db(transaction=True)

BERLIN = AddressInput(street_address="Hauptstraße 5", postal_code="10115", locality="Berlin", country="DE")


@pytest.fixture(autouse=True)
def no_faults() -> Iterator[None]:
    faults.clear()
    yield
    faults.clear()


@pytest.fixture
def client(live_server: Any, settings: Any) -> RelayClient:
    settings.RELAY_API_URL = live_server.url + "/sandbox/api/v1"
    settings.RELAY_API_KEY = settings.RELAY_SANDBOX_API_KEY
    call_command("seed_sandbox", orders=20, seed=1, verbosity=0)
    client = get_client()
    client.backoff = 0.01  # keep retry tests quick
    return client


def some_order_id(client: RelayClient) -> int:
    order_id = client.get_orders()[0].id
    assert order_id is not None
    return order_id


# --- Reads -----------------------------------------------------------------------------


def test_get_client_points_at_the_live_server(client: RelayClient, live_server: Any) -> None:
    assert client.base_url == live_server.url + "/sandbox/api/v1"
    assert get_client() is client


def test_get_orders_returns_the_seeded_orders(client: RelayClient) -> None:
    orders = client.get_orders()
    assert len(orders) == 20
    assert all(o.id is not None and o.title for o in orders)
    assert all(o.status is not None or o.status_text is None for o in orders)
    assert any(o.comments for o in orders)
    assert any(o.address is not None and o.address.one_line for o in orders)


def test_get_order_matches_its_entry_in_get_orders(client: RelayClient) -> None:
    listed = client.get_orders()[3]
    assert listed.id is not None
    assert client.get_order(listed.id) == listed


def test_get_order_comments_matches_the_orders_comments(client: RelayClient) -> None:
    order = next(o for o in client.get_orders() if o.comments)
    assert order.id is not None
    comments = client.get_order_comments(order.id)
    assert comments == list(order.comments)
    assert all(c.order_id == order.id for c in comments)
    assert all(isinstance(c.created, dt.datetime) for c in comments)


def test_get_customers(client: RelayClient) -> None:
    customers = client.get_customers()
    assert customers and all(c.id is not None and c.name for c in customers)


def test_get_properties_pages_and_get_property(client: RelayClient) -> None:
    first_page = client.get_properties(limit=5, offset=0)
    second_page = client.get_properties(limit=5, offset=5)
    assert len(first_page) == 5 and len(second_page) == 5
    assert {p.id for p in first_page}.isdisjoint({p.id for p in second_page})
    one = first_page[2]
    assert one.id is not None
    assert client.get_property(one.id) == one
    assert one.external_id is None or isinstance(one.external_id, str)


# --- Writes ----------------------------------------------------------------------------


def test_create_address_returns_the_new_id(client: RelayClient) -> None:
    first = client.create_address(BERLIN)
    second = client.create_address(BERLIN)
    assert isinstance(first, int) and second > first


def test_create_customer_with_and_without_casavi(client: RelayClient) -> None:
    local = client.create_customer(CustomerInput(name="HV Nord GmbH", internal_id="K-1", address=BERLIN))
    connected = client.create_customer(
        CustomerInput(name="HV Süd GmbH", id="ext-9", email_address="info@hv-sued.example"),
        casavi_account_id=42,
    )
    assert local.casavi_account_id is None and local.customer.name == "HV Nord GmbH"
    assert local.customer.address is not None and local.customer.address.locality == "Berlin"
    assert connected.casavi_account_id == 42 and connected.customer.id == "ext-9"

    by_name = {c.name: c for c in client.get_customers()}
    assert not by_name["HV Nord GmbH"].connected_to_casavi
    assert by_name["HV Süd GmbH"].connected_to_casavi
    assert by_name["HV Süd GmbH"].email_address == "info@hv-sued.example"


def test_create_properties_creates_then_updates(client: RelayClient) -> None:
    created = client.create_properties(
        [PropertyInput(name="Wohnanlage Lindenhof", external_id="LH-7", address=BERLIN, msc_number="M-1")],
        casavi_account_id=1,
    )
    assert len(created) == 1
    new_id = created[0].id
    assert isinstance(new_id, str) and new_id.isdigit()
    assert created[0].external_id == "LH-7"

    updated = client.create_properties(
        [PropertyInput(id=new_id, name="Wohnanlage Lindenhof II", external_id="LH-8")], casavi_account_id=1
    )
    assert updated[0].id == new_id and updated[0].name == "Wohnanlage Lindenhof II"
    prop = client.get_property(int(new_id))
    assert prop.name == "Wohnanlage Lindenhof II"
    assert prop.external_id == "LH-8"
    assert isinstance(prop.updated, dt.datetime)


def test_patch_order_changes_only_what_is_sent(client: RelayClient) -> None:
    order_id = some_order_id(client)
    before = client.get_order(order_id)
    due = dt.datetime(2027, 3, 1, 9, 30, tzinfo=dt.UTC)
    client.patch_order(order_id, OrderPatch(status=OrderStatus.IN_PROGRESS, due_date=due))
    after = client.get_order(order_id)
    assert after.status is OrderStatus.IN_PROGRESS
    assert after.due == due
    assert after.title == before.title and after.internal_id == before.internal_id
    assert after.updated_at != before.updated_at

    client.patch_order(order_id, OrderPatch(internal_id="INT-77", address=BERLIN))
    again = client.get_order(order_id)
    assert again.internal_id == "INT-77" and again.status is OrderStatus.IN_PROGRESS
    assert again.address is not None and again.address.street_address == "Hauptstraße 5"

    client.patch_order(order_id, OrderPatch(status=OrderStatus.NULL))
    assert client.get_order(order_id).status is OrderStatus.NULL


def test_create_order_field(client: RelayClient) -> None:
    order_id = some_order_id(client)
    field = OrderFieldInput(name="Zählernummer", content="1APA0012345678", position=7, order_id=order_id)
    assert client.create_order_field(field) == field
    fields = client.get_order(order_id).fields
    assert any(f.name == "Zählernummer" and f.content == "1APA0012345678" for f in fields)


def test_comment_with_several_files_comes_back_with_attachments(client: RelayClient, tmp_path: Path) -> None:
    order_id = some_order_id(client)
    photo = tmp_path / "keller.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + b"\x00" * 300_000)
    with photo.open("rb") as photo_stream:
        files = [
            UploadFile(
                name="keller.jpg", stream=photo_stream, size=photo.stat().st_size, content_type="image/jpeg"
            ),
            UploadFile(
                name="bericht.pdf", stream=io.BytesIO(b"%PDF-1.7"), size=8, content_type="application/pdf"
            ),
            UploadFile(
                name="notiz.txt", stream=io.BytesIO("Grüße".encode()), size=6, content_type="text/plain"
            ),
        ]
        comment_id = client.create_order_comment(
            order_id, text="Schaden dokumentiert, Fotos anbei.", author_name="Eva Meier", files=files
        )
    comment = next(c for c in client.get_order_comments(order_id) if c.id == comment_id)
    assert comment.text == "Schaden dokumentiert, Fotos anbei."
    assert comment.author == "Eva Meier"
    assert [(a.name, a.item_type) for a in comment.attachments] == [
        ("keller.jpg", "image/jpeg"),
        ("bericht.pdf", "application/pdf"),
        ("notiz.txt", "text/plain"),
    ]
    assert any(c.id == comment_id for c in client.get_order(order_id).comments)


def test_comment_without_files(client: RelayClient) -> None:
    order_id = some_order_id(client)
    comment_id = client.create_order_comment(order_id, text="Termin bestätigt.", author_name="Jonas")
    comment = next(c for c in client.get_order_comments(order_id) if c.id == comment_id)
    assert comment.attachments == ()


# --- Failures --------------------------------------------------------------------------


def test_unknown_ids_are_not_found(client: RelayClient) -> None:
    with pytest.raises(NotFound) as caught:
        client.get_order(987654)
    assert caught.value.status == 404 and caught.value.operation == "GetOrder"
    with pytest.raises(NotFound):
        client.get_property(987654)
    with pytest.raises(NotFound):
        client.get_order_comments(987654)
    with pytest.raises(NotFound):
        client.create_order_comment(987654, text="t", author_name="a")
    with pytest.raises(NotFound):
        client.create_order_field(OrderFieldInput(name="n", content="c", position=1, order_id=987654))


def test_refused_input_is_validation_failed_with_relays_message(client: RelayClient) -> None:
    bad = AddressInput(street_address="Hauptstraße 5", postal_code="10115", locality="Berlin", country="XX")
    with pytest.raises(ValidationFailed) as caught:
        client.create_address(bad)
    assert caught.value.status == 400
    assert caught.value.operation == "CreateAddress"
    assert "country must be an ISO 3166-1 alpha-2 code" in caught.value.message

    with pytest.raises(ValidationFailed, match="text"):
        client.create_order_comment(some_order_id(client), text="   ", author_name="a")


def test_wrong_key_is_unauthorized(client: RelayClient, settings: Any) -> None:
    settings.RELAY_API_KEY = "not-the-key"
    wrong = get_client()
    assert wrong is not client
    with pytest.raises(Unauthorized) as caught:
        wrong.get_orders()
    assert caught.value.status == 401
    with pytest.raises(Unauthorized):
        wrong.patch_order(1, OrderPatch(status=OrderStatus.OPEN))


def test_stopped_server_is_unavailable(settings: Any) -> None:
    with socket.socket() as sock:  # a port that nothing listens on any more
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.RELAY_API_URL = f"http://127.0.0.1:{port}/sandbox/api/v1"
    settings.RELAY_RETRIES = 1
    with pytest.raises(Unavailable) as caught:
        get_client().get_orders()
    assert caught.value.message == "could not connect to relay"
    assert caught.value.operation == "GetOrders" and caught.value.status is None


def test_get_is_retried_through_injected_503s(client: RelayClient) -> None:
    faults.fail_next(status=503, count=2, operation="GetOrders")
    assert len(client.get_orders()) == 20  # RELAY_RETRIES=2: the third attempt succeeds


def test_get_gives_up_after_the_retries(client: RelayClient) -> None:
    faults.fail_next(status=502, count=3, operation="GetOrder")
    with pytest.raises(Unavailable) as caught:
        client.get_order(some_order_id(client))
    assert caught.value.status == 502
    assert caught.value.message == "injected fault: HTTP 502"


def test_comment_is_not_retried_after_a_503(client: RelayClient) -> None:
    order_id = some_order_id(client)
    comments_before = client.get_order_comments(order_id)
    faults.fail_next(status=503, count=1, operation="CreateOrderComment")
    with pytest.raises(Unavailable):
        client.create_order_comment(order_id, text="nur einmal", author_name="a")
    # Only one attempt failed: a retry would have succeeded and raised nothing.
    assert client.get_order_comments(order_id) == comments_before


def test_body_that_is_not_json_is_bad_response(client: RelayClient) -> None:
    faults.fail_next(status=200, operation="GetOrders", body=b"<html>maintenance</html>")
    with pytest.raises(BadResponse) as caught:
        client.get_orders()
    assert caught.value.operation == "GetOrders"


def test_slow_answer_times_out_and_is_not_retried(client: RelayClient, settings: Any) -> None:
    # Room for an undelayed answer on a busy machine (and on PostgreSQL): a retry must
    # have been able to succeed for the test to mean anything.
    settings.RELAY_TIMEOUT_READ = 1.5
    impatient = get_client()
    faults.delay_next(seconds=4.0, count=1, operation="GetOrders")
    with pytest.raises(Unavailable, match=r"did not answer within 1.5 s"):
        impatient.get_orders()
    # Only one request was delayed: a retry would have succeeded and raised nothing.
    assert len(impatient.get_orders()) == 20
