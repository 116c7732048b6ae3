"""Browser journeys through the back office (Chromium via Playwright): a customer
connected to casavi created and found again; a property created and edited; a file with
good and bad rows imported and its report downloaded; every new page checked with axe at
desktop and phone width. Screenshots go to /tmp/shots/directory-*.png."""

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from relaydash.accounts.permissions import Role
from relaydash.relay.client import RelayClient

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots")


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"directory-{name}.png"), full_page=True)


def test_create_a_customer_connected_to_casavi_and_find_it_in_the_list(
    page: Page, live_server: Any, relay: RelayClient, sign_in: Any
) -> None:
    sign_in(page, Role.BACKOFFICE)
    page.goto(f"{live_server.url}/customers/")
    page.get_by_role("link", name="New customer").first.click()
    expect(page.get_by_role("heading", name="New customer", level=1)).to_be_visible()
    expect(page.get_by_label("Country")).to_have_value("DE")

    page.get_by_label("Name", exact=True).fill("Hausverwaltung Seeblick GmbH")
    page.get_by_label("Email").fill("auftraege@seeblick.example")
    page.get_by_label("Phone").fill("+49 30 9876543")
    page.get_by_label("Street and number").fill("Uferweg 3")
    page.get_by_label("Postal code").fill("1234")
    page.get_by_label("City").fill("Potsdam")
    page.get_by_label("casavi account id").fill("5150")
    page.get_by_role("button", name="Create customer").click()

    # The form comes back with the error next to the field, focus on the summary.
    postal = page.get_by_label("Postal code")
    expect(postal).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_address-postal_code_error")).to_contain_text("exactly 5 digits")
    expect(page.get_by_role("alert")).to_be_focused()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Hausverwaltung Seeblick GmbH")
    shot(page, "customer-form-errors-1280")

    postal.fill("14467")
    page.get_by_role("button", name="Create customer").click()
    expect(page.get_by_role("heading", name="Hausverwaltung Seeblick GmbH", level=1)).to_be_visible()
    expect(page.get_by_text("Connected to casavi")).to_be_visible()
    expect(page.locator("dd", has_text="5150")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("auftraege@seeblick.example"))).to_have_attribute(
        "href", "mailto:auftraege@seeblick.example"
    )
    expect(page.get_by_role("link", name=re.compile(r"\+49 30 9876543"))).to_have_attribute(
        "href", "tel:+49309876543"
    )
    shot(page, "customer-detail-1280")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Customers").click()
    # Type only once the list page has loaded: its deferred scripts wire up the search.
    page.wait_for_url(re.compile(r"/customers/$"))
    page.get_by_label("Search").fill("seeblick")
    page.wait_for_url(re.compile(r"q=seeblick"))
    expect(page.locator("#customer-results tbody tr")).to_have_count(1)
    expect(page.get_by_label("Search")).to_be_focused()
    page.get_by_label("casavi").select_option("no")
    page.wait_for_url(re.compile(r"casavi=no"))
    expect(page.get_by_text("No customer matches")).to_be_visible()
    page.get_by_label("casavi").select_option("yes")
    page.wait_for_url(re.compile(r"casavi=yes"))
    page.get_by_role("link", name="Hausverwaltung Seeblick GmbH").click()
    expect(page.get_by_role("heading", name="Hausverwaltung Seeblick GmbH", level=1)).to_be_visible()


def test_create_and_edit_a_property(page: Page, live_server: Any, seeded: RelayClient, sign_in: Any) -> None:
    customer = sorted(seeded.get_customers(), key=lambda c: c.name or "")[0]
    sign_in(page, Role.BACKOFFICE)
    page.goto(f"{live_server.url}/properties/")
    page.get_by_role("link", name="New property").click()

    page.get_by_label("Name", exact=True).fill("Wohnanlage Am Hafen")
    page.get_by_label("Customer").select_option(str(customer.id))
    page.get_by_label("MSC number").fill("MSC-4711")
    page.get_by_label("Street and number").fill("Hafenstraße 1")
    page.get_by_label("Postal code").fill("20457")
    page.get_by_label("City").fill("Hamburg")
    page.get_by_role("button", name="Create property").click()

    expect(page.get_by_role("heading", name="Wohnanlage Am Hafen", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("was created")
    expect(page.get_by_role("link", name=customer.name or "")).to_be_visible()
    property_id = int(re.search(r"/properties/(\d+)/", page.url).group(1))  # type: ignore[union-attr]

    page.get_by_role("link", name="Edit property").click()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Wohnanlage Am Hafen")
    expect(page.get_by_label("Postal code")).to_have_value("20457")
    page.get_by_label("Name", exact=True).fill("Wohnanlage Am Hafen (Nord)")
    page.get_by_label("Additional info").fill("Haus B")
    page.get_by_role("button", name="Save property").click()

    expect(page.get_by_role("heading", name="Wohnanlage Am Hafen (Nord)", level=1)).to_be_visible()
    expect(page.get_by_text("Haus B")).to_be_visible()
    saved = seeded.get_property(property_id)
    assert saved.name == "Wohnanlage Am Hafen (Nord)" and saved.customer_id == customer.id
    shot(page, "property-detail-1280")


def test_import_a_file_with_good_and_bad_rows_and_download_the_report(
    page: Page, live_server: Any, seeded: RelayClient, sign_in: Any, tmp_path: Path
) -> None:
    lines = ["Objektname;Straße;PLZ;Ort;Land"]
    lines += [f"Haus {i};Weg {i};{10100 + i};Berlin;DE" for i in range(150)]
    lines += ["Ohne PLZ;Weg 9;;Berlin;DE", ";Weg 10;10115;Berlin;DE"]
    file = tmp_path / "objekte.csv"
    file.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")

    sign_in(page, Role.BACKOFFICE)
    page.goto(f"{live_server.url}/properties/import/")
    page.get_by_label("File").set_input_files(str(file))
    page.get_by_role("button", name="Check file").click()

    expect(page.get_by_role("heading", name="Import preview", level=1)).to_be_visible()
    expect(page.get_by_text("150", exact=True)).to_be_visible()
    page.get_by_role("link", name="Only rows with problems").click()
    expect(page.locator(".dir-import-table tbody tr")).to_have_count(2)
    expect(page.get_by_text("“PLZ” is required.")).to_be_visible()
    shot(page, "import-preview-1280")

    page.get_by_role("button", name="Import 150 properties").click()
    expect(page.get_by_role("heading", name="Import report", level=1)).to_be_visible(timeout=30_000)
    expect(page.locator(".dir-stats li", has_text="created")).to_contain_text("150")
    shot(page, "import-report-1280")

    with page.expect_download() as info:
        page.get_by_role("link", name="Download report (CSV)").click()
    download = info.value
    assert download.suggested_filename == "objekte-report.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Row", "id", "name", "Outcome", "Message"]
    assert len(rows) == 153
    outcomes = {row[2]: row[3] for row in rows[1:]}
    assert outcomes["Haus 0"] == "created" and outcomes["Ohne PLZ"] == "not sent (invalid)"
    assert (
        sum(1 for p in seeded.get_properties(limit=500, offset=0) if (p.name or "").startswith("Haus "))
        == 150
    )


def test_import_progress_is_shown_while_sending(
    page: Page, live_server: Any, seeded: RelayClient, sign_in: Any, tmp_path: Path
) -> None:
    from relaydash.sandbox import faults

    file = tmp_path / "langsam.csv"
    file.write_text(
        "name;streetAddress;postalCode;locality\n" + "".join(f"H{i};W {i};10115;B\n" for i in range(300)),
        encoding="utf-8",
    )
    sign_in(page, Role.BACKOFFICE)
    page.goto(f"{live_server.url}/properties/import/")
    page.get_by_label("File").set_input_files(str(file))
    page.get_by_role("button", name="Check file").click()
    faults.delay_next(seconds=1.5, count=3, operation="CreateProperties")
    page.get_by_role("button", name="Import 300 properties").click()

    expect(page.get_by_role("heading", name="Import running", level=1)).to_be_visible()
    bar = page.locator("progress#import-progress-bar")
    expect(bar).to_have_attribute("max", "300")
    expect(page.get_by_text(re.compile(r"[1-9]\d* of 300 rows sent"))).to_be_visible(timeout=15_000)
    shot(page, "import-progress-1280")
    expect(page.get_by_role("heading", name="Import report", level=1)).to_be_visible(timeout=30_000)


PAGES = [
    ("customers", "/customers/"),
    ("customer", "/customers/{customer}/"),
    ("customer-new", "/customers/new/"),
    ("properties", "/properties/"),
    ("property", "/properties/{property}/"),
    ("property-edit", "/properties/{property}/edit/"),
    ("property-new", "/properties/new/"),
    ("import", "/properties/import/"),
    ("import-preview", "{preview}"),
    ("import-report", "{report}"),
    ("address-new", "/addresses/new/"),
]


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (360, 800)], ids=["desktop", "phone"])
def test_every_page_passes_axe_and_fits_the_screen(
    page: Page, live_server: Any, seeded: RelayClient, sign_in: Any, tmp_path: Path, width: int, height: int
) -> None:
    sign_in(page, Role.BACKOFFICE)
    page.set_viewport_size({"width": width, "height": height})
    base = live_server.url
    file = tmp_path / "objekte.csv"
    file.write_text(
        "name;streetAddress;postalCode;locality\nHaus;Weg 1;10115;Berlin\nKaputt;Weg 2;1;Berlin\n"
    )

    def upload() -> str:
        page.goto(f"{base}/properties/import/")
        page.get_by_label("File").set_input_files(str(file))
        page.get_by_role("button", name="Check file").click()
        page.wait_for_url(re.compile(r"/properties/import/[\w-]+/$"))
        return page.url.removeprefix(base)

    preview = upload()
    report = upload()
    page.get_by_role("button", name=re.compile("Import 1 property")).click()
    expect(page.get_by_role("heading", name="Import report", level=1)).to_be_visible(timeout=30_000)
    values = {
        "customer": seeded.get_customers()[0].id,
        "property": seeded.get_properties(limit=1, offset=0)[0].id,
        "preview": preview,
        "report": report,
    }
    name = "desktop" if width > 700 else "phone"
    problems = {}
    for key, path in PAGES:
        page.goto(base + path.format(**values))
        expect(page.locator("h1")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width, key
        page.screenshot(path=str(SHOTS / f"directory-{key}-{name}.png"), full_page=width > 700)
        violations = Axe().run(page).response["violations"]
        serious = [
            (v["id"], v["nodes"][0]["html"][:120])
            for v in violations
            if v["impact"] in ("serious", "critical")
        ]
        if serious:
            problems[key] = serious
    # A form with errors is a page of its own for screen-reader users.
    page.goto(f"{base}/customers/new/")
    page.get_by_role("button", name="Create customer").click()
    expect(page.get_by_role("alert")).to_be_visible()
    violations = Axe().run(page).response["violations"]
    problems["customer-new-errors"] = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
    assert {k: v for k, v in problems.items() if v} == {}
