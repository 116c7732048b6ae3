"""GetOrders, GetOrder, PatchOrder and CreateOrderField."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from relaydash.sandbox.models import Order, OrderField
from tests.sandbox.conftest import Api

pytestmark = pytest.mark.django_db

ORDER_KEYS = {
    "id", "title", "status", "address", "dueDate", "followUpDate", "createdAt", "updatedAt", "internalId",
    "isInternal", "type", "taskId", "fields", "attachments", "comments", "contactPersons", "customerId",
}  # fmt: skip
STATUSES = ["OPEN", "IN_PROGRESS", "FINISHED", "DECLINED", "NULL", "PREPARE"]

MakeOrder = Callable[..., Order]


def test_get_orders_is_a_bare_array_of_complete_orders(api: Api, make_order: MakeOrder) -> None:
    first, second = make_order(), make_order(title="Wartung", status="NULL", due_date=None)
    response = api.get("/orders")
    assert response.status_code == 200
    orders = response.json()
    assert isinstance(orders, list)
    assert [o["id"] for o in orders] == [first.pk, second.pk]
    order = orders[0]
    assert set(order) == ORDER_KEYS
    assert order["status"] == "OPEN"
    assert order["dueDate"] == "2026-12-01T09:00:00+00:00"
    assert order["followUpDate"] is None
    assert order["isInternal"] is False
    assert order["customerId"] == 3
    assert set(order["address"]) == {
        "id", "streetAddress", "postalCode", "locality", "country", "additionalInfo", "accountId"
    }  # fmt: skip
    assert order["fields"] == [
        {"id": order["fields"][0]["id"], "position": 1, "name": "Wohnung", "content": "EG links"}
    ]
    assert order["attachments"] == [
        {"name": "Foto.jpg", "itemType": "image/jpeg", "updatedAt": "2026-11-01T08:00:00+00:00"}
    ]
    (comment,) = order["comments"]
    assert set(comment) == {"id", "text", "orderId", "author", "attachments", "createdAt"}
    assert comment["orderId"] == first.pk
    assert comment["attachments"] == [
        {"name": "Protokoll.pdf", "itemType": "application/pdf", "updatedAt": "2026-11-01T08:00:00+00:00"}
    ]
    (contact,) = order["contactPersons"]
    assert set(contact) == {"type", "name", "id", "telephone", "mobile", "emailAddress"}
    assert contact["type"] == "Hausmeister"
    assert orders[1]["status"] == "NULL"
    assert orders[1]["dueDate"] is None


def test_get_orders_reads_each_table_once_whatever_the_number_of_orders(api: Api) -> None:
    call_command("seed_sandbox", orders=60, seed=3, verbosity=0)
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/orders")
    assert len(response.json()) == 60
    assert len(queries) <= 6


def test_get_order_is_one_item_of_get_orders(api: Api, make_order: MakeOrder) -> None:
    order = make_order()
    response = api.get(f"/orders/{order.pk}")
    assert response.status_code == 200
    assert response.json() == api.get("/orders").json()[0]


@pytest.mark.parametrize("path", ["/orders/{}", "/orders/{}/comments"])
def test_order_ids_must_be_numeric_and_known(api: Api, path: str) -> None:
    for bad in ["abc", "-1", "1.5", "١"]:
        response = api.get(path.format(bad))
        assert response.status_code == 400, bad
        assert response.json() == {"message": "orderId must be a number"}
    for unknown in ["4242", str(2**70)]:
        response = api.get(path.format(unknown))
        assert response.status_code == 404
        assert response.json() == {"message": f"order {unknown} not found"}


def test_patch_order_changes_only_what_was_sent(api: Api, make_order: MakeOrder) -> None:
    order = make_order()
    before = api.get(f"/orders/{order.pk}").json()
    response = api.patch(f"/orders/{order.pk}", {"status": "IN_PROGRESS", "unknownField": 1})
    assert response.status_code == 200
    assert response.content == b"0"
    after = api.get(f"/orders/{order.pk}").json()
    assert after["status"] == "IN_PROGRESS"
    assert datetime.fromisoformat(after["updatedAt"]) > datetime.fromisoformat(before["updatedAt"])
    unchanged = {key: value for key, value in before.items() if key not in {"status", "updatedAt"}}
    assert {key: after[key] for key in unchanged} == unchanged


def test_patch_order_sets_due_date_internal_id_and_address(api: Api, make_order: MakeOrder) -> None:
    order = make_order()
    new_address = {
        "streetAddress": "Am Markt 1",
        "postalCode": "28195",
        "locality": "Bremen",
        "country": "DE",
    }
    body = {"dueDate": "2026-12-24T10:30:00+01:00", "internalId": "AUF-99", "address": new_address}
    assert api.patch(f"/orders/{order.pk}", body).json() == 0
    after = api.get(f"/orders/{order.pk}").json()
    assert after["dueDate"] == "2026-12-24T09:30:00+00:00"
    assert after["internalId"] == "AUF-99"
    assert after["address"]["locality"] == "Bremen"
    assert after["status"] == "OPEN"


def test_patch_order_clears_due_date_and_internal_id_with_null(api: Api, make_order: MakeOrder) -> None:
    order = make_order()
    assert api.patch(f"/orders/{order.pk}", {"dueDate": None, "internalId": None}).status_code == 200
    after = api.get(f"/orders/{order.pk}").json()
    assert after["dueDate"] is None
    assert after["internalId"] is None


@pytest.mark.parametrize("status", STATUSES)
def test_patch_order_takes_every_status(api: Api, make_order: MakeOrder, status: str) -> None:
    order = make_order()
    assert api.patch(f"/orders/{order.pk}", {"status": status}).status_code == 200
    assert api.get(f"/orders/{order.pk}").json()["status"] == status


def test_two_quick_patches_give_different_updated_at(api: Api, make_order: MakeOrder) -> None:
    order = make_order()
    stamps = []
    for status in ["IN_PROGRESS", "FINISHED", "OPEN"]:
        api.patch(f"/orders/{order.pk}", {"status": status})
        stamps.append(api.get(f"/orders/{order.pk}").json()["updatedAt"])
    parsed = [datetime.fromisoformat(stamp) for stamp in stamps]
    assert parsed == sorted(parsed)
    assert len(set(parsed)) == 3


def test_patch_order_keeps_updated_at_increasing_even_when_it_is_in_the_future(
    api: Api, make_order: MakeOrder
) -> None:
    order = make_order(updated_at=datetime.fromisoformat("2999-01-01T00:00:00+00:00"))
    api.patch(f"/orders/{order.pk}", {"internalId": "X"})
    assert api.get(f"/orders/{order.pk}").json()["updatedAt"] == "2999-01-01T00:00:00.000001+00:00"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"status": "DONE"}, "status must be one of OPEN, IN_PROGRESS, FINISHED, DECLINED, NULL, PREPARE"),
        ({"status": "open"}, "status must be one of OPEN, IN_PROGRESS, FINISHED, DECLINED, NULL, PREPARE"),
        ({"status": None}, "status must be one of OPEN, IN_PROGRESS, FINISHED, DECLINED, NULL, PREPARE"),
        ({"status": 1}, "status must be one of OPEN, IN_PROGRESS, FINISHED, DECLINED, NULL, PREPARE"),
        ({"dueDate": "tomorrow"}, "dueDate must be an RFC 3339 date-time, e.g. 2026-11-28T09:15:00Z"),
        ({"dueDate": "2026-12-01"}, "dueDate must be an RFC 3339 date-time, e.g. 2026-11-28T09:15:00Z"),
        (
            {"dueDate": "2026-12-01T10:00:00"},
            "dueDate must be an RFC 3339 date-time, e.g. 2026-11-28T09:15:00Z",
        ),
        ({"dueDate": "2026-13-01T10:00:00Z"}, "dueDate is not a valid date-time"),
        ({"dueDate": "2026-02-30T10:00:00Z"}, "dueDate is not a valid date-time"),
        ({"dueDate": "2026-04-31T10:00:00Z"}, "dueDate is not a valid date-time"),
        ({"dueDate": "2026-01-01T24:00:00Z"}, "dueDate is not a valid date-time"),
        ({"dueDate": "2026-01-01T10:00:00+24:00"}, "dueDate is not a valid date-time"),
        ({"dueDate": "9999-12-31T23:59:59-23:59"}, "dueDate must be between the years 1900 and 2999"),
        ({"dueDate": "0001-01-01T00:00:00+01:00"}, "dueDate must be between the years 1900 and 2999"),
        ({"dueDate": "0000-01-01T00:00:00Z"}, "dueDate is not a valid date-time"),
        ({"dueDate": 1764320100}, "dueDate must be an RFC 3339 date-time string"),
        ({"internalId": 5}, "internalId must be a string"),
        ({"address": "Bremen"}, "address must be an object"),
        ({"address": None}, "address must be an object"),
        (
            {"address": {"streetAddress": "Am Markt 1", "postalCode": "1", "country": "DE"}},
            "address.locality is required",
        ),
        (
            {"status": "FINISHED", "dueDate": "soon"},
            "dueDate must be an RFC 3339 date-time, e.g. 2026-11-28T09:15:00Z",
        ),
    ],
)
def test_patch_order_validates_and_changes_nothing_on_error(
    api: Api, make_order: MakeOrder, body: dict[str, Any], message: str
) -> None:
    order = make_order()
    before = api.get(f"/orders/{order.pk}").json()
    response = api.patch(f"/orders/{order.pk}", body)
    assert response.status_code == 400
    assert response.json() == {"message": message}
    assert api.get(f"/orders/{order.pk}").json() == before


@pytest.mark.parametrize(
    "value",
    [
        "2026-11-28T09:15:00Z",
        "2026-11-28t09:15:00z",
        "2026-11-28T09:15:00.123456789+05:30",
        "2016-12-31T23:59:60Z",
    ],
)
def test_patch_order_accepts_rfc3339_forms(api: Api, make_order: MakeOrder, value: str) -> None:
    order = make_order()
    assert api.patch(f"/orders/{order.pk}", {"dueDate": value}).status_code == 200


def test_patch_order_unknown_is_a_404(api: Api) -> None:
    response = api.patch("/orders/777", {"status": "OPEN"})
    assert response.status_code == 404
    assert response.json() == {"message": "order 777 not found"}


def test_create_order_field_echoes_the_field(api: Api, make_order: MakeOrder) -> None:
    order = make_order()
    body = {"name": "Zählernummer", "content": "1EMH0012345", "position": 2, "orderId": order.pk}
    response = api.post("/order-fields", body)
    assert response.status_code == 200
    assert response.json() == body
    fields = api.get(f"/orders/{order.pk}").json()["fields"]
    assert [(f["name"], f["position"]) for f in fields] == [("Wohnung", 1), ("Zählernummer", 2)]


def test_create_order_field_keeps_a_decimal_position(api: Api, make_order: MakeOrder) -> None:
    order = make_order()
    body = {"name": "Etage", "content": "2", "position": 0.5, "orderId": order.pk}
    assert api.post("/order-fields", body).json() == body
    assert api.get(f"/orders/{order.pk}").json()["fields"][0]["position"] == 0.5


def test_create_order_field_for_an_unknown_order_is_a_404(api: Api) -> None:
    response = api.post("/order-fields", {"name": "A", "content": "B", "position": 1, "orderId": 31337})
    assert response.status_code == 404
    assert response.json() == {"message": "order 31337 not found"}
    assert not OrderField.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": None}, "name is required"),
        ({"content": None}, "content is required"),
        ({"position": None}, "position is required"),
        ({"orderId": None}, "orderId is required"),
        ({"name": 3}, "name must be a string"),
        ({"content": 3}, "content must be a string"),
        ({"position": "1"}, "position must be a number"),
        ({"position": True}, "position must be a number"),
        ({"position": 10**400}, "position is out of range"),
        ({"orderId": "1"}, "orderId must be an integer"),
        ({"orderId": 1.5}, "orderId must be an integer"),
        ({"orderId": False}, "orderId must be an integer"),
    ],
)
def test_create_order_field_validates(
    api: Api, make_order: MakeOrder, change: dict[str, Any], message: str
) -> None:
    order = make_order()
    body = {"name": "A", "content": "B", "position": 1, "orderId": order.pk, **change}
    response = api.post("/order-fields", {key: value for key, value in body.items() if value is not None})
    assert response.status_code == 400
    assert response.json() == {"message": message}


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_create_order_field_refuses_non_finite_positions(
    api: Api, make_order: MakeOrder, literal: str
) -> None:
    order = make_order()
    raw = f'{{"name": "A", "content": "B", "position": {literal}, "orderId": {order.pk}}}'
    response = api.post("/order-fields", raw)
    assert response.status_code == 400
    assert response.json() == {"message": "position must be a finite number"}
