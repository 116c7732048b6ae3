"""CreateProperties (upsert), GetProperties (paging) and GetProperty."""

from datetime import datetime
from typing import Any

import pytest

from relaydash.sandbox.models import Property
from tests.sandbox.conftest import Api

pytestmark = pytest.mark.django_db

ADDRESS = {"streetAddress": "Goethestraße 5", "postalCode": "80331", "locality": "München", "country": "DE"}
PROPERTY_KEYS = {
    "id",
    "name",
    "externalId",
    "customerId",
    "origin",
    "address",
    "mscNumber",
    "createdAt",
    "updatedAt",
}


def create(api: Api, *items: dict[str, Any]) -> list[dict[str, Any]]:
    response = api.post("/properties", {"casaviAccountId": 1, "properties": list(items)})
    assert response.status_code == 200, response.content
    return response.json()["properties"]


def test_create_properties_echoes_the_items_with_new_ids_as_strings(api: Api) -> None:
    echoed = create(
        api,
        {"name": "WEG Goethestraße 5", "address": ADDRESS, "externalId": "4711", "customerId": 3},
        {"name": "Wohnanlage Am Park", "mscNumber": "MSC-1", "internalId": "O-2"},
    )
    first, second = echoed
    assert first["id"] == str(Property.objects.get(name="WEG Goethestraße 5").pk)
    assert first["name"] == "WEG Goethestraße 5"
    assert first["externalId"] == "4711"
    assert first["customerId"] == 3
    assert first["address"]["streetAddress"] == "Goethestraße 5"
    assert second == {
        "id": second["id"],
        "name": "Wohnanlage Am Park",
        "address": None,
        "mscNumber": "MSC-1",
        "internalId": "O-2",
        "externalId": None,
        "customerId": None,
    }
    assert second["id"].isdigit()


def test_get_property_has_numeric_id_and_numeric_external_id(api: Api) -> None:
    numeric, textual = create(
        api, {"name": "A", "externalId": "4711", "address": ADDRESS}, {"name": "B", "externalId": "OBJ-7"}
    )
    response = api.get(f"/properties/{numeric['id']}")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == PROPERTY_KEYS
    assert body["id"] == int(numeric["id"])
    assert body["externalId"] == 4711
    assert body["address"]["locality"] == "München"
    assert datetime.fromisoformat(body["createdAt"]).utcoffset() is not None
    assert api.get(f"/properties/{textual['id']}").json()["externalId"] == "OBJ-7"


def test_create_properties_updates_an_existing_property_by_id(api: Api) -> None:
    (created,) = create(api, {"name": "Alt", "externalId": "1", "mscNumber": "MSC-9"})
    before = api.get(f"/properties/{created['id']}").json()
    (updated,) = create(api, {"id": created["id"], "name": "Neu", "address": ADDRESS})
    assert updated["id"] == created["id"]
    assert Property.objects.count() == 1
    after = api.get(f"/properties/{created['id']}").json()
    assert after["name"] == "Neu"
    assert after["address"]["streetAddress"] == "Goethestraße 5"
    assert after["mscNumber"] == "MSC-9", "a field not sent keeps its value"
    assert after["createdAt"] == before["createdAt"]
    assert datetime.fromisoformat(after["updatedAt"]) > datetime.fromisoformat(before["updatedAt"])


def test_an_unknown_id_is_a_404_and_nothing_of_the_batch_is_written(api: Api) -> None:
    response = api.post(
        "/properties", {"casaviAccountId": 1, "properties": [{"name": "Neu"}, {"id": "999", "name": "X"}]}
    )
    assert response.status_code == 404
    assert response.json() == {"message": "property 999 not found"}
    assert not Property.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"properties": []}, "casaviAccountId is required"),
        ({"casaviAccountId": "1", "properties": []}, "casaviAccountId must be an integer"),
        ({"casaviAccountId": False, "properties": []}, "casaviAccountId must be an integer"),
        ({"casaviAccountId": 1}, "properties is required"),
        ({"casaviAccountId": 1, "properties": {"name": "A"}}, "properties must be an array"),
        ({"casaviAccountId": 1, "properties": ["A"]}, "properties[0] must be an object"),
        ({"casaviAccountId": 1, "properties": [{"name": "A"}, {}]}, "properties[1].name is required"),
        ({"casaviAccountId": 1, "properties": [{"name": 7}]}, "properties[0].name must be a string"),
        ({"casaviAccountId": 1, "properties": [{"name": "A", "id": 5}]}, "properties[0].id must be a string"),
        (
            {"casaviAccountId": 1, "properties": [{"name": "A", "id": "abc"}]},
            "properties[0].id must be a number",
        ),
        (
            {"casaviAccountId": 1, "properties": [{"name": "A", "id": "-1"}]},
            "properties[0].id must be a number",
        ),
        (
            {"casaviAccountId": 1, "properties": [{"name": "A", "externalId": 4711}]},
            "properties[0].externalId must be a string",
        ),
        (
            {"casaviAccountId": 1, "properties": [{"name": "A", "customerId": "3"}]},
            "properties[0].customerId must be an integer",
        ),
        (
            {"casaviAccountId": 1, "properties": [{"name": "A", "address": {**ADDRESS, "country": "XY"}}]},
            "properties[0].address.country must be an ISO 3166-1 alpha-2 code, e.g. DE",
        ),
    ],
)
def test_create_properties_validates(api: Api, body: dict[str, Any], message: str) -> None:
    response = api.post("/properties", body)
    assert response.status_code == 400
    assert response.json() == {"message": message}
    assert not Property.objects.exists()


def test_get_properties_pages_by_id(api: Api) -> None:
    ids = [int(item["id"]) for item in create(api, *({"name": f"P{n}"} for n in range(5)))]
    page = api.get("/properties", limit=2, offset=0).json()["properties"]
    assert [p["id"] for p in page] == ids[:2]
    assert set(page[0]) == PROPERTY_KEYS
    assert [p["id"] for p in api.get("/properties", limit=2, offset=2).json()["properties"]] == ids[2:4]
    assert [p["id"] for p in api.get("/properties", limit=10, offset=4).json()["properties"]] == ids[4:]
    assert api.get("/properties", limit=10, offset=5).json() == {"properties": []}
    assert api.get("/properties", limit=0, offset=0).json() == {"properties": []}
    assert api.get("/properties", limit=1000, offset=2**63 - 1).json() == {"properties": []}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"offset": 0}, "limit is required"),
        ({"limit": 10}, "offset is required"),
        ({}, "limit is required"),
        ({"limit": "", "offset": 0}, "limit is required"),
        ({"limit": -1, "offset": 0}, "limit must be a non-negative integer"),
        ({"limit": "ten", "offset": 0}, "limit must be a non-negative integer"),
        ({"limit": 1.5, "offset": 0}, "limit must be a non-negative integer"),
        ({"limit": "١٢", "offset": 0}, "limit must be a non-negative integer"),
        ({"limit": 1001, "offset": 0}, "limit must be at most 1000"),
        ({"limit": 10, "offset": -5}, "offset must be a non-negative integer"),
        ({"limit": 10, "offset": 2**63}, f"offset must be at most {2**63 - 1}"),
    ],
)
def test_get_properties_needs_limit_and_offset(api: Api, params: dict[str, Any], message: str) -> None:
    response = api.get("/properties", **params)
    assert response.status_code == 400
    assert response.json() == {"message": message}


def test_get_property_refuses_a_non_numeric_id(api: Api) -> None:
    response = api.get("/properties/abc")
    assert response.status_code == 400
    assert response.json() == {"message": "propertyId must be a number"}


@pytest.mark.parametrize("property_id", ["12345", "99999999999999999999999999"])
def test_get_property_unknown_is_a_404(api: Api, property_id: str) -> None:
    response = api.get(f"/properties/{property_id}")
    assert response.status_code == 404
    assert response.json() == {"message": f"property {property_id} not found"}


def test_an_update_with_address_null_removes_the_address(api: Api) -> None:
    (created,) = create(api, {"name": "Mit Adresse", "address": ADDRESS})
    create(api, {"id": created["id"], "name": "Ohne Adresse", "address": None})
    assert api.get(f"/properties/{created['id']}").json()["address"] is None
