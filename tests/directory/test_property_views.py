"""Property pages over the sandbox relay: paging through limit/offset without a total,
detail, create and edit through CreateProperties, validation, relay failures, roles."""

import html
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import translation

from relaydash.accounts.models import AuditEntry
from relaydash.accounts.permissions import Role
from relaydash.directory import selectors
from relaydash.directory.forms import INTERNAL_ID_NOT_SHOWN, POSTAL_CODE_DE_INVALID, REQUIRED
from relaydash.directory.property_views import CUSTOMERS_UNAVAILABLE, PROPERTY_CREATED, PROPERTY_SAVED
from relaydash.directory.views import FORM_HAS_ERRORS
from relaydash.relay.client import RelayClient
from relaydash.sandbox import faults
from relaydash.web import NOTHING_CHANGED, RELAY_FAILED, RELAY_NOT_FOUND

from .support import address_data, all_properties, english, get, make_properties, post, property_ids, text


@pytest.fixture
def viewer(client_as: Callable[..., Client]) -> Client:
    return client_as(Role.VIEWER)


# --- List ---------------------------------------------------------------------------


def test_first_page_shows_properties_with_address_and_customer(
    seeded: RelayClient, backoffice: Client
) -> None:
    properties = all_properties(seeded)
    customers = {c.id: c.name for c in seeded.get_customers()}
    assert len(properties) < selectors.PROPERTIES_PER_PAGE

    response = get(backoffice, "/properties/")
    page = text(response)

    assert response.status_code == 200
    assert property_ids(response) == [p.id for p in properties]
    first = properties[0]
    assert english(first.address.one_line) in page
    assert english(customers[first.customer_id]) in page
    assert 'rel="next"' not in page and 'rel="prev"' not in page


def test_paging_finds_the_last_page_by_a_short_page(seeded: RelayClient, backoffice: Client) -> None:
    per_page = selectors.PROPERTIES_PER_PAGE
    make_properties(seeded, per_page + 1 - len(all_properties(seeded)))
    ids = [p.id for p in all_properties(seeded)]
    assert len(ids) == per_page + 1

    first = get(backoffice, "/properties/")
    assert property_ids(first) == ids[:per_page]
    assert 'href="/properties/?page=2"' in text(first) and 'rel="next"' in text(first)

    second = get(backoffice, "/properties/?page=2")
    assert property_ids(second) == ids[per_page:]
    assert 'rel="prev"' in text(second) and 'href="/properties/"' in text(second)
    assert 'rel="next"' not in text(second)


def test_an_exactly_full_last_page_offers_no_empty_next_page(seeded: RelayClient, backoffice: Client) -> None:
    per_page = selectors.PROPERTIES_PER_PAGE
    make_properties(seeded, per_page - len(all_properties(seeded)))
    assert len(all_properties(seeded)) == per_page

    page = text(get(backoffice, "/properties/"))
    assert len(property_ids(get(backoffice, "/properties/"))) == per_page
    assert 'rel="next"' not in page


def test_a_page_past_the_end_says_so_and_leads_back(seeded: RelayClient, backoffice: Client) -> None:
    response = get(backoffice, "/properties/?page=7")
    page = text(response)
    assert response.status_code == 200
    assert "No properties on this page" in page
    assert 'href="/properties/"' in page and 'rel="prev"' in page


@pytest.mark.parametrize("raw", ["0", "-1", "zwei", "99999999999"])
def test_a_nonsense_page_number_shows_the_first_page(
    seeded: RelayClient, backoffice: Client, raw: str
) -> None:
    assert property_ids(get(backoffice, f"/properties/?page={raw}")) == property_ids(
        get(backoffice, "/properties/")
    )


def test_paging_through_htmx_returns_the_results_alone(seeded: RelayClient, backoffice: Client) -> None:
    make_properties(seeded, 20)
    response = get(backoffice, "/properties/?page=2", **{"HX-Request": "true"})
    page = text(response)
    assert "<html" not in page and "HX-Request" in response["Vary"]
    assert 'id="property-results-heading"' in page and "data-focus-after-swap" in page


def test_list_when_relay_is_unavailable(relay: RelayClient, backoffice: Client) -> None:
    faults.fail_next(status=503, count=3, operation="GetProperties")
    response = get(backoffice, "/properties/")
    assert response.status_code == 503
    assert english(RELAY_FAILED, status=503) in text(response)


def test_list_without_customer_names_still_lists(seeded: RelayClient, backoffice: Client) -> None:
    faults.fail_next(status=503, count=3, operation="GetCustomers")
    response = get(backoffice, "/properties/")
    assert response.status_code == 200
    assert property_ids(response) == [p.id for p in all_properties(seeded)]


def test_viewer_sees_properties_without_write_controls(seeded: RelayClient, viewer: Client) -> None:
    page = text(get(viewer, "/properties/"))
    assert "New property" not in page and "Import properties" not in page
    detail = text(get(viewer, f"/properties/{all_properties(seeded)[0].id}/"))
    assert "Edit property" not in detail


# --- Detail --------------------------------------------------------------------------


def test_detail_shows_name_address_msc_ids_customer_and_dates(
    seeded: RelayClient, backoffice: Client
) -> None:
    prop = next(p for p in all_properties(seeded) if p.msc_number and p.customer_id)
    customer = next(c for c in seeded.get_customers() if c.id == prop.customer_id)

    response = get(backoffice, f"/properties/{prop.id}/")
    page = text(response)

    assert response.status_code == 200
    for value in (prop.name, prop.msc_number, prop.external_id, customer.name):
        assert english(value) in page
    assert f'href="/customers/{customer.id}/"' in page
    assert english(prop.address.street_address) in page and "Germany" in page
    assert len(re.findall(r"\d\d/\d\d/\d{4} \d", page)) == 2  # created and updated
    assert f'href="/properties/{prop.id}/edit/"' in page


def test_detail_of_an_unknown_property_is_a_404_that_says_so(seeded: RelayClient, backoffice: Client) -> None:
    response = get(backoffice, "/properties/999999/")
    assert response.status_code == 404
    assert english(RELAY_NOT_FOUND) in text(response)


def test_detail_when_relay_is_unavailable(relay: RelayClient, backoffice: Client) -> None:
    faults.fail_next(status=503, count=3, operation="GetProperty")
    response = get(backoffice, "/properties/1/")
    assert response.status_code == 503
    assert english(RELAY_FAILED, status=503) in text(response)


# --- Create and edit --------------------------------------------------------------------


def property_data(customer_id: int | str = "", **overrides: str) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Wohnanlage Am See",
        "customer_id": customer_id,
        "msc_number": "MSC-777",
        "internal_id": "O-777",
        "external_id": "E-777",
        **address_data(),
    }
    return {**data, **overrides}


def test_create_form_offers_customers_by_name_and_preselects_one(
    seeded: RelayClient, backoffice: Client
) -> None:
    customers = sorted(seeded.get_customers(), key=lambda c: (c.name or "").casefold())
    page = text(get(backoffice, f"/properties/new/?customer={customers[3].id}"))
    options = re.findall(
        r'<option value="(\d+)"( selected)?>', page.split('name="customer_id"')[1].split("</select>")[0]
    )
    assert [int(value) for value, _ in options] == [c.id for c in customers]
    assert [int(value) for value, selected in options if selected] == [customers[3].id]


def test_create_sends_create_properties_and_opens_the_new_property(
    seeded: RelayClient, backoffice: Client
) -> None:
    customer = seeded.get_customers()[2]
    before = {p.id for p in all_properties(seeded)}

    response = post(backoffice, "/properties/new/", property_data(customer.id))

    (new,) = [p for p in all_properties(seeded) if p.id not in before]
    assert response.status_code == 302
    assert response["Location"] == f"/properties/{new.id}/"
    assert (new.name, new.customer_id, new.msc_number, new.external_id) == (
        "Wohnanlage Am See",
        customer.id,
        "MSC-777",
        "E-777",
    )
    assert new.address is not None and new.address.additional_info == "Hinterhaus"
    assert english(PROPERTY_CREATED % {"name": "Wohnanlage Am See"}) in text(
        get(backoffice, response["Location"])
    )
    entry = AuditEntry.objects.get(operation="CreateProperties")
    assert entry.outcome == AuditEntry.Outcome.OK and entry.target_id == str(new.id)
    assert entry.summary["properties"][0]["name"] == "Wohnanlage Am See"
    # GetProperty does not return internalId; the trail shows it was sent.
    assert entry.summary["properties"][0]["internalId"] == "O-777"


def test_create_without_a_customer(seeded: RelayClient, backoffice: Client) -> None:
    response = post(backoffice, "/properties/new/", property_data(""))
    new = seeded.get_property(int(response["Location"].strip("/").split("/")[-1]))
    assert new.customer_id is None


def test_edit_is_prefilled_and_saves_through_the_upsert(seeded: RelayClient, backoffice: Client) -> None:
    prop = next(p for p in all_properties(seeded) if p.msc_number and p.customer_id)
    other = next(c for c in seeded.get_customers() if c.id != prop.customer_id)
    count = len(all_properties(seeded))

    form = text(get(backoffice, f"/properties/{prop.id}/edit/"))
    assert f'value="{english(prop.name)}"' in form
    assert f'value="{prop.msc_number}"' in form
    assert f'value="{english(prop.address.street_address)}"' in form
    assert f'<option value="{prop.customer_id}" selected>' in form
    assert english(INTERNAL_ID_NOT_SHOWN) in form

    data = property_data(
        other.id,
        name="Umbenannt",
        **address_data(street_address="Neue Straße 1", postal_code="01067", locality="Dresden"),
    )
    response = post(backoffice, f"/properties/{prop.id}/edit/", data)

    assert response["Location"] == f"/properties/{prop.id}/"
    saved = seeded.get_property(prop.id)
    assert (saved.name, saved.customer_id, saved.address.postal_code) == ("Umbenannt", other.id, "01067")
    assert len(all_properties(seeded)) == count
    assert english(PROPERTY_SAVED % {"name": "Umbenannt"}) in text(get(backoffice, response["Location"]))
    entry = AuditEntry.objects.get(operation="CreateProperties")
    assert entry.target_id == str(prop.id)
    assert entry.before["name"] == prop.name
    assert entry.summary["properties"][0]["id"] == str(prop.id)


def test_edit_of_an_unknown_property_is_a_404(seeded: RelayClient, backoffice: Client) -> None:
    response = get(backoffice, "/properties/999999/edit/")
    assert response.status_code == 404
    assert english(RELAY_NOT_FOUND) in text(response)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", REQUIRED),
        ({"address-street_address": ""}, "address-street_address", REQUIRED),
        ({"address-postal_code": "8033"}, "address-postal_code", POSTAL_CODE_DE_INVALID),
    ],
)
def test_create_validation_keeps_the_input(
    seeded: RelayClient, backoffice: Client, overrides: dict[str, str], field: str, message: object
) -> None:
    count = len(all_properties(seeded))
    response = post(backoffice, "/properties/new/", property_data(**overrides))
    page = text(response)
    assert response.status_code == 422
    assert english(FORM_HAS_ERRORS) in page
    assert f'id="id_{field}_error"><li>{english(message)}</li>' in page
    assert 'value="MSC-777"' in page and 'value="Berlin"' in page
    assert len(all_properties(seeded)) == count


def test_unknown_customer_choice_is_refused(seeded: RelayClient, backoffice: Client) -> None:
    response = post(backoffice, "/properties/new/", property_data(customer_id="424242"))
    assert response.status_code == 422
    assert 'id="id_customer_id_error"' in text(response)


def test_save_when_relay_fails_keeps_the_input_and_says_so(seeded: RelayClient, backoffice: Client) -> None:
    prop = all_properties(seeded)[0]
    faults.fail_next(status=503, operation="CreateProperties")
    response = post(backoffice, f"/properties/{prop.id}/edit/", property_data(name="Nicht gespeichert"))
    page = text(response)
    assert response.status_code == 503
    assert english(RELAY_FAILED, status=503) in page
    assert english(NOTHING_CHANGED) in page
    assert 'value="Nicht gespeichert"' in page
    assert seeded.get_property(prop.id).name == prop.name
    assert AuditEntry.objects.get(operation="CreateProperties").outcome == AuditEntry.Outcome.FAILED


def test_the_form_works_without_the_customer_list(seeded: RelayClient, backoffice: Client) -> None:
    faults.fail_next(status=503, count=3, operation="GetCustomers")
    response = get(backoffice, "/properties/new/")
    assert response.status_code == 200
    with translation.override("en"):
        expected = str(CUSTOMERS_UNAVAILABLE % {"reason": str(RELAY_FAILED % {"status": 503})})
    assert html.escape(expected) in text(response)


def test_viewer_cannot_create_or_edit(seeded: RelayClient, viewer: Client) -> None:
    prop = all_properties(seeded)[0]
    assert get(viewer, "/properties/new/").status_code == 403
    assert get(viewer, f"/properties/{prop.id}/edit/").status_code == 403
    assert post(viewer, f"/properties/{prop.id}/edit/", property_data()).status_code == 403
    assert seeded.get_property(prop.id).name == prop.name
