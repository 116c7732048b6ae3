"""Browser journeys through dispatch (Chromium, real SSO): the back office plans on the
week board by drag, by keyboard and by the no-JavaScript form; each field person lands on
My day on a phone with exactly their stops in their order; "I'll do it"; a conflict
between two planners; the audit trail; axe on the board and on My day."""

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from relaydash.accounts.permissions import Role
from relaydash.accounts.services import person_add
from relaydash.dispatch.models import Assignment
from relaydash.orderindex.models import IndexedOrder
from relaydash.orderindex.sync import index_sync
from relaydash.relay.client import RelayClient
from tests.sso_fixtures import role_groups_for

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def indexed(seeded: RelayClient) -> list[IndexedOrder]:
    index_sync(client=seeded, force=True)
    rows = (
        IndexedOrder.objects.exclude(status__in=["FINISHED", "DECLINED"]).exclude(locality="").order_by("id")
    )
    return list(rows)


@pytest.fixture
def field_people(db: None) -> tuple[Any, Any]:
    """Two field people the back office added before their first sign-in."""
    return (
        person_add(email="anna@example.com", name="Anna Feld"),
        person_add(email="ben@example.com", name="Ben Acker"),
    )


def _context(browser: Browser, *, size: dict[str, int] = DESKTOP, js: bool = True) -> BrowserContext:
    return browser.new_context(locale="en-US", viewport=size, java_script_enabled=js)  # type: ignore[arg-type]


def _sign_in(
    sso_login: Callable[..., Any], target: BrowserContext | Page, role: Role, email: str, name: str
) -> Any:
    """Through the provider's real form; a page stays where signing in landed."""
    return sso_login(target, role_groups=role_groups_for(role), email=email, name=name)


def _cell(page: Page, person: Any, day: dt.date) -> Any:
    return page.locator(f'[data-cell][data-person="{person.pk}"][data-day="{day.isoformat()}"]')


def _stops(page: Page) -> list[int]:
    return [
        int(li.get_attribute("data-order") or 0) for li in page.locator("#my-day-today li[data-order]").all()
    ]


def test_plan_on_the_board_then_each_person_lands_on_their_day(
    browser: Browser,
    live_server: Any,
    indexed: list[IndexedOrder],
    field_people: tuple[Any, Any],
    sso_login: Callable[..., Any],
) -> None:
    anna, ben = field_people
    first, second, third, fourth = (row.id for row in indexed[:4])
    today = timezone.localdate()
    office_context = _context(browser)
    _sign_in(sso_login, office_context, Role.BACKOFFICE, "otto@example.com", "Otto Office")
    board = office_context.new_page()
    board.goto(f"{live_server.url}{reverse('dispatch:board')}")
    expect(board.locator(f"#board-person-{anna.pk}")).to_contain_text("Anna Feld")

    # 1. Drag: the first order from the unplanned column onto Anna's today.
    board.locator(f"#card-{first} .board-card__meta").first.drag_to(_cell(board, anna, today))
    expect(_cell(board, anna, today).locator(f"#card-{first}")).to_be_visible()
    expect(board.locator("#board-note")).to_contain_text("The plan was saved.")  # the server's answer
    # 2. Keyboard: "Move" on the second order, then "Place here" in Ben's today.
    board.locator(f"#card-{second} [data-move]").focus()
    board.keyboard.press("Enter")
    expect(board.locator(".board-place").first).to_be_focused()
    place = board.get_by_role("button", name=f"Place here: Ben Acker, {today:%A} ", exact=False)
    for _step in range(200):  # Tab on, as a keyboard user would, to Ben's today
        if place.evaluate("element => element === document.activeElement"):
            break
        board.keyboard.press("Tab")
    board.keyboard.press("Enter")
    expect(board.locator("#board-note")).to_contain_text("The plan was saved.")
    expect(_cell(board, ben, today).locator(f"#card-{second}")).to_be_visible()
    expect(board.locator(f"#board-person-{ben.pk} .board-load")).to_contain_text("1 order this week")

    # 3. Without JavaScript: the "Plan an order" form, order number, person and day.
    plain_context = _context(browser, js=False)
    _sign_in(sso_login, plain_context, Role.BACKOFFICE, "otto@example.com", "Otto Office")
    plain = plain_context.new_page()
    plain.goto(f"{live_server.url}{reverse('dispatch:board')}")
    plain.locator("#move-order").fill(str(third))
    plain.locator("#move-person").select_option(str(anna.pk))
    plain.locator("#move-day").select_option(today.isoformat())
    plain.locator("#move-starts").fill("13:00")
    plain.locator("#move-ends").fill("15:00")
    plain.locator("#move-submit").click()
    expect(plain.locator(".messages")).to_contain_text("The plan was saved.")
    expect(_cell(plain, anna, today).locator(f"#card-{third}")).to_contain_text("13:00–15:00")
    plain_context.close()

    # Each person signs in on a phone and lands on their day: their stops, their order.
    anna_phone = _context(browser, size=PHONE)
    anna_page = anna_phone.new_page()
    _sign_in(sso_login, anna_page, Role.FIELD, "anna@example.com", "Anna Feld")
    expect(anna_page).to_have_url(f"{live_server.url}{reverse('dispatch:my_day')}")
    assert _stops(anna_page) == [first, third]
    # Up/down keeps her order.
    anna_page.locator(f"#stop-{third}").get_by_role("button", name="up").click()
    expect(anna_page.locator("#my-day-today li[data-order]").first).to_have_attribute(
        "data-order", str(third)
    )
    anna_page.reload()
    assert _stops(anna_page) == [third, first]
    expect(anna_page.locator("#my-day-route")).to_have_attribute("href", re.compile(r"maps/dir/.*waypoints="))

    ben_phone = _context(browser, size=PHONE)
    ben_page = ben_phone.new_page()
    _sign_in(sso_login, ben_page, Role.FIELD, "ben@example.com", "Ben Acker")
    expect(ben_page).to_have_url(f"{live_server.url}{reverse('dispatch:my_day')}")
    assert _stops(ben_page) == [second]

    # Ben takes an unassigned order: it is in his day and on the board.
    ben_page.goto(f"{live_server.url}{reverse('orders:detail', args=[fourth])}")
    ben_page.get_by_role("button", name="I'll do it").click()
    expect(ben_page.locator("#order-assigned-to")).to_contain_text("Ben Acker")
    ben_page.goto(f"{live_server.url}{reverse('dispatch:my_day')}")
    assert _stops(ben_page) == [second, fourth]
    board.reload()
    expect(_cell(board, ben, today).locator(f"#card-{fourth}")).to_be_visible()

    # The audit trail names who changed what, and when.
    admin_context = _context(browser)
    _sign_in(sso_login, admin_context, Role.ADMIN, "root@example.com", "Ada Admin")
    audit = admin_context.new_page()
    for order_id, who in (
        (first, "Otto Office"),
        (second, "Otto Office"),
        (third, "Otto Office"),
        (fourth, "Ben Acker"),
    ):
        audit.goto(f"{live_server.url}{reverse('accounts:audit')}?order={order_id}")
        entry = audit.locator("tbody tr").first
        expect(entry).to_contain_text("Assignment or plan changed")
        expect(entry).to_contain_text(who)
        expect(entry.locator("time")).to_have_count(1)
    for context in (office_context, anna_phone, ben_phone, admin_context):
        context.close()


def test_two_planners_move_the_same_order_and_the_second_sees_it_moved(
    browser: Browser,
    live_server: Any,
    indexed: list[IndexedOrder],
    field_people: tuple[Any, Any],
    sso_login: Callable[..., Any],
) -> None:
    anna, ben = field_people
    order = indexed[0].id
    today = timezone.localdate()
    one, two = _context(browser), _context(browser)
    _sign_in(sso_login, one, Role.BACKOFFICE, "otto@example.com", "Otto Office")
    _sign_in(sso_login, two, Role.BACKOFFICE, "olga@example.com", "Olga Office")
    page_one, page_two = one.new_page(), two.new_page()
    for page in (page_one, page_two):
        page.goto(f"{live_server.url}{reverse('dispatch:board')}")
    page_one.locator(f"#card-{order} [data-move]").click()
    page_one.get_by_role("button", name=f"Place here: Anna Feld, {today:%A} ", exact=False).click()
    expect(_cell(page_one, anna, today).locator(f"#card-{order}")).to_be_visible()
    # Olga's board still shows the order unplanned; she moves it to Ben.
    page_two.locator(f"#card-{order} [data-move]").click()
    page_two.get_by_role("button", name=f"Place here: Ben Acker, {today:%A} ", exact=False).click()
    expect(page_two.locator("#board-note")).to_contain_text("Someone else changed this order's plan")
    expect(_cell(page_two, anna, today).locator(f"#card-{order}")).to_be_visible()
    expect(_cell(page_two, ben, today).locator(f"#card-{order}")).to_have_count(0)
    assert Assignment.objects.get(order_id=order).person_id == anna.pk
    one.close()
    two.close()


@pytest.mark.parametrize(("where", "size"), [("board", DESKTOP), ("my_day", PHONE)])
def test_axe_finds_nothing_serious(
    browser: Browser,
    live_server: Any,
    indexed: list[IndexedOrder],
    field_people: tuple[Any, Any],
    sso_login: Callable[..., Any],
    where: str,
    size: dict[str, int],
) -> None:
    from relaydash.dispatch import services

    anna, _ben = field_people
    today = timezone.localdate()
    for row in indexed[:3]:
        services.order_plan(
            actor=anna, order_id=row.id, plan=services.Plan(person_id=anna.pk, day=today), seen_version=None
        )
    services.order_plan(
        actor=anna,
        order_id=indexed[3].id,
        plan=services.Plan(person_id=anna.pk, day=today + dt.timedelta(days=1)),
        seen_version=None,
    )
    context = _context(browser, size=size)
    if where == "board":
        _sign_in(sso_login, context, Role.BACKOFFICE, "otto@example.com", "Otto Office")
    else:
        _sign_in(sso_login, context, Role.FIELD, "anna@example.com", "Anna Feld")
    page = context.new_page()
    page.goto(f"{live_server.url}{reverse(f'dispatch:{where}')}")
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], [(v["id"], v["nodes"][0]["html"]) for v in serious]
    if where == "my_day":
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], "My day scrolls sideways on a phone"
    context.close()


def test_a_field_worker_reorders_the_day_by_drag_and_it_is_kept(
    browser: Browser,
    live_server: Any,
    indexed: list[IndexedOrder],
    field_people: tuple[Any, Any],
    sso_login: Callable[..., Any],
) -> None:
    from relaydash.dispatch import services

    anna, _ben = field_people
    today = timezone.localdate()
    ids = [row.id for row in indexed[:3]]
    for order_id in ids:
        services.order_plan(
            actor=anna, order_id=order_id, plan=services.Plan(person_id=anna.pk, day=today), seen_version=None
        )
    phone = _context(browser, size=PHONE)
    page = phone.new_page()
    _sign_in(sso_login, page, Role.FIELD, "anna@example.com", "Anna Feld")
    assert _stops(page) == ids
    page.locator(f"#stop-{ids[2]} .my-stop__handle").drag_to(page.locator(f"#stop-{ids[0]} .my-stop__title"))
    expect(page.locator("#my-day-today li[data-order]").first).to_have_attribute("data-order", str(ids[2]))
    page.wait_for_load_state("networkidle")
    page.reload()
    assert _stops(page) == [ids[2], ids[0], ids[1]]
    phone.close()
