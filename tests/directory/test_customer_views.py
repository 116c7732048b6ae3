"""Customer pages over the sandbox relay: list (search, filters, sort, paging, htmx),
CSV export, detail, create (with and without casavi), validation, relay failures, roles.

Expected results are computed from the client's records (`seeded.get_customers()`),
not through the directory's selectors."""

import csv
import io
import re
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.test import Client

from relaydash.accounts.models import AuditEntry
from relaydash.accounts.permissions import Role
from relaydash.directory import selectors
from relaydash.directory.forms import (
    CASAVI_ACCOUNT_INVALID,
    COUNTRY_INVALID,
    EMAIL_INVALID,
    POSTAL_CODE_DE_INVALID,
    REQUIRED,
    TELEPHONE_INVALID,
)
from relaydash.directory.views import (
    CUSTOMER_CREATED,
    CUSTOMER_CREATED_FIND,
    CUSTOMER_NOT_FOUND,
    FORM_HAS_ERRORS,
)
from relaydash.relay.client import RelayClient
from relaydash.relay.records import CustomerInput
from relaydash.sandbox import faults
from relaydash.sandbox.models import Customer as SandboxCustomer
from relaydash.web import NOTHING_CHANGED, RELAY_FAILED, RELAY_REJECTED, RELAY_UNAVAILABLE

from .support import address, customer_ids, english, get, make_customer, post, property_ids, text


@pytest.fixture
def viewer(client_as: Callable[..., Client]) -> Client:
    return client_as(Role.VIEWER)


def by_name(relay: RelayClient) -> list[int]:
    return [c.id for c in sorted(relay.get_customers(), key=lambda c: (c.name or "").casefold()) if c.id]


# --- List ---------------------------------------------------------------------------


def test_list_shows_every_customer_with_city_phone_email_and_casavi_state(
    seeded: RelayClient, backoffice: Client
) -> None:
    customers = seeded.get_customers()
    response = get(backoffice, "/customers/")
    page = text(response)

    assert response.status_code == 200
    assert sorted(customer_ids(response)) == sorted(c.id for c in customers if c.id)
    for customer in customers:
        assert customer.address is not None and customer.email_address and customer.telephone
        assert customer.address.locality in page
        assert f'href="mailto:{customer.email_address}"' in page
        digits = re.sub(r"[^\d+]", "", customer.telephone.replace("(0)", ""))
        assert f'href="tel:{digits}"' in page
    connected = sum(1 for c in customers if c.casavi_tenant_id is not None)
    assert page.count(">Connected</span>") == connected
    assert page.count(">relay only</span>") == len(customers) - connected


@pytest.mark.parametrize("field", ["name", "email_address", "internal_id", "external_id"])
def test_search_finds_a_customer_by_name_email_internal_or_external_id(
    seeded: RelayClient, backoffice: Client, field: str
) -> None:
    new_id = make_customer(
        seeded,
        "Verwaltung Zaunkönig KG",
        email_address="post@zaunkoenig.example",
        internal_id="INT-4711",
        id="EXT-0815",
    )
    created = next(c for c in seeded.get_customers() if c.id == new_id)
    term = {"external_id": created.external_id, "name": "zaunkönig"}.get(field, getattr(created, field))
    assert term

    response = get(backoffice, f"/customers/?q={term}")

    assert customer_ids(response) == [new_id]


def test_search_ignores_case_and_accents(seeded: RelayClient, backoffice: Client) -> None:
    new_id = make_customer(seeded, "Hausverwaltung Müßig GmbH")
    for term in ("MUSSIG", "müßig", "Mussig", "muss"):
        assert customer_ids(get(backoffice, f"/customers/?q={term}")) == [new_id], term
    assert customer_ids(get(backoffice, "/customers/?q=Mueller-gibt-es-nicht")) == []


@pytest.mark.parametrize(("value", "connected"), [("yes", True), ("no", False)])
def test_casavi_filter(seeded: RelayClient, backoffice: Client, value: str, connected: bool) -> None:
    expected = {c.id for c in seeded.get_customers() if (c.casavi_tenant_id is not None) == connected}
    assert expected

    assert set(customer_ids(get(backoffice, f"/customers/?casavi={value}"))) == expected


def test_status_filter_offers_the_statuses_relay_uses(seeded: RelayClient, backoffice: Client) -> None:
    blocked = seeded.get_customers()[0]
    SandboxCustomer.objects.filter(pk=blocked.id).update(status="INACTIVE")

    page = text(get(backoffice, "/customers/"))
    assert '<option value="INACTIVE">Inactive</option>' in page
    assert '<option value="ACTIVE">Active</option>' in page
    assert customer_ids(get(backoffice, "/customers/?status=INACTIVE")) == [blocked.id]
    assert blocked.id not in customer_ids(get(backoffice, "/customers/?status=ACTIVE"))


def test_sorting_by_name_and_city_both_ways(seeded: RelayClient, backoffice: Client) -> None:
    customers = seeded.get_customers()
    names = by_name(seeded)
    assert customer_ids(get(backoffice, "/customers/")) == names
    assert customer_ids(get(backoffice, "/customers/?sort=-name")) == names[::-1]

    def city(c: object) -> tuple[str, str]:
        return ((c.address.locality or "").casefold(), (c.name or "").casefold())  # type: ignore[attr-defined]

    by_city = [c.id for c in sorted(customers, key=city)]
    shown = customer_ids(get(backoffice, "/customers/?sort=city"))
    cities = {c.id: c.address.locality for c in customers if c.address}
    assert [cities[i] for i in shown] == [cities[i] for i in by_city]
    shown_desc = customer_ids(get(backoffice, "/customers/?sort=-city"))
    assert [cities[i] for i in shown_desc] == [cities[i] for i in by_city][::-1]


def test_sort_headers_say_their_state_and_link_to_the_other_direction(
    backoffice: Client, seeded: RelayClient
) -> None:
    page = text(get(backoffice, "/customers/?sort=city"))
    assert re.search(r'aria-sort="ascending">\s*<a class="dir-sort" href="/customers/\?sort=-city"', page)
    assert re.search(r'aria-sort="none">\s*<a class="dir-sort" href="/customers/\?sort=status"', page)


def test_paging_splits_the_list_and_keeps_the_filters(seeded: RelayClient, backoffice: Client) -> None:
    for i in range(20):
        seeded.create_customer(CustomerInput(name=f"Paging Verwaltung {i:02d}", address=address()))
    matching = [
        c.id
        for c in sorted(seeded.get_customers(), key=lambda c: (c.name or "").casefold())
        if "paging" in (c.name or "").casefold()
    ]
    per_page = selectors.CUSTOMERS_PER_PAGE
    assert len(seeded.get_customers()) > per_page

    first = get(backoffice, "/customers/")
    assert len(customer_ids(first)) == per_page
    assert 'href="/customers/?page=2"' in text(first)
    second = get(backoffice, "/customers/?page=2")
    assert 'href="/customers/"' in text(second) and 'rel="prev"' in text(second)
    assert set(customer_ids(first)).isdisjoint(customer_ids(second))

    filtered = get(backoffice, "/customers/?q=paging")
    assert customer_ids(filtered) == matching
    assert 'rel="next"' not in text(filtered)
    assert customer_ids(get(backoffice, "/customers/?page=99")) == customer_ids(second)


def test_no_match_and_htmx_partial(seeded: RelayClient, backoffice: Client) -> None:
    response = get(backoffice, "/customers/?q=gibt-es-nicht", **{"HX-Request": "true"})
    page = text(response)

    assert response.status_code == 200
    assert "<html" not in page
    assert "HX-Request" in response["Vary"]
    assert "No customer matches" in page
    assert 'id="customer-count"' in page and 'hx-swap-oob="true"' in page


def test_history_restore_gets_the_whole_page(seeded: RelayClient, backoffice: Client) -> None:
    response = get(
        backoffice, "/customers/?q=a", **{"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in text(response)


def test_list_says_when_relay_is_unavailable(relay: RelayClient, backoffice: Client) -> None:
    faults.fail_next(status=503, count=3, operation="GetCustomers")
    response = get(backoffice, "/customers/")
    assert response.status_code == 503
    assert english(RELAY_FAILED, status=503) in text(response)


def test_viewer_sees_the_list_without_write_controls(seeded: RelayClient, viewer: Client) -> None:
    page = text(get(viewer, "/customers/"))
    assert "New customer" not in page
    assert customer_ids(get(viewer, "/customers/"))


def test_a_person_without_a_role_is_refused(seeded: RelayClient, client_as: Callable[..., Client]) -> None:
    assert get(client_as(None), "/customers/").status_code == 403


# --- Export --------------------------------------------------------------------------


def rows_of(response: object, delimiter: str) -> list[list[str]]:
    content = response.content  # type: ignore[attr-defined]
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=delimiter))


def test_export_is_excel_friendly_and_honours_the_list_query(seeded: RelayClient, backoffice: Client) -> None:
    connected = sorted(
        (c for c in seeded.get_customers() if c.casavi_tenant_id is not None),
        key=lambda c: (c.name or "").casefold(),
    )
    response = get(backoffice, "/customers/export.csv?casavi=yes")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    header, *rows = rows_of(response, ";")
    assert header[:2] == ["relay id", "Name"]
    assert [row[1] for row in rows] == [c.name for c in connected]
    assert [row[7] for row in rows] == [str(c.casavi_tenant_id) for c in connected]

    comma = get(backoffice, "/customers/export.csv?casavi=yes&delimiter=comma")
    assert [row[1] for row in rows_of(comma, ",")[1:]] == [c.name for c in connected]


def test_export_links_on_the_page_carry_the_query(seeded: RelayClient, backoffice: Client) -> None:
    page = text(get(backoffice, "/customers/?q=haus&casavi=no&sort=-name"))
    assert 'href="/customers/export.csv?q=haus&amp;casavi=no&amp;sort=-name"' in page
    assert 'href="/customers/export.csv?q=haus&amp;casavi=no&amp;sort=-name&amp;delimiter=comma"' in page


def test_export_neutralises_formulas(relay: RelayClient, backoffice: Client) -> None:
    relay.create_customer(CustomerInput(name='=HYPERLINK("http://evil.example")', telephone="+49 30 1"))
    (_, row) = rows_of(get(backoffice, "/customers/export.csv"), ";")
    assert row[1] == '\'=HYPERLINK("http://evil.example")'
    assert row[9] == "'+49 30 1"


def test_export_says_when_relay_is_unavailable(relay: RelayClient, backoffice: Client) -> None:
    faults.fail_next(status=503, count=3, operation="GetCustomers")
    response = get(backoffice, "/customers/export.csv")
    assert response.status_code == 503
    assert english(RELAY_FAILED, status=503) in text(response)


# --- Detail --------------------------------------------------------------------------


def test_detail_shows_contact_ids_status_orders_and_properties(
    seeded: RelayClient, backoffice: Client
) -> None:
    orders = seeded.get_orders()
    customer = next(c for c in seeded.get_customers() if any(o.customer_id == c.id for o in orders))
    assert customer.id is not None and customer.casavi_tenant_id is not None
    own_orders = {o.id for o in orders if o.customer_id == customer.id}
    own_properties = {
        p.id for p in seeded.get_properties(limit=500, offset=0) if p.customer_id == customer.id
    }

    response = get(backoffice, f"/customers/{customer.id}/")
    page = text(response)

    assert response.status_code == 200
    assert english(customer.name) in page
    assert f'href="mailto:{customer.email_address}"' in page
    assert 'href="tel:' in page
    assert f">{customer.casavi_tenant_id}<" in page and f">{customer.casavi_contact_id}<" in page
    assert "Connected to casavi" in page and ">casavi</dd>" in page
    assert re.search(r"Active <span class=\"muted\">since \d\d/\d\d/\d{4}</span>", page)
    assert {int(i) for i in re.findall(r'href="/orders/(\d+)/"', page)} == own_orders
    assert set(property_ids(response)) == own_properties
    assert customer.address is not None and english(customer.address.street_address) in page


def test_detail_of_an_unknown_customer_is_a_404_that_says_so(seeded: RelayClient, backoffice: Client) -> None:
    response = get(backoffice, "/customers/999999/")
    assert response.status_code == 404
    assert english(CUSTOMER_NOT_FOUND % {"id": 999999}) in text(response)


def test_detail_lists_the_customers_orders_from_the_index_when_relay_is_down(
    seeded: RelayClient, backoffice: Client
) -> None:
    customer = next(
        c for c in seeded.get_customers() if any(o.customer_id == c.id for o in seeded.get_orders())
    )
    expected = {o.id for o in seeded.get_orders() if o.customer_id == customer.id}
    faults.fail_next(status=503, count=3, operation="GetOrders")
    response = get(backoffice, f"/customers/{customer.id}/")
    page = text(response)
    assert response.status_code == 200
    assert english(customer.name) in page
    assert {int(i) for i in re.findall(r'href="/orders/(\d+)/"', page)} == expected


def test_detail_keeps_the_contact_when_the_empty_index_cannot_be_filled(
    relay: RelayClient, backoffice: Client
) -> None:
    call_command("seed_sandbox", orders=5, seed=7, verbosity=0)
    customer = relay.get_customers()[0]
    faults.fail_next(status=503, count=3, operation="GetOrders")
    response = get(backoffice, f"/customers/{customer.id}/")
    page = text(response)
    assert response.status_code == 200
    assert english(customer.name) in page
    # The orders come from the order index, which relay's failure left unfilled.
    assert english(RELAY_UNAVAILABLE) in page


def test_detail_when_relay_is_unavailable(relay: RelayClient, backoffice: Client) -> None:
    faults.fail_next(status=503, count=3, operation="GetCustomers")
    response = get(backoffice, "/customers/1/")
    assert response.status_code == 503
    assert english(RELAY_FAILED, status=503) in text(response)


def test_detail_says_when_the_property_scan_was_capped(
    seeded: RelayClient, backoffice: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "PROPERTY_SCAN_PAGE", 5)
    monkeypatch.setattr(selectors, "PROPERTY_SCAN_MAX_PAGES", 2)
    customer = seeded.get_customers()[0]
    page = text(get(backoffice, f"/customers/{customer.id}/"))
    assert "Only the first 10 properties in relay were searched; this customer may have more." in page

    monkeypatch.setattr(selectors, "PROPERTY_SCAN_MAX_PAGES", 100)
    page = text(get(backoffice, f"/customers/{customer.id}/"))
    assert "were searched" not in page


# --- Create --------------------------------------------------------------------------


def customer_data(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Hausverwaltung Neu GmbH",
        "email_address": "auftraege@neu.example",
        "telephone": "+49 30 1234567",
        "internal_id": "K-2000",
        "external_id": "",
        "casavi_account_id": "",
        "address-street_address": "Lindenstraße 12",
        "address-postal_code": "10969",
        "address-locality": "Berlin",
        "address-country": "DE",
        "address-additional_info": "Aufgang B",
    }
    return {**data, **overrides}


def test_create_form_defaults_to_germany_and_explains_casavi(relay: RelayClient, backoffice: Client) -> None:
    page = text(get(backoffice, "/customers/new/"))
    assert '<option value="DE" selected>Germany</option>' in page
    assert "connected to that casavi tenant" in page
    german = text(backoffice.get("/customers/new/", headers={"Accept-Language": "de"}))
    assert '<option value="DE" selected>Deutschland</option>' in german
    assert german.index(">Österreich<") < german.index(">Schweiz<")


def test_create_connected_to_casavi_goes_to_the_new_customer(relay: RelayClient, backoffice: Client) -> None:
    response = post(backoffice, "/customers/new/", customer_data(casavi_account_id="4242"))

    created = next(c for c in relay.get_customers() if c.name == "Hausverwaltung Neu GmbH")
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{created.id}/"
    assert created.casavi_tenant_id == 4242
    assert created.email_address == "auftraege@neu.example"
    assert created.address is not None and created.address.additional_info == "Aufgang B"
    detail = text(get(backoffice, response["Location"]))
    assert english(CUSTOMER_CREATED % {"name": "Hausverwaltung Neu GmbH"}) in detail
    assert "Connected to casavi" in detail and ">4242<" in detail

    entry = AuditEntry.objects.get(operation="CreateCustomer")
    assert entry.outcome == AuditEntry.Outcome.OK
    assert entry.target_id == str(created.id)
    assert entry.summary["casaviAccountId"] == 4242
    assert entry.summary["customer"]["name"] == "Hausverwaltung Neu GmbH"


def test_create_without_casavi_exists_in_relay_only(relay: RelayClient, backoffice: Client) -> None:
    post(backoffice, "/customers/new/", customer_data())
    created = next(c for c in relay.get_customers() if c.name == "Hausverwaltung Neu GmbH")
    assert created.casavi_tenant_id is None


def test_create_with_an_external_id_lands_on_the_list_filtered_by_name(
    relay: RelayClient, backoffice: Client
) -> None:
    response = post(backoffice, "/customers/new/", customer_data(external_id="CRM-77"))
    assert response.status_code == 302
    assert response["Location"] == "/customers/?q=Hausverwaltung+Neu+GmbH"
    listing = get(backoffice, response["Location"])
    created = next(c for c in relay.get_customers() if c.external_id == "CRM-77")
    assert customer_ids(listing) == [created.id]
    assert english(CUSTOMER_CREATED_FIND % {"name": "Hausverwaltung Neu GmbH"}) in text(listing)


def test_create_through_htmx_redirects_the_browser(relay: RelayClient, backoffice: Client) -> None:
    response = post(backoffice, "/customers/new/", customer_data(), **{"HX-Request": "true"})
    created = next(c for c in relay.get_customers() if c.name == "Hausverwaltung Neu GmbH")
    assert response["HX-Redirect"] == f"/customers/{created.id}/"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", REQUIRED),
        ({"address-street_address": ""}, "address-street_address", REQUIRED),
        ({"address-postal_code": ""}, "address-postal_code", REQUIRED),
        ({"address-locality": ""}, "address-locality", REQUIRED),
        ({"email_address": "keine-mail"}, "email_address", EMAIL_INVALID),
        ({"address-postal_code": "1234"}, "address-postal_code", POSTAL_CODE_DE_INVALID),
        ({"address-postal_code": "123456"}, "address-postal_code", POSTAL_CODE_DE_INVALID),
        ({"address-postal_code": "1O115"}, "address-postal_code", POSTAL_CODE_DE_INVALID),
        ({"address-country": "XK"}, "address-country", COUNTRY_INVALID),
        ({"address-country": "Deutschland"}, "address-country", COUNTRY_INVALID),
        ({"casavi_account_id": "abc"}, "casavi_account_id", CASAVI_ACCOUNT_INVALID),
        ({"casavi_account_id": "0"}, "casavi_account_id", CASAVI_ACCOUNT_INVALID),
        ({"telephone": "ruf mich an"}, "telephone", TELEPHONE_INVALID),
    ],
)
def test_create_validation_keeps_the_input_and_links_the_error(
    relay: RelayClient, backoffice: Client, overrides: dict[str, str], field: str, message: object
) -> None:
    before = len(relay.get_customers())
    response = post(backoffice, "/customers/new/", customer_data(**overrides))
    page = text(response)

    assert response.status_code == 422
    assert english(FORM_HAS_ERRORS) in page
    assert f'<ul class="errorlist" id="id_{field}_error"><li>{english(message)}</li></ul>' in page
    control = re.search(rf'<(?:input|select)[^>]*name="{field}"[^>]*>', page)
    assert control is not None
    assert 'aria-invalid="true"' in control.group(0)
    assert re.search(rf'aria-describedby="[^"]*id_{field}_error', control.group(0))
    assert 'value="auftraege@neu.example"' in page or field == "email_address"
    assert 'value="Hausverwaltung Neu GmbH"' in page or field == "name"
    assert len(relay.get_customers()) == before


def test_postal_codes_of_other_countries_are_not_held_to_the_german_format(
    relay: RelayClient, backoffice: Client
) -> None:
    response = post(
        backoffice,
        "/customers/new/",
        customer_data(**{"address-country": "AT", "address-postal_code": "1010"}),
    )
    assert response.status_code == 302


def test_create_validation_through_htmx_returns_the_form_alone(
    relay: RelayClient, backoffice: Client
) -> None:
    response = post(backoffice, "/customers/new/", customer_data(name=""), **{"HX-Request": "true"})
    page = text(response)
    assert response.status_code == 422
    assert page.lstrip().startswith('<form id="customer-form"')
    assert "data-focus-after-swap" in page


def test_create_when_relay_fails_keeps_the_input_and_says_so(relay: RelayClient, backoffice: Client) -> None:
    faults.fail_next(status=500, operation="CreateCustomer")
    response = post(backoffice, "/customers/new/", customer_data(casavi_account_id="4242"))
    page = text(response)

    assert response.status_code == 503
    assert english(RELAY_FAILED, status=500) in page
    assert english(NOTHING_CHANGED) in page
    assert 'value="Hausverwaltung Neu GmbH"' in page and 'value="4242"' in page
    assert 'value="Lindenstraße 12"' in page
    entry = AuditEntry.objects.get(operation="CreateCustomer")
    assert entry.outcome == AuditEntry.Outcome.FAILED and entry.relay_status == 500


def test_create_when_relay_rejects_the_input_shows_relays_reason(
    relay: RelayClient, backoffice: Client
) -> None:
    faults.fail_next(status=400, operation="CreateCustomer", body=b'{"message": "customer.name is taken"}')
    response = post(backoffice, "/customers/new/", customer_data())
    assert response.status_code == 422
    assert english(RELAY_REJECTED % {"message": "customer.name is taken"}) in text(response)


def test_viewer_cannot_create_customers(relay: RelayClient, viewer: Client) -> None:
    assert get(viewer, "/customers/new/").status_code == 403
    assert post(viewer, "/customers/new/", customer_data()).status_code == 403
    assert not AuditEntry.objects.exists()
