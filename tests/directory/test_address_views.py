"""The standalone "create address" page: CreateAddress, the new id, validation, failures."""

from collections.abc import Callable

import pytest
from django.test import Client

from relaydash.accounts.models import AuditEntry
from relaydash.accounts.permissions import Role
from relaydash.directory.forms import POSTAL_CODE_DE_INVALID, REQUIRED
from relaydash.directory.views import ADDRESS_CREATED, FORM_HAS_ERRORS
from relaydash.relay.client import RelayClient
from relaydash.sandbox import faults
from relaydash.sandbox.models import Address as SandboxAddress
from relaydash.web import NOTHING_CHANGED, RELAY_FAILED, RELAY_REJECTED

from .support import address_data, english, get, post, text


def test_create_address_shows_relays_new_id(relay: RelayClient, backoffice: Client) -> None:
    response = post(backoffice, "/addresses/new/", address_data(prefix=""))

    assert response.status_code == 302
    stored = SandboxAddress.objects.order_by("-pk").first()
    assert stored is not None and stored.street_address == "Lindenstraße 12"
    assert response["Location"] == f"/addresses/new/?created={stored.pk}"
    page = text(get(backoffice, response["Location"]))
    assert english(ADDRESS_CREATED % {"id": stored.pk}) in page
    assert f'<strong class="mono dir-created__id" id="created-id">{stored.pk}</strong>' in page
    assert f'data-copy="{stored.pk}"' in page
    entry = AuditEntry.objects.get(operation="CreateAddress")
    assert entry.target_id == str(stored.pk)
    assert entry.summary["address"]["postalCode"] == "10969"


def test_create_address_through_htmx_redirects_the_browser(relay: RelayClient, backoffice: Client) -> None:
    response = post(backoffice, "/addresses/new/", address_data(prefix=""), **{"HX-Request": "true"})
    assert response["HX-Redirect"].startswith("/addresses/new/?created=")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"locality": ""}, "locality", REQUIRED),
        ({"postal_code": "ABCDE"}, "postal_code", POSTAL_CODE_DE_INVALID),
    ],
)
def test_create_address_validation_keeps_the_input(
    relay: RelayClient, backoffice: Client, overrides: dict[str, str], field: str, message: object
) -> None:
    response = post(backoffice, "/addresses/new/", address_data(prefix="", **overrides))
    page = text(response)
    assert response.status_code == 422
    assert english(FORM_HAS_ERRORS) in page
    assert f'id="id_{field}_error"><li>{english(message)}</li>' in page
    assert 'value="Lindenstraße 12"' in page and 'value="Hinterhaus"' in page
    assert not SandboxAddress.objects.exists()


def test_create_address_when_relay_fails(relay: RelayClient, backoffice: Client) -> None:
    faults.fail_next(status=502, operation="CreateAddress")
    response = post(backoffice, "/addresses/new/", address_data(prefix=""))
    assert response.status_code == 503
    assert english(RELAY_FAILED, status=502) in text(response)
    assert english(NOTHING_CHANGED) in text(response)
    assert 'value="Lindenstraße 12"' in text(response)


def test_create_address_when_relay_refuses(relay: RelayClient, backoffice: Client) -> None:
    faults.fail_next(
        status=400, operation="CreateAddress", body=b'{"message": "country must be an ISO code"}'
    )
    response = post(backoffice, "/addresses/new/", address_data(prefix=""))
    assert response.status_code == 422
    assert english(RELAY_REJECTED % {"message": "country must be an ISO code"}) in text(response)


def test_a_created_id_in_the_url_must_be_a_number(relay: RelayClient, backoffice: Client) -> None:
    page = text(get(backoffice, "/addresses/new/?created=<b>1</b>"))
    assert "dir-created__id" not in page


def test_viewer_cannot_create_addresses(relay: RelayClient, client_as: Callable[..., Client]) -> None:
    viewer = client_as(Role.VIEWER)
    assert get(viewer, "/addresses/new/").status_code == 403
    assert post(viewer, "/addresses/new/", address_data(prefix="")).status_code == 403
