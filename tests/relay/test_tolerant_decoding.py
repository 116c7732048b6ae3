"""Tolerant decoding over the client: every scalar of every record type sent as the other
JSON type, as null and left out, for every operation that reads records; and what
happens to a record that still cannot be read (skipped with a warning in a list, a
BadResponse on its own).

`responses` stands in for relay here because these are the client's edge cases; the same
relay over real HTTP, walked page by page, is tests/test_tolerance_walk.py.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import msgspec
import msgspec.inspect as mi
import pytest
import responses

from relaydash.relay.client import RelayClient
from relaydash.relay.errors import BadResponse, OutcomeUnknown
from relaydash.relay.records import (
    AddressInput,
    Comment,
    Customer,
    CustomerInput,
    Listing,
    Order,
    OrderFieldInput,
    Property,
    PropertyInput,
    Skipped,
)

BASE = "https://relay.test/api/v1"

ADDRESS = {
    "id": 11,
    "streetAddress": "Hauptstraße 5",
    "postalCode": "10115",
    "locality": "Berlin",
    "country": "DE",
    "additionalInfo": "Hinterhaus",
    "accountId": 1,
}
ATTACHMENT = {"name": "rechnung.pdf", "itemType": "pdf", "updatedAt": "2026-11-20T10:00:00Z"}
COMMENT = {
    "id": 31,
    "text": "Termin steht",
    "orderId": 7,
    "author": "Eva Meier",
    "attachments": [ATTACHMENT],
    "createdAt": "2026-11-21T09:00:00Z",
}
ORDER = {
    "id": 7,
    "title": "Heizung defekt",
    "status": "OPEN",
    "address": ADDRESS,
    "dueDate": "2026-12-01T12:00:00Z",
    "followUpDate": "2026-12-03",
    "createdAt": "2026-11-01T08:00:00Z",
    "updatedAt": "2026-11-02T08:00:00Z",
    "internalId": "A-7",
    "isInternal": True,
    "type": "REPAIR",
    "taskId": "T812",
    "fields": [{"id": 41, "position": 1.5, "name": "Zähler", "content": "123"}],
    "attachments": [ATTACHMENT],
    "comments": [COMMENT],
    "contactPersons": [
        {
            "type": "TENANT",
            "name": "Max Mieter",
            "id": 51,
            "telephone": "+49 30 1234567",
            "mobile": "+49 170 1234567",
            "emailAddress": "max@example.org",
        }
    ],
    "customerId": 5,
}
CUSTOMER = {
    "id": 5,
    "accountId": 1,
    "casaviTenantId": 77,
    "casaviContactId": 78,
    "internalId": "K-5",
    "externalId": "E-5",
    "name": "Hausverwaltung Nord",
    "status": "ACTIVE",
    "statusUpdatedAt": "2026-10-01T00:00:00Z",
    "telephone": "+49 40 1234567",
    "addressId": 11,
    "origin": "CASAVI",
    "techemId": "T-5",
    "oasisId": "O-5",
    "emailAddress": "nord@example.org",
    "assfinetId": "AF-5",
    "autoAssignUserId": 3,
    "address": ADDRESS,
}
PROPERTY = {
    "id": 21,
    "name": "Wohnanlage Am Markt",
    "externalId": 9021,
    "customerId": 5,
    "origin": "CASAVI",
    "address": ADDRESS,
    "mscNumber": "MSC-21",
    "internalId": "P-21",
    "createdAt": "2026-01-02T03:04:05Z",
    "updatedAt": "2026-02-03T04:05:06Z",
}


@dataclass(frozen=True)
class Operation:
    name: str
    path: str
    record_type: type[msgspec.Struct]
    sample: dict[str, Any]
    wrap: Callable[[list[dict[str, Any]]], Any] | None  # None: a single record
    call: Callable[[RelayClient], Any]


OPERATIONS = [
    Operation("GetOrders", "/orders", Order, ORDER, lambda items: items, lambda c: c.get_orders()),
    Operation("GetOrder", "/orders/7", Order, ORDER, None, lambda c: c.get_order(7)),
    Operation(
        "GetCustomers",
        "/customers",
        Customer,
        CUSTOMER,
        lambda items: {"customers": items},
        lambda c: c.get_customers(),
    ),
    Operation(
        "GetProperties",
        "/properties",
        Property,
        PROPERTY,
        lambda items: {"properties": items},
        lambda c: c.get_properties(limit=10, offset=0),
    ),
    Operation("GetProperty", "/properties/21", Property, PROPERTY, None, lambda c: c.get_property(21)),
    Operation(
        "GetOrderComments",
        "/orders/7/comments",
        Comment,
        COMMENT,
        lambda items: items,
        lambda c: c.get_order_comments(7),
    ),
]

type Path = tuple[str | int, ...]


def scalar_paths(value: Any, path: Path = ()) -> Iterator[Path]:
    """Every scalar of a sample record, nested records and list elements included."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from scalar_paths(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from scalar_paths(inner, (*path, index))
    else:
        yield path


def other_type(value: Any) -> Any:
    """The same scalar as the other JSON type: text as a number, numbers and bools as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return 812


def mutated(sample: dict[str, Any], path: Path, variant: str) -> dict[str, Any]:
    record = copy.deepcopy(sample)
    parent: Any = record
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if variant == "other":
        parent[last] = other_type(parent[last])
    elif variant == "null":
        parent[last] = None
    else:
        del parent[last]
    return record


def read(record: Any, path: Path) -> Any:
    """The decoded value at relay's `path` (field names translated to attributes)."""
    value = record
    for step in path:
        if isinstance(step, int):
            value = value[step]
            continue
        info = mi.type_info(type(value))
        assert isinstance(info, mi.StructType)
        name = next(f.name for f in info.fields if f.encode_name == step)
        value = getattr(value, name)
    return value


def expected(original: Any, variant: str) -> Any:
    if variant != "other":
        return None
    if isinstance(original, str):
        return "812"
    return original


CASES = [
    pytest.param(op, path, variant, id=f"{op.name}-{'.'.join(map(str, path))}-{variant}")
    for op in OPERATIONS
    for path in scalar_paths(op.sample)
    for variant in ("other", "null", "absent")
]


@pytest.fixture
def client() -> RelayClient:
    return RelayClient(base_url=BASE, api_key="k", retries=0, backoff=0)


@pytest.mark.parametrize(("op", "path", "variant"), CASES)
def test_each_scalar_as_the_other_type_null_or_absent_is_read(
    rsps: responses.RequestsMock, client: RelayClient, op: Operation, path: Path, variant: str
) -> None:
    record = mutated(op.sample, path, variant)
    plain = copy.deepcopy(op.sample)
    body = op.wrap([record, plain]) if op.wrap else record
    rsps.add(responses.GET, BASE + op.path, json=body)

    answer = op.call(client)

    if op.wrap is None:
        decoded = answer
    else:
        assert isinstance(answer, Listing)
        assert answer.skipped == ()
        assert len(answer) == 2
        decoded = answer[0]
        assert msgspec.to_builtins(answer[1]) == msgspec.to_builtins(
            msgspec.convert(plain, op.record_type, strict=False)
        )
    assert isinstance(decoded, op.record_type)
    value = read(decoded, path) if _present(decoded, path) else None
    sent: Any = op.sample
    for step in path:
        sent = sent[step]
    if variant == "other" and op.record_type is Property and path == ("externalId",):
        assert value == str(sent)  # Property.externalId is text to callers, whichever way it came
    else:
        assert value == (expected(sent, variant) if variant == "other" else None), value


def _present(record: Any, path: Path) -> bool:
    """False when a list element the path goes through was dropped (it is read as absent)."""
    value = record
    for step in path[:-1]:
        if isinstance(step, int):
            if step >= len(value):
                return False
            value = value[step]
        else:
            value = read(value, (step,))
            if value is None:
                return False
    return True


# --- Records that cannot be read ---------------------------------------------------------------

UNREADABLE = [
    pytest.param("title", {"de": "Heizung"}, "$.title", id="object-where-text-belongs"),
    pytest.param("customerId", "Kunde fünf", "$.customerId", id="id-that-is-not-a-number"),
    pytest.param("comments", [5], "$.comments[0]", id="list-element-of-the-wrong-type"),
    pytest.param("attachments", "rechnung.pdf", "$.attachments", id="text-where-a-list-belongs"),
    pytest.param("isInternal", [True], "$.isInternal", id="list-where-a-bool-belongs"),
    pytest.param("address", "Hauptstraße 5", "$.address", id="text-where-an-object-belongs"),
    pytest.param("fields", [{"position": "erste"}], "$.fields[0].position", id="nested-number-as-words"),
]


@pytest.mark.parametrize(("field", "value", "where"), UNREADABLE)
def test_a_record_that_cannot_be_read_is_skipped_with_a_warning_and_the_rest_returned(
    rsps: responses.RequestsMock,
    client: RelayClient,
    caplog: pytest.LogCaptureFixture,
    field: str,
    value: Any,
    where: str,
) -> None:
    broken = {**ORDER, "id": 8, field: value}
    rsps.add(responses.GET, BASE + "/orders", json=[ORDER, broken, {**ORDER, "id": 9}])
    caplog.set_level(logging.WARNING, logger="relaydash.relay")

    orders = client.get_orders()

    assert [o.id for o in orders] == [7, 9]
    assert len(orders.skipped) == 1
    skipped = orders.skipped[0]
    assert (skipped.operation, skipped.record_id, skipped.field) == ("GetOrders", "8", where)
    assert skipped.reason.startswith("Expected")
    warning = next(r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    assert "GetOrders" in warning and "8" in warning and where in warning


@pytest.mark.parametrize(("field", "value", "where"), UNREADABLE)
def test_a_single_record_that_cannot_be_read_is_a_bad_response_naming_the_field(
    rsps: responses.RequestsMock,
    client: RelayClient,
    caplog: pytest.LogCaptureFixture,
    field: str,
    value: Any,
    where: str,
) -> None:
    rsps.add(responses.GET, BASE + "/orders/7", json={**ORDER, field: value})
    caplog.set_level(logging.WARNING, logger="relaydash.relay")
    with pytest.raises(BadResponse) as caught:
        client.get_order(7)
    assert caught.value.status == 200 and caught.value.operation == "GetOrder"
    assert where in caught.value.message
    assert any(where in r.getMessage() and "GetOrder" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("op", "junk"),
    [
        pytest.param(op, junk, id=f"{op.name}-{name}")
        for op in OPERATIONS
        if op.wrap is not None
        for name, junk in [("null", None), ("number", 5), ("text", "kaputt"), ("list", [1])]
    ],
)
def test_a_list_element_that_is_not_a_record_is_skipped(
    rsps: responses.RequestsMock, client: RelayClient, op: Operation, junk: Any
) -> None:
    assert op.wrap is not None
    rsps.add(responses.GET, BASE + op.path, json=op.wrap([junk, op.sample]))
    answer = op.call(client)
    assert len(answer) == 1 and isinstance(answer[0], op.record_type)
    assert answer.skipped == (
        Skipped(operation=op.name, record_id=None, field="$", reason=answer.skipped[0].reason),
    )


def test_many_unreadable_records_are_all_listed_but_warned_about_in_a_bounded_way(
    rsps: responses.RequestsMock, client: RelayClient, caplog: pytest.LogCaptureFixture
) -> None:
    rsps.add(responses.GET, BASE + "/orders", json=[{"id": n, "title": {}} for n in range(500)] + [ORDER])
    caplog.set_level(logging.WARNING, logger="relaydash.relay")
    orders = client.get_orders()
    assert [o.id for o in orders] == [7] and len(orders.skipped) == 500
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 21 and "480 more" in warnings[-1]


def test_an_id_that_cannot_be_read_is_named_as_sent(
    rsps: responses.RequestsMock, client: RelayClient
) -> None:
    rsps.add(responses.GET, BASE + "/customers", json={"customers": [{"id": "K-12", "name": "Nord"}]})
    customers = client.get_customers()
    assert list(customers) == []
    assert customers.skipped[0].record_id == "K-12"
    assert customers.skipped[0].field == "$.id"


@pytest.mark.parametrize("wrapped", [{"customers": None}, {}])
def test_a_null_or_missing_list_reads_as_empty(
    rsps: responses.RequestsMock, client: RelayClient, wrapped: dict[str, Any]
) -> None:
    rsps.add(responses.GET, BASE + "/customers", json=wrapped)
    customers = client.get_customers()
    assert list(customers) == [] and customers.skipped == ()


def test_a_listing_is_a_list_with_what_was_skipped() -> None:
    skipped = Skipped(operation="GetOrders", record_id="8", field="$.title", reason="Expected `str`")
    listing = Listing([1, 2], skipped=[skipped])
    assert isinstance(listing, list) and listing == [1, 2] and listing.skipped == (skipped,)
    assert Listing().skipped == ()
    with pytest.raises(AttributeError):
        skipped.field = "x"  # type: ignore[misc]


# --- Control characters -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            b'[{"id": 7, "title": "Hei\\u0000zung\\u0085 \\u001b[31mrot\\u007f", "comments": '
            b'[{"id": 1, "text": "Zeile 1\\r\\nZeile\\t2\\b\\f"}]}]',
            id="escaped",
        ),
        pytest.param(
            '[{"id": 7, "title": "Hei\x00zung\u0085 \x1b[31mrot\x7f", "comments": '
            '[{"id": 1, "text": "Zeile 1\r\nZeile\t2\b\x0c"}]}]'.encode(),
            id="raw",
        ),
    ],
)
def test_control_characters_are_removed_from_text_and_line_breaks_kept(
    rsps: responses.RequestsMock, client: RelayClient, body: bytes
) -> None:
    rsps.add(responses.GET, BASE + "/orders", body=body)
    (order,) = client.get_orders()
    assert order.title == "Heizung [31mrot"
    assert order.comments[0].text == "Zeile 1\r\nZeile\t2"


def test_bytes_that_are_not_utf8_cost_a_character_not_the_answer(
    rsps: responses.RequestsMock, client: RelayClient
) -> None:
    rsps.add(responses.GET, BASE + "/orders", body=b'[{"id": 7, "title": "Heizung \xff kaputt"}, {"id": 8}]')
    assert [o.title for o in client.get_orders()] == ["Heizung \ufffd kaputt", None]


def test_a_lone_surrogate_is_removed_not_a_crash(rsps: responses.RequestsMock, client: RelayClient) -> None:
    rsps.add(responses.GET, BASE + "/orders/7", body=b'{"id": 7, "title": "Hei\\ud800zung \\ud83d\\ude00"}')
    order = client.get_order(7)
    assert order.title == "Heizung 😀"
    assert order.title.encode("utf-8")


def test_text_without_control_characters_is_left_alone(
    rsps: responses.RequestsMock, client: RelayClient
) -> None:
    title = "Müller §5 “Keller” C:\\bin\\fix 😀 ‮"
    rsps.add(responses.GET, BASE + "/orders", json=[{"id": 7, "title": title}])
    assert client.get_orders()[0].title == title


# --- Every decoding path: only the client's typed errors come out ------------------------------

ADDRESS_INPUT = AddressInput(street_address="Weg 1", postal_code="10115", locality="Berlin", country="DE")
EVERY_OPERATION: list[tuple[str, str, str, Any, Callable[[RelayClient], Any]]] = [
    (*op_path, body, call)
    for op_path, body, call in [
        (("GetOrders", "GET", "/orders"), [ORDER, ORDER], lambda c: c.get_orders()),
        (("GetOrder", "GET", "/orders/7"), ORDER, lambda c: c.get_order(7)),
        (("GetOrderComments", "GET", "/orders/7/comments"), [COMMENT], lambda c: c.get_order_comments(7)),
        (("GetCustomers", "GET", "/customers"), {"customers": [CUSTOMER]}, lambda c: c.get_customers()),
        (
            ("GetProperties", "GET", "/properties"),
            {"properties": [PROPERTY]},
            lambda c: c.get_properties(limit=5, offset=0),
        ),
        (("GetProperty", "GET", "/properties/21"), PROPERTY, lambda c: c.get_property(21)),
        (("CreateAddress", "POST", "/addresses"), 12345, lambda c: c.create_address(ADDRESS_INPUT)),
        (
            ("CreateCustomer", "POST", "/customers"),
            {"casaviAccountId": 1, "customer": {"name": "Nord", "telephone": "+49 40 1"}},
            lambda c: c.create_customer(CustomerInput(name="Nord")),
        ),
        (
            ("CreateProperties", "POST", "/properties"),
            {"properties": [{"id": "21", "name": "Haus", "externalId": 9}]},
            lambda c: c.create_properties([PropertyInput(id="21", name="Haus")], casavi_account_id=1),
        ),
        (
            ("CreateOrderComment", "POST", "/orders/7/comments"),
            {"id": 99},
            lambda c: c.create_order_comment(7, text="t", author_name="a"),
        ),
        (
            ("CreateOrderField", "POST", "/order-fields"),
            {"name": "n", "content": "c", "position": 1, "orderId": 7},
            lambda c: c.create_order_field(OrderFieldInput(name="n", content="c", position=1, order_id=7)),
        ),
    ]
]


def broken_bodies(good: Any) -> list[tuple[str, bytes]]:
    text = json.dumps(good).encode()
    cut = [
        ("cut", text[: len(text) // 2]),
        ("cut-after-a-null-list", text.replace(b'"attachments": [', b'"attachments": null, "x": [')[:-3]),
    ]
    bodies = [
        *(cut if isinstance(good, (dict, list)) else []),  # a bare integer cut short is still one
        ("not-json", b"<html><body>Wartung</body></html>"),
        ("empty", b""),
        ("bad-utf8-cut", b'{"id": "\xff\xfe"'),
        ("deeply-nested", b"[" * 50_000 + b"]" * 50_000),
    ]
    wrong = b'"a text"' if isinstance(good, (dict, list)) else b'{"id": {"x": 1}}'
    return [
        *bodies,
        ("wrong-type", wrong),
        ("other-container", b"{}" if isinstance(good, list) else b"[[1]]"),
    ]


@pytest.mark.parametrize(
    ("operation", "method", "path", "good", "call", "body"),
    [
        pytest.param(operation, method, path, good, call, body, id=f"{operation}-{name}")
        for operation, method, path, good, call in EVERY_OPERATION
        for name, body in broken_bodies(good)
    ],
)
def test_no_broken_answer_escapes_as_anything_but_a_relay_error(
    rsps: responses.RequestsMock,
    client: RelayClient,
    operation: str,
    method: str,
    path: str,
    good: Any,
    call: Callable[[RelayClient], Any],
    body: bytes,
) -> None:
    rsps.add(method, BASE + path, body=json.dumps(good).encode(), status=200)
    call(client)  # the good answer reads
    rsps.replace(method, BASE + path, body=body, status=200)
    try:
        answer = call(client)
    except (BadResponse, OutcomeUnknown) as error:
        assert error.operation == operation and error.status == 200
        # A write whose 2xx answer is not the documented one may still have been done.
        assert isinstance(error, OutcomeUnknown if method != "GET" else BadResponse), error
    else:  # a list whose broken records were left out, or a {} that reads as no records
        assert isinstance(answer, Listing), (operation, answer)
