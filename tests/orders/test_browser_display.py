"""Odd relay data displays honestly (Chromium via Playwright): a 300-character word wraps
only in its own cell, a right-to-left override cannot disguise a file's extension, a
500-character title leaves the phone's quick actions on the first screen, and a bare due
date is due all day.

relay's answers are shaped here through the sandbox's fault injection, which can answer
an operation with any body and status 200: the client decodes them as it would relay's.
"""

import datetime as dt
import re
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page, expect

from relaydash.accounts.permissions import Role
from relaydash.orderindex.sync import SyncResult, index_sync
from relaydash.relay.client import RelayClient, get_client
from relaydash.relay.records import Attachment, Comment, Order, OrderStatus
from relaydash.sandbox import faults

pytestmark = pytest.mark.browser

BERLIN = ZoneInfo("Europe/Berlin")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 800}
LONG_WORD = ("Grundstücksverwaltungsgesellschaftsrechnungsprüfung" * 6)[:300]
SPOOFED_FILE = "Rechnung \u202efdp.exe"

# Words of the text under `selector` that the browser split across two lines (a break
# after a hyphen, as in "TASK-|4711", is where a line may end, so the parts count apart).
BROKEN_WORDS_JS = """(selector) => {
  const broken = [];
  for (const element of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest('.visually-hidden')) continue;
      for (const match of node.textContent.matchAll(/[^\\s\\-]+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const rects = [...range.getClientRects()].filter((r) => r.width > 0);
        const tops = new Set(rects.map((r) => Math.round(r.top)));
        if (tops.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""

# The left edges of two parts of the text of the first element matching `selector`, as
# drawn: where the browser really put them, whatever order they have in the DOM.
LEFT_OF_JS = """([selector, first, second]) => {
  const element = document.querySelector(selector);
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  const edge = (part) => {
    walker.currentNode = element;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.textContent.indexOf(part);
      if (at >= 0) {
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + part.length);
        return range.getBoundingClientRect().left;
      }
    }
    return null;
  };
  return [edge(first), edge(second)];
}"""


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "en-US"}


def relay_answers(operation: str, value: Any, *, count: int = 50) -> None:
    """relay answers the next `count` calls of `operation` with `value` (as relay's JSON).
    For GetOrders, the order index is synced from that answer at once, as the worker's
    next round would: the order list reads the index."""
    faults.fail_next(status=200, body=msgspec.json.encode(value), count=count, operation=operation)
    if operation == "GetOrders":
        assert index_sync(client=get_client(), force=True).result is SyncResult.DONE


def open_orders(relay: RelayClient) -> list[Order]:
    return [o for o in relay.get_orders() if o.status is OrderStatus.OPEN and o.address and o.customer_id]


def serious_axe_violations(page: Page) -> list[tuple[str, list[Any]]]:
    violations = Axe().run(page).response["violations"]
    return [
        (v["id"], [n["target"] for n in v["nodes"]])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def broken_words(page: Page, selector: str) -> list[str]:
    return page.evaluate(BROKEN_WORDS_JS, selector)


def test_a_300_character_word_wraps_only_in_its_own_cell(
    seeded: RelayClient, live_server: Any, page: Page, sign_in: Callable[..., Any]
) -> None:
    orders = seeded.get_orders()
    odd = open_orders(seeded)[0]
    shown = [msgspec.structs.replace(o, title=LONG_WORD) if o.id == odd.id else o for o in orders]
    sign_in(page, Role.BACKOFFICE)
    relay_answers("GetOrders", shown)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/orders/")
    long_cell = page.locator(f"td.order-row__title:has(#order-link-{odd.id})")
    expect(long_cell).to_be_visible()
    others = f"#order-results tbody tr:not(:has(#order-link-{odd.id})) td"
    assert page.locator(others).count() > 20
    assert broken_words(page, others) == []
    # The long word's own row: its other cells keep their words whole too.
    assert (
        broken_words(page, f"#order-results tbody tr:has(#order-link-{odd.id}) td:not(.order-row__title)")
        == []
    )
    box = long_cell.bounding_box()
    assert box is not None and box["height"] > 60 and box["width"] < DESKTOP["width"] / 2  # it wraps in place
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    assert serious_axe_violations(page) == []
    table, results = (
        page.locator("#order-results table").bounding_box(),
        page.locator("#order-results").bounding_box(),
    )
    assert table is not None and results is not None and table["width"] <= results["width"]


@pytest.mark.parametrize(
    "size",
    [
        PHONE,
        {"width": 420, "height": 800},
        {"width": 700, "height": 800},
        {"width": 1000, "height": 800},
        DESKTOP,
    ],
    ids=["360", "420", "700", "1000", "1280"],
)
def test_status_buttons_never_break_inside_a_word(
    seeded: RelayClient, live_server: Any, page: Page, sign_in: Callable[..., Any], size: dict[str, int]
) -> None:
    """German has the long words ("In Vorbereitung")."""
    order = open_orders(seeded)[0]
    sign_in(page, Role.FIELD)
    page.context.add_cookies([{"name": "django_language", "value": "de", "url": live_server.url}])
    page.set_viewport_size(size)
    page.goto(f"{live_server.url}/orders/{order.id}/")
    expect(page.get_by_role("button", name="In Vorbereitung", exact=True)).to_be_visible()
    assert broken_words(page, ".status-choice__button, .order-quick__action, .order-fact dd") == []
    for button in page.locator(".status-choice__button").all():  # and the words fit inside
        assert button.evaluate("(e) => e.scrollWidth <= e.clientWidth"), button.inner_text()


def test_a_right_to_left_override_cannot_disguise_a_file(
    seeded: RelayClient, live_server: Any, page: Page, sign_in: Callable[..., Any]
) -> None:
    order = next(o for o in open_orders(seeded) if o.comments)
    spoofed = Attachment(name=SPOOFED_FILE, item_type="application/pdf", updated_at=order.created_at)
    comment = msgspec.structs.replace(
        order.comments[0], attachments=(spoofed,), author="Hausverwaltung \u202eGmbH"
    )
    odd = msgspec.structs.replace(
        order,
        attachments=(spoofed,),
        comments=(comment, *order.comments[1:]),
        title=f"Heizung \u202e{order.title}",
    )
    sign_in(page, Role.BACKOFFICE)
    relay_answers("GetOrder", odd)
    relay_answers("GetOrderComments", list(odd.comments))
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/orders/{order.id}/")
    names = page.locator(".attachment__name", has_text="fdp")
    expect(names.first).to_be_visible()
    assert names.count() == 2
    for text in names.all_inner_texts():
        assert text == "Rechnung fdp.exe"  # the real extension, at the end
    fdp, exe = page.evaluate(LEFT_OF_JS, [".order-layout__rest .attachment__name", "fdp", "exe"])
    assert fdp is not None and exe is not None and fdp < exe  # drawn left to right: ".exe" is seen last
    assert "\u202e" not in page.content()
    # The title's override does not run on into the facts after it.
    heading, label = page.evaluate(LEFT_OF_JS, ["#order-title", "Heizung", order.title or ""])
    assert heading is not None and label is not None and heading < label


def test_a_500_character_title_leaves_the_quick_actions_on_the_first_screen(
    seeded: RelayClient, live_server: Any, page: Page, sign_in: Callable[..., Any]
) -> None:
    order = next(o for o in open_orders(seeded) if any(p.telephone or p.mobile for p in o.contact_persons))
    title = " ".join(["Wasserschaden im Keller nach Starkregen, bitte dringend prüfen"] * 9)[:500]
    sign_in(page, Role.FIELD)
    relay_answers("GetOrder", msgspec.structs.replace(order, title=title))
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/orders/{order.id}/")
    quick = page.get_by_role("navigation", name="Quick actions")
    expect(quick).to_be_visible()
    for name in ("Map", "Call", "Status", "Comment"):
        box = quick.get_by_role("link", name=re.compile(f"^{name}")).bounding_box()
        assert box is not None and box["y"] + box["height"] <= 780, name
    heading = page.locator("#order-title")
    expect(heading).to_have_text(title)  # the whole title is there for screen readers
    clamped = heading.bounding_box()
    assert clamped is not None and clamped["height"] < 120
    page.get_by_text("Show the whole title").click()  # one tap: a <details>, no script needed
    opened = heading.bounding_box()
    assert opened is not None and opened["height"] > 3 * clamped["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_axe_violations(page) == []


@pytest.mark.parametrize(
    ("now", "state", "tab", "other_tab"),
    [
        (dt.datetime(2026, 12, 2, 7, 0, tzinfo=BERLIN), "due today", "due=today", "overdue=1"),
        (dt.datetime(2026, 12, 3, 7, 0, tzinfo=BERLIN), "overdue", "overdue=1", "due=today"),
    ],
    ids=["07:00 that day", "07:00 the next day"],
)
def test_a_bare_due_date_is_due_all_day(
    seeded: RelayClient,
    live_server: Any,
    page: Page,
    sign_in: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    now: dt.datetime,
    state: str,
    tab: str,
    other_tab: str,
) -> None:
    orders = seeded.get_orders()
    day = open_orders(seeded)[0]
    # Every other order is due far away, so the tabs hold only the order under test.
    far = "2027-06-01T12:00:00+02:00"
    shown = [msgspec.structs.replace(o, due_date="2026-12-02" if o.id == day.id else far) for o in orders]
    sign_in(page, Role.BACKOFFICE)
    relay_answers("GetOrders", shown)  # synced now, before the clock is set back
    relay_answers("GetOrder", shown[[o.id for o in shown].index(day.id)])
    monkeypatch.setattr(timezone, "now", lambda: now)  # the server's clock, in the live server's thread too
    page.set_viewport_size(DESKTOP)

    page.goto(f"{live_server.url}/orders/?{tab}")
    row = page.locator(f"#order-results tbody tr:has(#order-link-{day.id})")
    expect(row).to_have_count(1)
    due = row.locator("td.order-row__due")
    expect(due).to_have_text(re.compile(rf"^\s*12/02/2026 {state}\s*$"))  # a day: no made-up 00:00
    if state == "due today":
        expect(row).not_to_have_class(re.compile("order-row--overdue"))
    else:
        expect(row).to_have_class(re.compile("order-row--overdue"))
    page.goto(f"{live_server.url}/orders/?{other_tab}")
    expect(page.locator(f"#order-link-{day.id}")).to_have_count(0)

    page.goto(f"{live_server.url}/orders/{day.id}/")
    expect(page.locator("#order-due_date .due")).to_have_text(f"12/02/2026 {state}")


def test_the_due_day_reads_in_german(
    seeded: RelayClient,
    live_server: Any,
    page: Page,
    sign_in: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    order = open_orders(seeded)[0]
    sign_in(page, Role.BACKOFFICE)
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 12, 2, 7, 36, tzinfo=BERLIN))
    relay_answers("GetOrder", msgspec.structs.replace(order, due_date="2026-12-02"))
    page.context.add_cookies([{"name": "django_language", "value": "de", "url": live_server.url}])
    page.goto(f"{live_server.url}/orders/{order.id}/")
    expect(page.locator("#order-due_date .due")).to_have_text("02.12.2026 heute fällig")


def test_comment_files_in_the_timeline_keep_their_extension(
    seeded: RelayClient, live_server: Any, page: Page, sign_in: Callable[..., Any]
) -> None:
    """A comment's file and text: the override is gone, a 300-character word wraps inside
    the comment on a phone, and nothing else on the page breaks a word or scrolls sideways."""
    order = next(o for o in open_orders(seeded) if o.comments)
    spoofed = Comment(
        id=987654,
        text=f"Rechnung anbei \u202e(bitte prüfen) {LONG_WORD}",
        author="Verwaltung",
        attachments=(Attachment(name=SPOOFED_FILE, item_type="application/pdf"),),
        created_at=order.created_at,
    )
    sign_in(page, Role.BACKOFFICE)
    relay_answers("GetOrder", msgspec.structs.replace(order, comments=(spoofed, *order.comments)))
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/orders/{order.id}/")
    item = page.locator('#comment-list li[data-comment-id="987654"]')
    expect(item.locator(".attachment__name")).to_have_text("Rechnung fdp.exe")
    expect(item.locator(".comment__text")).to_have_text(f"Rechnung anbei (bitte prüfen) {LONG_WORD}")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    text = item.locator(".comment__text").bounding_box()
    assert text is not None and text["x"] + text["width"] <= PHONE["width"]
    assert broken_words(page, ".order-head, .comment__meta, .attachment, .contact-list, .order-address") == []
