"""CreateAddress, CreateCustomer and GetCustomers."""

from datetime import datetime
from typing import Any

import pytest

from relaydash.sandbox.countries import ISO_3166_ALPHA2
from relaydash.sandbox.models import Address, Customer
from tests.sandbox.conftest import Api

pytestmark = pytest.mark.django_db

ADDRESS = {"streetAddress": "Lindenstraße 12", "postalCode": "10115", "locality": "Berlin", "country": "DE"}

CUSTOMER_KEYS = {
    "id", "accountId", "casaviTenantId", "casaviContactId", "internalId", "externalId", "name", "status",
    "statusUpdatedAt", "telephone", "addressId", "origin", "techemId", "oasisId", "emailAddress",
    "assfinetId", "autoAssignUserId", "address",
}  # fmt: skip
ADDRESS_KEYS = {"id", "streetAddress", "postalCode", "locality", "country", "additionalInfo", "accountId"}


def test_the_country_list_has_the_249_assigned_codes() -> None:
    assert len(ISO_3166_ALPHA2) == 249
    assert {"DE", "AT", "CH", "NO", "AX", "SS", "BQ"} <= ISO_3166_ALPHA2
    assert not {"XK", "EU", "UK", "ZZ", "de"} & ISO_3166_ALPHA2


def test_create_address_answers_the_new_id_as_a_bare_integer(api: Api) -> None:
    response = api.post("/addresses", {**ADDRESS, "additionalInfo": "Hinterhaus"})
    assert response.status_code == 200
    new_id = response.json()
    assert type(new_id) is int
    address = Address.objects.get(pk=new_id)
    assert (address.street_address, address.postal_code, address.locality, address.country) == (
        "Lindenstraße 12",
        "10115",
        "Berlin",
        "DE",
    )
    assert address.additional_info == "Hinterhaus"


def test_create_address_ignores_unknown_fields_and_the_ids_relay_assigns(api: Api) -> None:
    response = api.post("/addresses", {**ADDRESS, "id": 999, "accountId": 5, "colour": "blue"})
    assert response.status_code == 200
    assert response.json() != 999


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"postalCode": None}, "postalCode is required"),
        ({"streetAddress": None}, "streetAddress is required"),
        ({"locality": None}, "locality is required"),
        ({"country": None}, "country is required"),
        ({"postalCode": 10115}, "postalCode must be a string"),
        ({"postalCode": True}, "postalCode must be a string"),
        ({"streetAddress": ["Lindenstraße"]}, "streetAddress must be a string"),
        ({"locality": ""}, "locality must not be empty"),
        ({"country": "XX"}, "country must be an ISO 3166-1 alpha-2 code, e.g. DE"),
        ({"country": "de"}, "country must be an ISO 3166-1 alpha-2 code, e.g. DE"),
        ({"country": "DEU"}, "country must be an ISO 3166-1 alpha-2 code, e.g. DE"),
        ({"country": "UK"}, "country must be an ISO 3166-1 alpha-2 code, e.g. DE"),
        ({"additionalInfo": 3}, "additionalInfo must be a string"),
        ({"id": "7"}, "id must be an integer"),
        ({"accountId": True}, "accountId must be an integer"),
        ({"accountId": -1}, f"accountId must be between 0 and {2**63 - 1}"),
        ({"accountId": 2**64}, f"accountId must be between 0 and {2**63 - 1}"),
        (
            {"locality": "Ber\x00lin"},
            "locality contains characters that are not allowed (NUL or invalid Unicode)",
        ),
    ],
)
def test_create_address_validates_each_field(api: Api, change: dict[str, Any], message: str) -> None:
    body = {key: value for key, value in {**ADDRESS, **change}.items() if value is not None}
    response = api.post("/addresses", body)
    assert response.status_code == 400
    assert response.json() == {"message": message}
    assert not Address.objects.exists()


def test_a_lone_surrogate_is_refused_not_a_500(api: Api) -> None:
    response = api.post(
        "/addresses", '{"streetAddress": "\\ud800", "postalCode": "1", "locality": "B", "country": "DE"}'
    )
    assert response.status_code == 400
    assert "streetAddress contains characters" in response.json()["message"]


def test_create_customer_without_casavi_account_exists_in_relay_only(api: Api) -> None:
    response = api.post("/customers", {"customer": {"name": "Hausverwaltung Berg GmbH", "internalId": "K-1"}})
    assert response.status_code == 200
    customer = Customer.objects.get()
    assert response.json() == {
        "casaviAccountId": None,
        "customer": {
            "internalId": "K-1",
            "id": str(customer.pk),
            "name": "Hausverwaltung Berg GmbH",
            "telephone": None,
            "emailAddress": None,
            "address": None,
        },
    }
    assert customer.casavi_tenant_id is None
    assert customer.casavi_contact_id is None


def test_create_customer_with_casavi_account_connects_the_tenant(api: Api) -> None:
    body = {
        "casaviAccountId": 4711,
        "customer": {
            "id": "crm-88",
            "name": "Hausverwaltung Nord GmbH",
            "telephone": "040 123456",
            "emailAddress": "info@hv-nord.de",
            "address": ADDRESS,
        },
    }
    response = api.post("/customers", body)
    assert response.status_code == 200
    echoed = response.json()
    assert echoed["casaviAccountId"] == 4711
    assert echoed["customer"]["id"] == "crm-88"
    assert echoed["customer"]["address"]["postalCode"] == "10115"
    assert set(echoed["customer"]["address"]) == ADDRESS_KEYS
    customer = Customer.objects.get()
    assert customer.casavi_tenant_id == 4711
    assert customer.casavi_contact_id is not None
    assert customer.external_id == "crm-88"


def test_get_customers_lists_every_documented_field(api: Api) -> None:
    api.post("/customers", {"casaviAccountId": 12, "customer": {"name": "HV Süd GmbH", "address": ADDRESS}})
    api.post("/customers", {"customer": {"name": "HV West GmbH"}})
    response = api.get("/customers")
    assert response.status_code == 200
    customers = response.json()["customers"]
    assert [c["name"] for c in customers] == ["HV Süd GmbH", "HV West GmbH"]
    for customer in customers:
        assert set(customer) == CUSTOMER_KEYS
        assert type(customer["id"]) is int
        datetime.fromisoformat(customer["statusUpdatedAt"])
    connected, relay_only = customers
    assert connected["casaviTenantId"] == 12
    assert type(connected["casaviContactId"]) is int
    assert connected["addressId"] == connected["address"]["id"]
    assert set(connected["address"]) == ADDRESS_KEYS
    assert relay_only["casaviTenantId"] is None
    assert relay_only["casaviContactId"] is None
    assert relay_only["address"] is None
    assert relay_only["addressId"] is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "customer is required"),
        ({"customer": None}, "customer is required"),
        ({"customer": "HV"}, "customer must be an object"),
        ({"customer": {}}, "customer.name is required"),
        ({"customer": {"name": 5}}, "customer.name must be a string"),
        ({"customer": {"name": "HV", "id": 5}}, "customer.id must be a string"),
        ({"customer": {"name": "HV", "telephone": 4930}}, "customer.telephone must be a string"),
        ({"customer": {"name": "HV", "address": "Berlin"}}, "customer.address must be an object"),
        (
            {"customer": {"name": "HV", "address": {**ADDRESS, "postalCode": None}}},
            "customer.address.postalCode is required",
        ),
        (
            {"customer": {"name": "HV", "address": {**ADDRESS, "country": "Deutschland"}}},
            "customer.address.country must be an ISO 3166-1 alpha-2 code, e.g. DE",
        ),
        ({"casaviAccountId": True, "customer": {"name": "HV"}}, "casaviAccountId must be an integer"),
        ({"casaviAccountId": "12", "customer": {"name": "HV"}}, "casaviAccountId must be an integer"),
        ({"casaviAccountId": 1.5, "customer": {"name": "HV"}}, "casaviAccountId must be an integer"),
    ],
)
def test_create_customer_validates(api: Api, body: dict[str, Any], message: str) -> None:
    response = api.post("/customers", body)
    assert response.status_code == 400
    assert response.json() == {"message": message}
    assert not Customer.objects.exists()
