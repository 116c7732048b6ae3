"""Browser journeys on the order detail page (Chromium through Playwright): change the
status and due date, post a comment with photos, add a field, a conflict between two
people, relay failing, the page without JavaScript, live comments, phone and desktop
widths and an axe-core scan."""

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from relaydash.accounts.permissions import Role
from relaydash.relay.client import RelayClient
from relaydash.relay.records import Order, OrderPatch, OrderStatus
from relaydash.sandbox import faults

pytestmark = pytest.mark.browser

BERLIN = ZoneInfo("Europe/Berlin")
SHOTS = Path("/tmp/shots")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 800}
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """English words, whatever the machine's locale (German is tested by the catalog)."""
    return {**browser_context_args, "locale": "en-US"}


def open_order(relay: RelayClient) -> Order:
    """An open order with contacts and comments: every block of the page has content."""
    return next(
        o for o in relay.get_orders() if o.status is OrderStatus.OPEN and o.contact_persons and o.comments
    )


def visit(page: Page, live_server: Any, order: Order) -> None:
    page.goto(f"{live_server.url}/orders/{order.id}/")
    expect(page.locator("h1")).to_have_text(order.title or "")


def photo(name: str) -> dict[str, Any]:
    return {"name": name, "mimeType": "image/jpeg", "buffer": JPEG}


def test_change_status(
    seeded: RelayClient, live_server: Any, page: Page, sign_in: Callable[..., Any]
) -> None:
    order = open_order(seeded)
    sign_in(page, Role.FIELD)
    visit(page, live_server, order)
    page.get_by_role("button", name="In progress", exact=True).click()
    notice = page.locator("#order-status [role=status]")
    expect(notice).to_have_text("Status changed to “In progress”.")
    expect(notice).to_be_focused()
    expect(page.locator("#order-head-status")).to_have_text("In progress")
    expect(page.get_by_role("button", name="In progress (current status)")).to_be_disabled()
    assert seeded.get_order(order.id or 0).status is OrderStatus.IN_PROGRESS


def test_change_due_date(
    seeded: RelayClient, live_server: Any, page: Page, sign_in: Callable[..., Any]
) -> None:
    order = open_order(seeded)
    sign_in(page, Role.BACKOFFICE)
    visit(page, live_server, order)
    page.get_by_role("link", name="Change due date").click()
    due = page.get_by_label("Due date")
    expect(due).to_be_focused()
    due.fill("2027-03-04T10:15")
    page.get_by_role("button", name="Save due date").click()
    expect(page.locator("#order-due_date [role=status]")).to_have_text("Due date saved.")
    expect(page.locator("#order-due_date")).to_contain_text("03/04/2027 10:15 a.m.")
    expect(page.get_by_role("link", name="Change due date")).to_be_visible()
    assert seeded.get_order(order.id or 0).due == dt.datetime(2027, 3, 4, 10, 15, tzinfo=BERLIN)


def test_change_address_or_cancel(
    seeded: RelayClient, live_server: Any, page: Page, sign_in: Callable[..., Any]
) -> None:
    order = open_order(seeded)
    sign_in(page, Role.BACKOFFICE)
    visit(page, live_server, order)
    page.get_by_role("link", name="Change address").click()
    street = page.get_by_label("Street and number")
    expect(street).to_be_focused()
    street.fill("Irgendwas 1")
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("link", name="Change address")).to_be_focused()
    assert seeded.get_order(order.id or 0).address == order.address
    page.get_by_role("link", name="Change address").click()
    page.get_by_label("Street and number").fill("Kastanienallee 12")
    page.get_by_label("Postal code").fill("10435")
    page.get_by_label("City").fill("Berlin")
    page.get_by_role("button", name="Save address").click()
    expect(page.locator("#order-address .alert-success")).to_have_text("Address saved.")
    expect(page.locator("#order-address address")).to_contain_text("Kastanienallee 12")
    expect(page.get_by_role("link", name="Show on map")).to_have_attribute(
        "href", re.compile(r"query=Kastanienallee%2012%2C%2010435%20Berlin$")
    )
    # The status form was told the new updatedAt: changing the status is no conflict.
    page.get_by_role("button", name="In progress", exact=True).click()
    expect(page.locator("#order-head-status")).to_have_text("In progress")


def test_comment_with_two_photos(
    seeded: RelayClient, live_server: Any, page: Page, sign_in: Callable[..., Any]
) -> None:
    order = open_order(seeded)
    sign_in(page, Role.FIELD)
    visit(page, live_server, order)
    page.get_by_label("Comment", exact=True).fill("Zähler getauscht.\nFotos anbei.")
    # Two picks add up; a third file is dropped from the selection again.
    page.locator("#comment-files").set_input_files([photo("vorher.jpg"), photo("nachher.jpg")])
    page.locator("#comment-files").set_input_files([photo("falsch.jpg")])
    chosen = page.locator("[data-file-list] li")
    expect(chosen).to_have_count(3)
    expect(page.locator("[data-file-list] img")).to_have_count(3)
    page.get_by_role("button", name="Remove falsch.jpg from the selection").click()
    expect(chosen).to_have_count(2)
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator("#comment-form [role=status]")).to_have_text(
        "Comment posted. The property manager can read it."
    )
    first = page.locator("#comment-list > li").first
    expect(first).to_contain_text("Zähler getauscht.")
    expect(first.locator(".attachment__name")).to_have_text(["vorher.jpg", "nachher.jpg"])
    expect(page.get_by_label("Comment", exact=True)).to_have_value("")
    expect(chosen).to_have_count(0)
    newest = max(seeded.get_order_comments(order.id or 0), key=lambda c: c.id or 0)
    assert sorted(a.name or "" for a in newest.attachments) == ["nachher.jpg", "vorher.jpg"]


def test_too_many_files_are_stopped_in_the_browser(
    seeded: RelayClient, live_server: Any, page: Page, sign_in: Callable[..., Any]
) -> None:
    order = open_order(seeded)
    before = len(seeded.get_order_comments(order.id or 0))
    sign_in(page, Role.FIELD)
    visit(page, live_server, order)
    page.get_by_label("Comment", exact=True).fill("Elf Fotos")
    page.locator("#comment-files").set_input_files([photo(f"foto{i}.jpg") for i in range(11)])
    error = page.locator("[data-file-error]")
    expect(error).to_have_text(
        "A comment can carry at most 10 files; you chose 11. Remove some before sending."
    )
    page.get_by_role("button", name="Post comment").click()
    expect(error).to_be_focused()
    assert len(seeded.get_order_comments(order.id or 0)) == before
    page.get_by_role("button", name="Remove foto0.jpg from the selection").click()
    expect(error).to_be_hidden()


def test_add_field(seeded: RelayClient, live_server: Any, page: Page, sign_in: Callable[..., Any]) -> None:
    order = next(o for o in seeded.get_orders() if len(o.fields) >= 2)
    sign_in(page, Role.FIELD)
    visit(page, live_server, order)
    page.get_by_role("link", name="Add a field").click()
    position = page.get_by_label("Position")
    expect(position).to_have_value(str(max(int(f.position or 0) for f in order.fields) + 1))
    page.get_by_label("Name").fill("Schlüssel")
    page.get_by_label("Content").fill("Box am Eingang, Code 4711")
    position.fill("0")
    page.get_by_role("button", name="Add field").click()
    expect(page.locator("#field-form [role=status]")).to_have_text("Field “Schlüssel” added.")
    expect(page.locator("#field-list dt").first).to_contain_text("Schlüssel")
    expect(page.locator("#field-list dd").first).to_have_text("Box am Eingang, Code 4711")


def test_conflict_between_two_people(
    seeded: RelayClient, live_server: Any, browser: Browser, sign_in: Callable[..., Any]
) -> None:
    order = open_order(seeded)
    first, second = browser.new_context(locale="en-US"), browser.new_context(locale="en-US")
    sign_in(first, Role.FIELD, username="anna")
    sign_in(second, Role.FIELD, username="ben")
    page_a, page_b = first.new_page(), second.new_page()
    visit(page_a, live_server, order)
    visit(page_b, live_server, order)
    page_a.get_by_role("button", name="Finished", exact=True).click()
    expect(page_a.locator("#order-head-status")).to_have_text("Finished")
    # Ben still sees "Open" and sets "In progress": nothing is overwritten.
    page_b.get_by_role("button", name="In progress", exact=True).click()
    notice = page_b.locator(".order-conflict")
    expect(notice).to_contain_text("Someone changed this order while you had it open")
    expect(notice).to_contain_text("Status: Open → Finished")
    expect(page_b.locator("#order-head-status")).to_have_text("Finished")
    assert seeded.get_order(order.id or 0).status is OrderStatus.FINISHED
    page_b.get_by_role("button", name="Apply my change again: In progress").click()
    expect(page_b.locator("#order-head-status")).to_have_text("In progress")
    assert seeded.get_order(order.id or 0).status is OrderStatus.IN_PROGRESS
    first.close()
    second.close()


def test_relay_failure_keeps_text_and_files(
    seeded: RelayClient, live_server: Any, page: Page, sign_in: Callable[..., Any]
) -> None:
    order = open_order(seeded)
    sign_in(page, Role.FIELD)
    visit(page, live_server, order)
    text = "Wasser abgestellt, Rückruf erbeten."
    page.get_by_label("Comment", exact=True).fill(text)
    page.locator("#comment-files").set_input_files([photo("leck.jpg")])
    faults.fail_next(status=500, operation="CreateOrderComment")
    page.get_by_role("button", name="Post comment").click()
    alert = page.locator("#comment-form [role=alert]").first
    expect(alert).to_contain_text("relay answered with an error (HTTP 500).")
    expect(alert).to_contain_text("Nothing was changed.")
    expect(alert).to_contain_text("Your files are still selected")
    expect(page.get_by_label("Comment", exact=True)).to_have_value(text)
    expect(page.locator("[data-file-list] li")).to_have_count(1)
    page.get_by_role("button", name="Try again").click()
    expect(page.locator("#comment-form [role=status]")).to_contain_text("Comment posted.")
    expect(page.locator("#comment-list > li").first.locator(".attachment__name")).to_have_text("leck.jpg")


def test_relay_down_when_changing_status(
    seeded: RelayClient, live_server: Any, page: Page, sign_in: Callable[..., Any], settings: Any
) -> None:
    order = open_order(seeded)
    sign_in(page, Role.FIELD)
    visit(page, live_server, order)
    settings.RELAY_API_URL = "http://127.0.0.1:9/api"
    settings.RELAY_RETRIES = 0
    page.get_by_role("button", name="Finished", exact=True).click()
    expect(page.locator("#order-status [role=alert]")).to_contain_text("relay cannot be reached right now.")
    expect(page.locator("#order-head-status")).to_have_text("Open")


def test_without_javascript(
    seeded: RelayClient, live_server: Any, browser: Browser, sign_in: Callable[..., Any]
) -> None:
    order = open_order(seeded)
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    sign_in(context, Role.FIELD)
    page = context.new_page()
    visit(page, live_server, order)
    page.get_by_label("Comment", exact=True).fill("Ohne JavaScript geschrieben")
    page.locator("#comment-files").set_input_files([photo("ohne-js.jpg")])
    page.get_by_role("button", name="Post comment").click()
    expect(page).to_have_url(f"{live_server.url}/orders/{order.id}/#comments")
    expect(page.locator(".messages")).to_contain_text("Comment posted.")
    first = page.locator("#comment-list > li").first
    expect(first).to_contain_text("Ohne JavaScript geschrieben")
    expect(first).to_contain_text("ohne-js.jpg")
    page.get_by_role("button", name="In progress", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/orders/{order.id}/#order-status")
    expect(page.locator("#order-head-status")).to_have_text("In progress")
    context.close()


def test_new_comments_arrive_without_disturbing_typing(
    seeded: RelayClient, live_server: Any, page: Page, sign_in: Callable[..., Any]
) -> None:
    order = open_order(seeded)
    sign_in(page, Role.FIELD)
    page.clock.install()
    visit(page, live_server, order)
    box = page.get_by_label("Comment", exact=True)
    box.fill("Ich schreibe gerade")
    new_id = seeded.create_order_comment(
        order.id or 0, text="Neue Nachricht der Verwaltung", author_name="HV"
    )
    page.clock.run_for(31_000)
    first = page.locator("#comment-list > li").first
    expect(first).to_have_attribute("data-comment-id", str(new_id))
    expect(first).to_contain_text("Neue Nachricht der Verwaltung")
    expect(box).to_have_value("Ich schreibe gerade")
    expect(box).to_be_focused()
    expect(page.locator("[data-comments-announce]")).to_have_text("New comments: 1")
    # Nothing new: the next tick adds nothing twice.
    page.clock.run_for(31_000)
    expect(page.locator(f'#comment-list > li[data-comment-id="{new_id}"]')).to_have_count(1)


def test_quick_actions_on_a_phone(
    seeded: RelayClient, live_server: Any, page: Page, sign_in: Callable[..., Any]
) -> None:
    """At the door with a 360 px phone: map, call, status and comment are on the first
    screen with the order's status; "Comment" brings the comment box into view, ready to
    type. On a desk, where all of it is in view at once, the row is not shown."""
    order = open_order(seeded)
    person = next(p for p in order.contact_persons if p.mobile or p.telephone)
    sign_in(page, Role.FIELD)
    page.set_viewport_size(PHONE)
    visit(page, live_server, order)
    quick = page.get_by_role("navigation", name="Quick actions")
    names = ("Map (OpenStreetMap, opens in a new tab)", f"Call {person.name}", "Status", "Comment")
    actions = [quick.get_by_role("link", name=name, exact=True) for name in names]
    for action in actions:
        box = action.bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 44
        assert box["y"] + box["height"] <= PHONE["height"]
    status = page.locator("#order-head-status").bounding_box()
    assert status is not None and status["y"] + status["height"] <= PHONE["height"]
    text = page.get_by_label("Comment", exact=True)
    expect(text).not_to_be_in_viewport()
    actions[3].click()
    expect(text).to_be_in_viewport()
    expect(text).to_be_focused()
    expect(page).to_have_url(re.compile(r"#comments$"))
    page.evaluate("window.scrollTo(0, 0)")
    actions[2].click()
    expect(page.get_by_role("heading", name="Status", exact=True)).to_be_in_viewport()
    expect(page.get_by_role("button", name="In progress", exact=True)).to_be_in_viewport()
    page.set_viewport_size(DESKTOP)
    expect(quick).to_be_hidden()


@pytest.mark.parametrize(("name", "size"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_layout_and_accessibility(
    seeded: RelayClient,
    live_server: Any,
    page: Page,
    sign_in: Callable[..., Any],
    name: str,
    size: dict[str, int],
) -> None:
    order = open_order(seeded)
    sign_in(page, Role.BACKOFFICE)
    page.set_viewport_size(size)
    visit(page, live_server, order)
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"detail-{name}.png"), full_page=True)
    # The forms that open on demand are scanned as well.
    for name in ("Change due date", "Change internal ID", "Change address", "Add a field"):
        page.get_by_role("link", name=name).click()
        expect(page.get_by_role("link", name=name)).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    violations = Axe().run(page).response["violations"]
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]]) for v in violations]
    assert [v for v in serious if v[1] in ("serious", "critical")] == []


def test_reload_shows_a_change_made_outside_relaydash(
    seeded: RelayClient, live_server: Any, page: Page, sign_in: Callable[..., Any], settings: Any
) -> None:
    """Pages keep relay's answers for a few seconds; Chromium's reload button must still
    show what relay has now (it sends Cache-Control: max-age=0)."""
    order = open_order(seeded)
    sign_in(page, Role.BACKOFFICE)
    visit(page, live_server, order)
    casavi = RelayClient(base_url=seeded.base_url, api_key=settings.RELAY_API_KEY, retries=0)
    casavi.patch_order(order.id, OrderPatch(internal_id="HV-RELOAD-1"))
    page.reload()
    expect(page.locator("#order-internal_id")).to_contain_text("HV-RELOAD-1")


def test_a_status_changed_elsewhere_is_announced(
    seeded: RelayClient, live_server: Any, page: Page, sign_in: Callable[..., Any], settings: Any
) -> None:
    """The office declines the order while the field worker has it open on site."""
    order = open_order(seeded)
    sign_in(page, Role.FIELD)
    page.clock.install()
    visit(page, live_server, order)
    box = page.get_by_label("Comment", exact=True)
    box.fill("Bin vor Ort")
    casavi = RelayClient(base_url=seeded.base_url, api_key=settings.RELAY_API_KEY, retries=0)
    casavi.patch_order(order.id or 0, OrderPatch(status=OrderStatus.DECLINED))
    page.clock.run_for(31_000)
    notice = page.locator("[data-order-changed-slot] [data-order-changed]")
    expect(notice).to_contain_text("This order was changed in relay since you opened this page.")
    expect(notice).to_contain_text("Status: Open → Declined")
    expect(box).to_have_value("Bin vor Ort")
    page.get_by_role("link", name="Show the current order").click()
    expect(page.locator("#order-head-status")).to_have_text("Declined")
