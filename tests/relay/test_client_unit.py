"""Edge cases of RelayClient against mocked HTTP (`responses`).

The happy paths over real HTTP are in test_client_sandbox.py; here is what a live relay
rarely does on demand: every error status, broken bodies, dropped connections, the
retry rules, each quirk of relay's shapes, and exactly what goes on the wire.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
from typing import Any
from unittest import mock

import pytest
import requests
import responses
from django.core.exceptions import ImproperlyConfigured
from requests_toolbelt.multipart.decoder import MultipartDecoder
from urllib3.exceptions import ProtocolError, ReadTimeoutError

from relaydash.relay import client as client_module
from relaydash.relay.client import (
    MAX_COMMENT_BYTES,
    PATHS,
    RelayClient,
    check_comment_files,
    get_client,
)
from relaydash.relay.errors import (
    BadResponse,
    NotFound,
    OutcomeUnknown,
    RelayError,
    Unauthorized,
    Unavailable,
    ValidationFailed,
)
from relaydash.relay.records import (
    AddressInput,
    CustomerInput,
    OrderFieldInput,
    OrderPatch,
    OrderStatus,
    PropertyInput,
    UploadFile,
)

BASE = "https://relay.test/api/v1"
KEY = "s3cret-key-value"


@pytest.fixture
def client() -> RelayClient:
    return RelayClient(base_url=BASE + "/", api_key=KEY, retries=2, backoff=0)


def url(path: str) -> str:
    return BASE + path


def body_of(call: Any) -> Any:
    return json.loads(call.request.body)


# --- Status → error -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, ValidationFailed),
        (409, ValidationFailed),
        (413, ValidationFailed),
        (422, ValidationFailed),
        (401, Unauthorized),
        (403, Unauthorized),
        (404, NotFound),
        (408, Unavailable),
        (429, Unavailable),
        (500, Unavailable),
        (502, Unavailable),
        (503, Unavailable),
        (504, Unavailable),
        (599, Unavailable),
        (300, BadResponse),
        (302, BadResponse),
        (307, BadResponse),
        (418, BadResponse),
        (451, BadResponse),
    ],
)
def test_each_status_maps_to_its_error(
    rsps: responses.RequestsMock, client: RelayClient, status: int, error: type[RelayError]
) -> None:
    rsps.add(responses.POST, url("/addresses"), json={"message": "relay says no"}, status=status)
    with pytest.raises(error) as caught:
        client.create_address(AddressInput(street_address="a", postal_code="1", locality="b", country="DE"))
    assert type(caught.value) is error
    assert caught.value.status == status
    assert caught.value.operation == "CreateAddress"


def test_relays_message_is_carried(rsps: responses.RequestsMock, client: RelayClient) -> None:
    rsps.add(
        responses.POST,
        url("/addresses"),
        json={"message": "country must be an ISO 3166-1 alpha-2 code"},
        status=400,
    )
    with pytest.raises(ValidationFailed) as caught:
        client.create_address(AddressInput(street_address="a", postal_code="1", locality="b", country="XX"))
    assert caught.value.message == "country must be an ISO 3166-1 alpha-2 code"
    assert str(caught.value) == "CreateAddress: country must be an ISO 3166-1 alpha-2 code (HTTP 400)"


def test_error_without_json_message_falls_back_to_short_body_text(
    rsps: responses.RequestsMock, client: RelayClient
) -> None:
    rsps.add(responses.GET, url("/orders/1"), body="<html>\n  Gateway   down " + "x" * 500, status=500)
    with pytest.raises(Unavailable) as caught:
        client.get_order(1)
    assert caught.value.message.startswith("<html> Gateway down xxx")
    assert len(caught.value.message) <= 200


def test_error_with_empty_body_uses_the_reason(rsps: responses.RequestsMock, client: RelayClient) -> None:
    rsps.add(responses.GET, url("/orders/1"), body=b"", status=404)
    with pytest.raises(NotFound) as caught:
        client.get_order(1)
    assert caught.value.message == "Not Found"


@pytest.mark.parametrize(
    ("call", "method", "path", "body"),
    [
        (lambda c: c.get_orders(), "GET", "/orders", b"<html>oops</html>"),
        (lambda c: c.get_orders(), "GET", "/orders", b""),
        (lambda c: c.get_orders(), "GET", "/orders", b'{"orders": []}'),  # wrapped, not bare
        (lambda c: c.get_orders(), "GET", "/orders", b'[{"id": 1}'),  # cut off
        (lambda c: c.get_orders(), "GET", "/orders", b'[{"id": 1, "comments": null}, {"id": 2, "ti'),
        (lambda c: c.get_orders(), "GET", "/orders", b"null"),
        (lambda c: c.get_order(1), "GET", "/orders/1", b'{"id": "not a number"}'),
        (lambda c: c.get_order(1), "GET", "/orders/1", b'{"id": 1, "title": {"de": "Heizung"}}'),
        (lambda c: c.get_order(1), "GET", "/orders/1", b'{"id": 1, "comments": null, "title": "Hei'),
        (lambda c: c.get_property(1), "GET", "/properties/1", b'{"id": 1, "address": "Weg 1"}'),
        (lambda c: c.get_order_comments(1), "GET", "/orders/1/comments", b'{"comments": []}'),
        (lambda c: c.get_order_comments(1), "GET", "/orders/1/comments", b"[{]"),
        (lambda c: c.get_customers(), "GET", "/customers", b'{"customers": {"id": 1}}'),
        (lambda c: c.get_customers(), "GET", "/customers", b'{"customers": [{"id": 1}'),
        (lambda c: c.get_properties(limit=1, offset=0), "GET", "/properties", b"["),
        (lambda c: c.get_order(1), "GET", "/orders/1", b"[" * 100_000 + b"]" * 100_000),
        (lambda c: c.get_orders(), "GET", "/orders", b'[{"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]"),
        (lambda c: c.get_order(1), "GET", "/orders/1", b"\xff\xfe{}"),
        (lambda c: c.get_customers(), "GET", "/customers", b"[]"),  # bare, not wrapped
        (lambda c: c.get_order(1), "GET", "/orders/1", b"[1, 2]"),
        (lambda c: c.get_properties(limit=1, offset=0), "GET", "/properties", b'{"properties": 5}'),
    ],
)
def test_body_not_json_or_wrong_shape_is_bad_response(
    rsps: responses.RequestsMock, client: RelayClient, call: Any, method: str, path: str, body: bytes
) -> None:
    rsps.add(method, url(path), body=body, status=200)
    with pytest.raises(BadResponse) as caught:
        call(client)
    assert caught.value.status == 200
    assert caught.value.operation
    assert not isinstance(caught.value.__cause__, BadResponse)


_ADDRESS = AddressInput(street_address="a", postal_code="1", locality="b", country="DE")
_FIELD = OrderFieldInput(name="Zaehler", content="4711", position=2, order_id=1)
_WRITES: dict[str, tuple[Any, str, str]] = {
    "CreateAddress": (lambda c: c.create_address(_ADDRESS), "POST", "/addresses"),
    "PatchOrder": (lambda c: c.patch_order(1, OrderPatch(internal_id="X")), "PATCH", "/orders/1"),
    "CreateOrderComment": (
        lambda c: c.create_order_comment(1, text="t", author_name="a"),
        "POST",
        "/orders/1/comments",
    ),
    "CreateOrderField": (lambda c: c.create_order_field(_FIELD), "POST", "/order-fields"),
    "CreateCustomer": (lambda c: c.create_customer(CustomerInput(name="HV Nord")), "POST", "/customers"),
    "CreateProperties": (
        lambda c: c.create_properties([PropertyInput(name="Haus A")], casavi_account_id=1),
        "POST",
        "/properties",
    ),
}


@pytest.mark.parametrize(
    ("operation", "body"),
    [
        ("CreateAddress", b'{"id": 5}'),  # wrapped, not bare
        ("CreateAddress", b"true"),
        ("CreateAddress", b"4"[:0]),  # empty
        ("PatchOrder", b"<h1>Wartungsarbeiten</h1>"),
        ("PatchOrder", b""),
        ("PatchOrder", b"1"),  # an integer, but not the documented 0
        ("PatchOrder", b'{"status": "OPEN"}'),
        ("CreateOrderComment", b"7"),
        ("CreateOrderComment", b'{"id": null}'),
        ("CreateOrderComment", b'{"id": 7'),  # cut
        ("CreateOrderField", b'{"name": "Zaehler", "content": "4711", "position": 2}'),  # no orderId
        ("CreateOrderField", b'{"name": "other", "content": "4711", "position": 2, "orderId": 1}'),
        ("CreateOrderField", b"null"),
        ("CreateCustomer", b'{"customers": []}'),
        ("CreateCustomer", b'{"customer": {"name": "someone else"}}'),
        ("CreateCustomer", b'{"customer": null}'),
        ("CreateProperties", b'{"properties": []}'),  # fewer than were sent
        ("CreateProperties", b'{"properties": [{"name": null}]}'),
        ("CreateProperties", b'{"properties": [{"name": "Haus A"}'),
    ],
)
def test_a_write_answered_with_a_2xx_relay_does_not_document_has_an_unknown_outcome(
    rsps: responses.RequestsMock, client: RelayClient, operation: str, body: bytes
) -> None:
    call, method, path = _WRITES[operation]
    rsps.add(method, url(path), body=body, status=200)
    with pytest.raises(OutcomeUnknown) as caught:
        call(client)
    assert caught.value.status == 200
    assert caught.value.operation == operation


@pytest.mark.parametrize(
    ("operation", "body"),
    [
        ("CreateAddress", b"1093"),
        ("PatchOrder", b"0"),
        ("CreateOrderComment", b'{"id": 7}'),
        ("CreateOrderField", b'{"name": "Zaehler", "content": "4711", "position": 2, "orderId": 1}'),
        ("CreateCustomer", b'{"casaviAccountId": null, "customer": {"name": "HV Nord", "id": "3"}}'),
        ("CreateProperties", b'{"properties": [{"id": "9", "name": "Haus A", "externalId": 5}]}'),
    ],
)
def test_a_write_answered_as_documented_is_done(
    rsps: responses.RequestsMock, client: RelayClient, operation: str, body: bytes
) -> None:
    call, method, path = _WRITES[operation]
    rsps.add(method, url(path), body=body, status=200)
    call(client)  # no error: done


@pytest.mark.parametrize("operation", sorted(_WRITES))
@pytest.mark.parametrize(
    "failure",
    [
        requests.ReadTimeout("read timed out"),
        requests.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError())),
        requests.exceptions.ChunkedEncodingError(ProtocolError("Connection broken: IncompleteRead")),
        requests.exceptions.ContentDecodingError("bad gzip"),
        RuntimeError("something below requests"),
    ],
    ids=["read-timeout", "dropped", "cut", "undecodable", "other"],
)
def test_a_write_that_failed_after_its_body_went_out_has_an_unknown_outcome(
    rsps: responses.RequestsMock, client: RelayClient, operation: str, failure: Exception
) -> None:
    call, method, path = _WRITES[operation]
    rsps.add(method, url(path), body=failure)
    with pytest.raises(OutcomeUnknown) as caught:
        call(client)
    assert caught.value.operation == operation
    assert len(rsps.calls) == 1  # never sent twice


@pytest.mark.parametrize("operation", sorted(_WRITES))
@pytest.mark.parametrize(
    "failure",
    [requests.ConnectTimeout("connect timed out"), requests.ConnectionError("connection refused")],
    ids=["connect-timeout", "refused"],
)
def test_a_write_that_never_left_is_not_done(
    rsps: responses.RequestsMock, client: RelayClient, operation: str, failure: Exception
) -> None:
    call, method, path = _WRITES[operation]
    rsps.add(method, url(path), body=failure)
    with pytest.raises(Unavailable) as caught:
        call(client)
    assert not isinstance(caught.value, OutcomeUnknown)


def test_reads_and_writes_wait_for_their_own_timeouts() -> None:
    client = RelayClient(base_url="http://relay.test", api_key="k", read_timeout=10, write_timeout=30)
    session = mock.Mock()
    session.request.return_value = mock.Mock(status_code=200, content=b"0")
    client.session = session
    client.patch_order(1, OrderPatch(internal_id="X"))
    assert session.request.call_args.kwargs["timeout"] == (client.connect_timeout, 30)
    session.request.return_value = mock.Mock(status_code=200, content=b"[]")
    client.get_order_comments(1)
    assert session.request.call_args.kwargs["timeout"] == (client.connect_timeout, 10)


# --- Transport failures and retries ----------------------------------------------------------


def test_connection_error_is_unavailable_after_retries(
    rsps: responses.RequestsMock, client: RelayClient
) -> None:
    rsps.add(responses.GET, url("/orders"), body=requests.ConnectionError("refused"))
    with pytest.raises(Unavailable) as caught:
        client.get_orders()
    assert caught.value.message == "could not connect to relay"
    assert caught.value.operation == "GetOrders"
    assert caught.value.status is None
    assert len(rsps.calls) == 3  # 1 + retries=2


def test_connect_timeout_is_retried_then_unavailable(
    rsps: responses.RequestsMock, client: RelayClient
) -> None:
    rsps.add(responses.GET, url("/orders"), body=requests.ConnectTimeout("slow handshake"))
    with pytest.raises(Unavailable) as caught:
        client.get_orders()
    assert caught.value.message == "could not connect to relay within 3.05 s"
    assert len(rsps.calls) == 3


def test_read_timeout_is_unavailable_and_not_retried(
    rsps: responses.RequestsMock, client: RelayClient
) -> None:
    rsps.add(responses.GET, url("/orders"), body=requests.ReadTimeout("slow"))
    with pytest.raises(Unavailable) as caught:
        client.get_orders()
    assert caught.value.message == "relay did not answer within 10 s"
    assert len(rsps.calls) == 1


def test_read_timeout_while_reading_the_body_is_not_retried(
    rsps: responses.RequestsMock, client: RelayClient
) -> None:
    # requests reports a timeout in the middle of the body as ConnectionError(ReadTimeoutError).
    wrapped = requests.ConnectionError(ReadTimeoutError(None, "/orders", "Read timed out."))  # type: ignore[arg-type]
    rsps.add(responses.GET, url("/orders"), body=wrapped)
    with pytest.raises(Unavailable, match="did not answer within 10 s"):
        client.get_orders()
    assert len(rsps.calls) == 1


def test_connection_dropped_after_sending_says_so(rsps: responses.RequestsMock, client: RelayClient) -> None:
    dropped = requests.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError()))
    rsps.add(responses.POST, url("/orders/1/comments"), body=dropped)
    with pytest.raises(OutcomeUnknown, match="relay closed the connection before answering"):
        client.create_order_comment(1, text="t", author_name="a")
    assert len(rsps.calls) == 1


def test_other_request_exception_is_unavailable(rsps: responses.RequestsMock, client: RelayClient) -> None:
    rsps.add(responses.GET, url("/orders"), body=requests.exceptions.ChunkedEncodingError("cut"))
    with pytest.raises(Unavailable) as caught:
        client.get_orders()
    assert isinstance(caught.value.__cause__, requests.RequestException)


def test_get_retried_on_503_then_succeeds(rsps: responses.RequestsMock, client: RelayClient) -> None:
    rsps.add(responses.GET, url("/orders"), json={"message": "down"}, status=503)
    rsps.add(responses.GET, url("/orders"), body=requests.ConnectionError("reset"))
    rsps.add(responses.GET, url("/orders"), json=[{"id": 1}], status=200)
    orders = client.get_orders()
    assert [o.id for o in orders] == [1]
    assert len(rsps.calls) == 3


@pytest.mark.parametrize("status", [502, 503, 504])
def test_get_gives_up_after_retries(rsps: responses.RequestsMock, client: RelayClient, status: int) -> None:
    rsps.add(responses.GET, url("/orders/5"), json={"message": "gateway"}, status=status)
    with pytest.raises(Unavailable) as caught:
        client.get_order(5)
    assert caught.value.status == status
    assert caught.value.message == "gateway"
    assert len(rsps.calls) == 3


@pytest.mark.parametrize("status", [400, 404, 429, 500])
def test_get_not_retried_on_other_failures(
    rsps: responses.RequestsMock, client: RelayClient, status: int
) -> None:
    rsps.add(responses.GET, url("/orders/5"), json={"message": "no"}, status=status)
    with pytest.raises(RelayError):
        client.get_order(5)
    assert len(rsps.calls) == 1


def test_retries_zero_means_one_attempt(rsps: responses.RequestsMock) -> None:
    client = RelayClient(base_url=BASE, api_key=KEY, retries=0, backoff=0)
    rsps.add(responses.GET, url("/orders"), status=503)
    with pytest.raises(Unavailable):
        client.get_orders()
    assert len(rsps.calls) == 1


def test_backoff_grows_exponentially(rsps: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(client_module.time, "sleep", slept.append)
    client = RelayClient(base_url=BASE, api_key=KEY, retries=3, backoff=0.2)
    rsps.add(responses.GET, url("/orders"), status=503)
    with pytest.raises(Unavailable):
        client.get_orders()
    assert len(slept) == 3
    for delay, base in zip(slept, [0.2, 0.4, 0.8], strict=True):
        assert base <= delay <= base * 1.25


WRITES = [
    pytest.param(
        lambda c: c.create_address(
            AddressInput(street_address="a", postal_code="1", locality="b", country="DE")
        ),
        "POST",
        "/addresses",
        id="CreateAddress",
    ),
    pytest.param(
        lambda c: c.create_customer(CustomerInput(name="n")), "POST", "/customers", id="CreateCustomer"
    ),
    pytest.param(
        lambda c: c.create_properties([PropertyInput(id="1")], casavi_account_id=1),
        "POST",
        "/properties",
        id="CreateProperties",
    ),
    pytest.param(
        lambda c: c.patch_order(1, OrderPatch(status=OrderStatus.OPEN)), "PATCH", "/orders/1", id="PatchOrder"
    ),
    pytest.param(
        lambda c: c.create_order_comment(
            1, text="t", author_name="a", files=[UploadFile(name="a.txt", stream=io.BytesIO(b"x"), size=1)]
        ),
        "POST",
        "/orders/1/comments",
        id="CreateOrderComment",
    ),
    pytest.param(
        lambda c: c.create_order_field(OrderFieldInput(name="n", content="c", position=1, order_id=1)),
        "POST",
        "/order-fields",
        id="CreateOrderField",
    ),
]


@pytest.mark.parametrize(("call", "method", "path"), WRITES)
def test_writes_never_retried_on_503(
    rsps: responses.RequestsMock, client: RelayClient, call: Any, method: str, path: str
) -> None:
    rsps.add(method, url(path), json={"message": "busy"}, status=503)
    with pytest.raises(Unavailable):
        call(client)
    assert len(rsps.calls) == 1


@pytest.mark.parametrize(("call", "method", "path"), WRITES)
def test_writes_never_retried_on_connection_error(
    rsps: responses.RequestsMock, client: RelayClient, call: Any, method: str, path: str
) -> None:
    rsps.add(method, url(path), body=requests.ConnectionError("reset"))
    with pytest.raises(Unavailable, match="could not connect"):
        call(client)
    assert len(rsps.calls) == 1


# --- Shapes and quirks ---------------------------------------------------------------------


def test_create_address_reads_a_bare_integer(rsps: responses.RequestsMock, client: RelayClient) -> None:
    rsps.add(responses.POST, url("/addresses"), body=b"42", status=201)
    address = AddressInput(street_address="Hauptstr. 5", postal_code="10115", locality="Berlin", country="DE")
    assert client.create_address(address) == 42
    assert body_of(rsps.calls[0]) == {
        "streetAddress": "Hauptstr. 5",
        "postalCode": "10115",
        "locality": "Berlin",
        "country": "DE",
    }
    assert rsps.calls[0].request.headers["Content-Type"] == "application/json"


def test_bare_integer_sent_as_string_is_read(rsps: responses.RequestsMock, client: RelayClient) -> None:
    rsps.add(responses.POST, url("/addresses"), body=b'"42"', status=200)
    assert (
        client.create_address(AddressInput(street_address="a", postal_code="1", locality="b", country="DE"))
        == 42
    )


def test_get_orders_reads_a_bare_array_ignoring_unknown_fields_and_nulls(
    rsps: responses.RequestsMock, client: RelayClient
) -> None:
    rsps.add(
        responses.GET,
        url("/orders"),
        json=[
            {
                "id": "17",  # id as a string
                "title": "Heizung",
                "status": "IN_PROGRESS",
                "somethingNew": {"nested": [1, 2]},  # unknown: ignored
                "address": {"id": 3, "streetAddress": "Weg 1", "postalCode": None, "extra": True},
                "dueDate": "2026-12-01",
                "followUpDate": "next week",
                "createdAt": "2026-11-01T08:00:00Z",
                "updatedAt": None,
                "fields": [{"id": "4", "position": 1.5, "name": "Zähler", "content": "123"}],
                "attachments": [{"name": "a.pdf", "itemType": "file", "updatedAt": "2019-08-24T14:15:22Z"}],
                "comments": [
                    {
                        "id": 9,
                        "text": "hi",
                        "orderId": "17",
                        "author": "Eva",
                        "attachments": None,
                        "createdAt": "garbage",
                    }
                ],
                "contactPersons": [{"type": "tenant", "name": "Max", "id": "8", "mobile": None}],
                "customerId": "5",
                "isInternal": False,
            },
            {},  # every field missing
            {"id": 2, "status": "NULL", "fields": None, "comments": None},
            {"id": 3, "status": "ARCHIVED"},
        ],
    )
    first, empty, null_status, unknown = client.get_orders()

    assert first.id == 17
    assert first.customer_id == 5
    assert first.status is OrderStatus.IN_PROGRESS
    assert first.address is not None and first.address.street_address == "Weg 1"
    assert first.address.postal_code is None
    assert first.fields[0].id == 4 and first.fields[0].position == 1.5
    assert first.attachments[0].item_type == "file"
    assert first.contact_persons[0].id == 8
    comment = first.comments[0]
    assert comment.order_id == 17 and comment.attachments == ()
    # Dates: good ones become aware datetimes, bad ones stay text, missing ones None.
    # A bare date is a day (no made-up midnight): see relaydash.relay.records.parse_moment.
    assert first.due == dt.date(2026, 12, 1) and not isinstance(first.due, dt.datetime)
    assert first.created == dt.datetime(2026, 11, 1, 8, tzinfo=dt.UTC)
    assert first.follow_up == "next week"
    assert comment.created == "garbage"
    assert first.updated is None

    assert empty.id is None and empty.title is None and empty.fields == () and empty.status is None

    assert null_status.status is OrderStatus.NULL
    assert null_status.fields == () and null_status.comments == ()

    assert unknown.status is None
    assert unknown.status_text == "ARCHIVED"


def test_get_order_comments_reads_a_bare_array(rsps: responses.RequestsMock, client: RelayClient) -> None:
    rsps.add(
        responses.GET,
        url("/orders/3/comments"),
        json=[
            {
                "id": "1",
                "text": "a",
                "author": "Eva",
                "attachments": [{"name": "x.jpg", "itemType": "image"}],
                "createdAt": "2026-11-28T10:00:00+01:00",
            },
            {"id": 2},
        ],
    )
    comments = client.get_order_comments(3)
    assert [c.id for c in comments] == [1, 2]
    assert comments[0].attachments[0].name == "x.jpg"
    assert comments[0].created == dt.datetime(2026, 11, 28, 9, tzinfo=dt.UTC)


def test_get_customers_reads_the_wrapped_list(rsps: responses.RequestsMock, client: RelayClient) -> None:
    rsps.add(
        responses.GET,
        url("/customers"),
        json={
            "customers": [
                {"id": 1, "name": "Hausverwaltung Nord", "casaviTenantId": "77", "address": None, "new": 1},
                {"id": "2"},
            ],
            "total": 2,
        },
    )
    customers = client.get_customers()
    assert [c.id for c in customers] == [1, 2]
    assert customers[0].casavi_tenant_id == 77 and customers[0].connected_to_casavi
    assert not customers[1].connected_to_casavi


@pytest.mark.parametrize(("sent", "seen"), [(123, "123"), ("A-123", "A-123"), (None, None)])
def test_property_external_id_as_number_or_string(
    rsps: responses.RequestsMock, client: RelayClient, sent: Any, seen: str | None
) -> None:
    rsps.add(
        responses.GET,
        url("/properties/4"),
        json={"id": "4", "externalId": sent, "createdAt": "2026-01-02T03:04:05Z", "updatedAt": "?"},
    )
    prop = client.get_property(4)
    assert prop.id == 4
    assert prop.external_id == seen
    assert prop.created == dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert prop.updated == "?"


def test_get_properties_sends_limit_and_offset_and_reads_the_wrapped_list(
    rsps: responses.RequestsMock, client: RelayClient
) -> None:
    rsps.add(
        responses.GET,
        url("/properties"),
        match=[responses.matchers.query_param_matcher({"limit": "50", "offset": "100"})],
        json={"properties": [{"id": 1, "externalId": 9}, {"id": 2, "externalId": "x"}]},
    )
    props = client.get_properties(limit=50, offset=100)
    assert [(p.id, p.external_id) for p in props] == [(1, "9"), (2, "x")]


def test_create_properties_sends_ids_as_strings_and_normalises_the_echo(
    rsps: responses.RequestsMock, client: RelayClient
) -> None:
    rsps.add(
        responses.POST,
        url("/properties"),
        json={"properties": [{"id": 11, "externalId": 12, "name": "Haus", "customerId": "5", "unknown": 1}]},
    )
    sneaky = PropertyInput(id=11, external_id=12, name="Haus", customer_id=5)  # type: ignore[arg-type]
    echoed = client.create_properties([sneaky], casavi_account_id=3)
    assert body_of(rsps.calls[0]) == {
        "casaviAccountId": 3,
        "properties": [{"id": "11", "name": "Haus", "externalId": "12", "customerId": 5}],
    }
    assert echoed == [PropertyInput(id="11", external_id="12", name="Haus", customer_id=5)]


def test_create_customer_sends_account_only_when_given(
    rsps: responses.RequestsMock, client: RelayClient
) -> None:
    customer = CustomerInput(
        name="HV Nord",
        address=AddressInput(street_address="a", postal_code="1", locality="b", country="DE"),
    )
    rsps.add(responses.POST, url("/customers"), json={"customer": {"name": "HV Nord"}, "extra": 1})
    rsps.add(
        responses.POST, url("/customers"), json={"casaviAccountId": "9", "customer": {"name": "HV Nord"}}
    )
    first = client.create_customer(customer)
    second = client.create_customer(customer, casavi_account_id=9)
    assert body_of(rsps.calls[0]) == {
        "customer": {
            "name": "HV Nord",
            "address": {"streetAddress": "a", "postalCode": "1", "locality": "b", "country": "DE"},
        }
    }
    assert body_of(rsps.calls[1])["casaviAccountId"] == 9
    assert first.casavi_account_id is None and first.customer.name == "HV Nord"
    assert second.casavi_account_id == 9


def test_create_order_field_echoes(rsps: responses.RequestsMock, client: RelayClient) -> None:
    rsps.add(
        responses.POST,
        url("/order-fields"),
        json={"name": "Zähler", "content": "42", "position": "2", "orderId": "7", "id": 99},
    )
    field = client.create_order_field(OrderFieldInput(name="Zähler", content="42", position=2, order_id=7))
    assert body_of(rsps.calls[0]) == {"name": "Zähler", "content": "42", "position": 2, "orderId": 7}
    assert field == OrderFieldInput(name="Zähler", content="42", position=2, order_id=7)


def test_patch_order_sends_only_the_set_fields(rsps: responses.RequestsMock, client: RelayClient) -> None:
    rsps.add(responses.PATCH, url("/orders/5"), body=b"0")
    rsps.add(responses.PATCH, url("/orders/5"), body=b"0")
    rsps.add(responses.PATCH, url("/orders/5"), body=b"0", status=202)
    assert client.patch_order(5, OrderPatch(status=OrderStatus.NULL)) is None
    client.patch_order(
        5, OrderPatch(due_date=dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC), internal_id="X")
    )
    client.patch_order(
        5, OrderPatch(address=AddressInput(street_address="a", postal_code="1", locality="b", country="AT"))
    )
    assert body_of(rsps.calls[0]) == {"status": "NULL"}
    assert body_of(rsps.calls[1]) == {"dueDate": "2026-12-01T09:30:00Z", "internalId": "X"}
    assert body_of(rsps.calls[2]) == {
        "address": {"streetAddress": "a", "postalCode": "1", "locality": "b", "country": "AT"}
    }


def test_patch_order_sends_a_naive_due_date_with_local_offset(
    rsps: responses.RequestsMock, client: RelayClient, settings: Any
) -> None:
    settings.TIME_ZONE = "Europe/Berlin"
    rsps.add(responses.PATCH, url("/orders/5"), body=b"0")
    client.patch_order(5, OrderPatch(due_date=dt.datetime(2026, 12, 1, 9, 30)))
    assert body_of(rsps.calls[0]) == {"dueDate": "2026-12-01T09:30:00+01:00"}


# --- What goes on the wire -------------------------------------------------------------


def test_ids_are_escaped_in_paths(rsps: responses.RequestsMock, client: RelayClient) -> None:
    rsps.add(responses.GET, url("/orders/7%2F..%2Fcustomers%3Fx%3D1/comments"), json=[])
    assert client.get_order_comments("7/../customers?x=1") == []  # type: ignore[arg-type]
    assert rsps.calls[0].request.url == url("/orders/7%2F..%2Fcustomers%3Fx%3D1/comments")
    assert client.url_for("GetProperty", {"propertyId": "a b"}) == url("/properties/a%20b")


def test_every_call_uses_the_path_table(client: RelayClient) -> None:
    for operation, (_method, template) in PATHS.items():
        built = client.url_for(operation, {"orderId": 1, "propertyId": 1})
        assert built == BASE + template.replace("{orderId}", "1").replace("{propertyId}", "1")


def test_headers_on_every_call(rsps: responses.RequestsMock, client: RelayClient) -> None:
    rsps.add(responses.GET, url("/orders"), json=[])
    rsps.add(responses.POST, url("/orders/1/comments"), json={"id": 1})
    client.get_orders()
    client.create_order_comment(1, text="t", author_name="a")
    for call in rsps.calls:
        assert call.request.headers["Authorization"] == f"Bearer {KEY}"
        assert call.request.headers["Accept"] == "application/json"
        assert call.request.headers["User-Agent"] == "relaydash/0.1"


def test_timeouts_are_passed_on_every_call(rsps: responses.RequestsMock) -> None:
    client = RelayClient(
        base_url=BASE,
        api_key=KEY,
        connect_timeout=1.5,
        read_timeout=7.0,
        write_timeout=20.0,
        upload_timeout=99.0,
        backoff=0,
    )
    rsps.add(responses.GET, url("/orders/1"), json={"id": 1})
    rsps.add(responses.PATCH, url("/orders/1"), body=b"0")
    rsps.add(responses.POST, url("/orders/1/comments"), json={"id": 2})
    client.get_order(1)
    client.patch_order(1, OrderPatch(internal_id="x"))
    client.create_order_comment(1, text="t", author_name="a")
    # responses records the keyword arguments the HTTP adapter was called with.
    timeouts = [call.request.req_kwargs["timeout"] for call in rsps.calls]
    assert timeouts == [(1.5, 7.0), (1.5, 20.0), (1.5, 99.0)]


def test_default_timeouts(rsps: responses.RequestsMock, client: RelayClient) -> None:
    rsps.add(responses.GET, url("/orders"), json=[])
    client.get_orders()
    assert rsps.calls[0].request.req_kwargs["timeout"] == (3.05, 10.0)


def test_redirects_are_not_followed(rsps: responses.RequestsMock, client: RelayClient) -> None:
    rsps.add(responses.POST, url("/order-fields"), status=302, headers={"Location": url("/elsewhere")})
    with pytest.raises(BadResponse):
        client.create_order_field(OrderFieldInput(name="n", content="c", position=1, order_id=1))
    assert len(rsps.calls) == 1


def test_the_key_is_never_logged(
    rsps: responses.RequestsMock, client: RelayClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    rsps.add(responses.GET, url("/orders"), status=503)
    rsps.add(responses.GET, url("/orders"), json=[])
    rsps.add(responses.GET, url("/orders/1"), json={"message": "nope"}, status=401)
    client.get_orders()
    with pytest.raises(Unauthorized):
        client.get_order(1)
    relay_records = [r for r in caplog.records if r.name == "relaydash.relay"]
    assert relay_records, "each call is logged"
    assert any("GetOrders" in r.getMessage() and "200" in r.getMessage() for r in relay_records)
    assert all(KEY not in r.getMessage() for r in caplog.records)
    assert KEY not in repr(client)


# --- Comments with files ---------------------------------------------------------------


def upload(name: str, data: bytes, size: int | None = None, content_type: str = "text/plain") -> UploadFile:
    return UploadFile(
        name=name,
        stream=io.BytesIO(data),
        size=len(data) if size is None else size,
        content_type=content_type,
    )


def test_multipart_body_has_text_author_and_repeated_files(
    rsps: responses.RequestsMock, client: RelayClient
) -> None:
    rsps.add(responses.POST, url("/orders/8/comments"), json={"id": 321}, status=201)
    files = [
        upload("a.txt", b"alpha"),
        upload("b.pdf", b"%PDF-1.7 beta", content_type="application/pdf"),
        upload("ü c.bin", bytes(range(256)), content_type="application/octet-stream"),
    ]
    assert (
        client.create_order_comment(8, text="Termin am Montag", author_name="Eva Meier", files=files) == 321
    )

    request = rsps.calls[0].request
    assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert int(request.headers["Content-Length"]) == len(request.body)
    parts = MultipartDecoder(request.body, request.headers["Content-Type"]).parts
    dispositions = [p.headers[b"Content-Disposition"].decode() for p in parts]
    assert dispositions[0] == 'form-data; name="text"'
    assert parts[0].text == "Termin am Montag"
    assert dispositions[1] == 'form-data; name="authorName"'
    assert parts[1].text == "Eva Meier"
    assert [d.split(";")[1].strip() for d in dispositions[2:]] == ['name="files"'] * 3
    assert 'filename="a.txt"' in dispositions[2]
    assert [p.content for p in parts[2:]] == [b"alpha", b"%PDF-1.7 beta", bytes(range(256))]
    assert [p.headers[b"Content-Type"] for p in parts[2:]] == [
        b"text/plain",
        b"application/pdf",
        b"application/octet-stream",
    ]


def test_comment_without_files(rsps: responses.RequestsMock, client: RelayClient) -> None:
    rsps.add(responses.POST, url("/orders/8/comments"), json={"id": "5"})
    assert client.create_order_comment(8, text="t", author_name="a") == 5
    parts = MultipartDecoder(rsps.calls[0].request.body, rsps.calls[0].request.headers["Content-Type"]).parts
    assert len(parts) == 2


def test_eleven_files_are_refused_before_sending(rsps: responses.RequestsMock, client: RelayClient) -> None:
    files = [upload(f"{i}.txt", b"x") for i in range(11)]
    with pytest.raises(ValidationFailed) as caught:
        client.create_order_comment(1, text="t", author_name="a", files=files)
    assert "at most 10 files" in caught.value.message
    assert caught.value.operation == "CreateOrderComment"
    assert len(rsps.calls) == 0


def test_over_100_mib_is_refused_before_sending(rsps: responses.RequestsMock, client: RelayClient) -> None:
    # Declared sizes are what count: no stream is read to find out.
    files = [
        upload("big.bin", b"", size=MAX_COMMENT_BYTES // 2),
        upload("big2.bin", b"", size=MAX_COMMENT_BYTES // 2 + 1),
    ]
    with pytest.raises(ValidationFailed) as caught:
        client.create_order_comment(1, text="t", author_name="a", files=files)
    assert "at most 100 MB" in caught.value.message
    assert len(rsps.calls) == 0


def test_limits_themselves_are_allowed() -> None:
    check_comment_files([upload(f"{i}", b"", size=MAX_COMMENT_BYTES // 10) for i in range(10)])
    check_comment_files([])


# --- get_client ------------------------------------------------------------------------


def test_get_client_needs_a_url(settings: Any) -> None:
    settings.RELAY_API_URL = ""
    with pytest.raises(ImproperlyConfigured):
        get_client()


def test_get_client_is_one_per_settings(settings: Any) -> None:
    settings.RELAY_API_URL = "http://relay.one/api"
    settings.RELAY_API_KEY = "k1"
    first = get_client()
    assert get_client() is first
    assert first.base_url == "http://relay.one/api"
    assert first.session.headers["Authorization"] == "Bearer k1"

    settings.RELAY_API_URL = "http://relay.two/api"
    second = get_client()
    assert second is not first and second.base_url == "http://relay.two/api"

    settings.RELAY_TIMEOUT_READ = 5
    settings.RELAY_RETRIES = 0
    third = get_client()
    assert third is not second and third.read_timeout == 5.0 and third.retries == 0

    settings.RELAY_API_URL = "http://relay.one/api"
    settings.RELAY_TIMEOUT_READ = 10.0
    settings.RELAY_RETRIES = 2
    assert get_client() is first
