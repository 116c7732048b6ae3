"""Browser journeys through the order list (Chromium via Playwright): filter, search,
sort and back/forward; phone and desktop layout with axe; the list without JavaScript;
the background refresh."""

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from relaydash.accounts.permissions import Role
from relaydash.relay.client import RelayClient
from relaydash.relay.records import OrderPatch, OrderStatus
from tests.orderindex.support import sync

pytestmark = pytest.mark.browser


def row_ids(page: Page) -> list[str]:
    return [
        (link.get_attribute("id") or "").removeprefix("order-link-")
        for link in page.locator("#order-results a[id^=order-link-]").all()
    ]


def assert_full_page(page: Page) -> None:
    """Back/forward must never leave a bare fragment behind."""
    expect(page.locator("h1")).to_have_text(re.compile("Orders"))
    expect(page.locator("#order-filter")).to_be_visible()
    expect(page.locator("header.site-header")).to_be_visible()


def test_filter_search_sort_and_history(
    page: Page, live_server: Any, seeded: RelayClient, sign_in: Any
) -> None:
    sign_in(page, Role.BACKOFFICE)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/orders/")
    all_ids = row_ids(page)
    assert len(all_ids) == len(seeded.get_orders())

    page.locator("#order-tabs a.order-tab--open").click()
    page.wait_for_url(re.compile(r"/orders/\?status=OPEN$"))
    expect(page.locator("#order-tabs a.order-tab--open")).to_have_attribute("aria-current", "page")
    open_ids = {str(o.id) for o in seeded.get_orders() if o.status_text == "OPEN"}
    expect(page.locator("#order-results a[id^=order-link-]")).to_have_count(len(open_ids))
    assert set(row_ids(page)) == open_ids

    target = next(o for o in seeded.get_orders() if o.status_text == "OPEN" and o.address)
    city = target.address.locality  # type: ignore[union-attr]
    page.locator("#order-q").fill(city or "")
    page.wait_for_url(re.compile(r"q=.*status=OPEN"))
    expect(page.locator(f"#order-link-{target.id}")).to_be_visible()
    expect(page.locator("#order-count")).to_contain_text("found")
    searched = row_ids(page)
    assert set(searched) <= open_ids
    expect(page.locator("#order-q")).to_be_focused()  # typing is not interrupted by the swap

    page.locator("#order-sort").select_option("-title")
    page.wait_for_url(re.compile(r"sort=-title"))
    expect(page.locator("#order-sort")).to_have_value("-title")
    titles = page.locator("#order-results td.order-row__title a").all_inner_texts()
    assert titles == sorted(titles, key=str.casefold, reverse=True)

    page.locator(".order-filter__more summary").click()
    page.locator("#order-type").select_option(target.type or "")
    page.wait_for_url(re.compile(r"type="))
    expect(page.locator(f"#order-link-{target.id}")).to_be_visible()
    assert set(row_ids(page)) <= set(searched)

    page.go_back()
    page.wait_for_url(re.compile(r"sort=-title$"))
    assert_full_page(page)
    page.go_back()
    page.wait_for_url(re.compile(r"q=.*status=OPEN$"))
    assert_full_page(page)
    assert set(row_ids(page)) == set(searched)
    expect(page.locator("#order-q")).to_have_value(city or "")

    page.go_back()
    page.wait_for_url(re.compile(r"/orders/\?status=OPEN$"))
    assert_full_page(page)
    assert set(row_ids(page)) == open_ids

    page.go_forward()
    page.wait_for_url(re.compile(r"q=.*status=OPEN$"))
    assert_full_page(page)
    assert set(row_ids(page)) == set(searched)


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (360, 800)], ids=["desktop", "phone"])
def test_layout_and_accessibility(
    page: Page, live_server: Any, seeded: RelayClient, sign_in: Any, width: int, height: int
) -> None:
    sign_in(page, Role.FIELD)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server.url}/orders/?sort=-due")
    expect(page.locator("#order-results a[id^=order-link-]").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if width < 700:
        # Field staff on site see the first order without scrolling: its card starts in
        # the upper part of the first screen, under header, search, tabs and sort.
        card = page.locator("#order-results tbody tr").first.bounding_box()
        assert card is not None
        assert card["y"] <= 0.6 * height, card
    name = "desktop" if width > 700 else "phone"
    page.screenshot(path=f"/tmp/shots/list-{name}.png")
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], [(v["id"], v["nodes"][0]["html"]) for v in serious]
    page.locator(".order-filter__more summary").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_due_today_tab_on_a_phone(page: Page, live_server: Any, seeded: RelayClient, sign_in: Any) -> None:
    sign_in(page, Role.FIELD)
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{live_server.url}/orders/")
    tab = page.locator("#order-tabs a.order-tab--due_today")
    expect(tab).to_contain_text("Due today")
    tab.click()
    page.wait_for_url(re.compile(r"/orders/\?due=today$"))
    tab = page.locator("#order-tabs a.order-tab--due_today")
    expect(tab).to_have_attribute("aria-current", "page")
    expect(tab).to_be_in_viewport()
    count = int(tab.locator(".order-tab__count").inner_text())
    expect(page.locator("#order-results a[id^=order-link-]")).to_have_count(count)
    assert count > 0
    # Export waits below the list on a phone and carries the filter along.
    expect(page.locator(".order-export--head")).to_be_hidden()
    expect(page.locator(".order-export--foot a").first).to_have_attribute(
        "href", "/orders/export.csv?due=today"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_list_works_without_javascript(
    browser: Browser, live_server: Any, seeded: RelayClient, sign_in: Any
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        sign_in(context, Role.BACKOFFICE)
        page = context.new_page()
        page.goto(f"{live_server.url}/orders/")
        target = next(o for o in seeded.get_orders() if o.internal_id)
        page.locator("#order-q").fill(target.internal_id or "")
        page.get_by_role("button", name="Show orders").click()
        page.wait_for_url(re.compile(r"q=AUF"))
        assert row_ids(page) == [str(target.id)]
        page.locator("#order-sort").select_option("-created")
        page.locator("button[form=order-filter]", has_text="Sort").click()
        page.wait_for_url(re.compile(r"sort=-created"))
        assert row_ids(page) == [str(target.id)]
        page.locator("#order-tabs a.order-tab--all").click()
        page.wait_for_url(re.compile(r"q=AUF.*sort=-created"))
    finally:
        context.close()


def test_refresh_offers_new_orders_without_moving_rows(
    page: Page, live_server: Any, seeded: RelayClient, sign_in: Any
) -> None:
    sign_in(page, Role.BACKOFFICE)
    page.goto(f"{live_server.url}/orders/?status=OPEN")
    before = row_ids(page)
    newcomer = next(o for o in seeded.get_orders() if o.status_text == "IN_PROGRESS")
    assert newcomer.id is not None
    seeded.patch_order(newcomer.id, OrderPatch(status=OrderStatus.OPEN))
    sync()  # the sync worker's next round
    page.evaluate("document.body.dispatchEvent(new CustomEvent('orders:refresh'))")
    notice = page.locator("#order-notice")
    expect(notice).to_contain_text("1 new order")
    assert row_ids(page) == before
    expect(page.locator("#order-tabs a.order-tab--open .order-tab__count")).to_have_text(str(len(before) + 1))
    notice.get_by_role("link", name="Update list").click()
    expect(page.locator(f"#order-link-{newcomer.id}")).to_be_visible()
    expect(notice).to_be_empty()
