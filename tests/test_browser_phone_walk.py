"""Every page fits a 360 px phone (and an 800 px tablet): a walk through all of
relaydash's pages in Chromium that fails on any sideways scroll
(document.documentElement.scrollWidth > innerWidth).

The walk follows the links people follow, from the order list, as an admin (who sees
every page), with odd data in the audit trail and the import; then it checks that it has
met every page the URL patterns define, so a new page cannot slip past it.
"""

import re
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve
from playwright.sync_api import Browser, Page, expect

from relaydash.accounts.audit import Operation, Target, audit_write
from relaydash.accounts.permissions import Role
from relaydash.relay.client import RelayClient
from tests.accounts.urlwalk import all_routes

pytestmark = pytest.mark.browser

LONG = "Grundstücksverwaltungsgesellschaftsrechnungsprüfung" * 4

# Not pages: downloads, htmx parts, writes (POST only), the sign-in handshake, the health
# check, Django's own admin (its own layout) and the sandbox API.
NOT_PAGES = {
    "orders:export",
    "orders:list_refresh",
    "orders:patch",
    "orders:comments",
    "orders:comment_create",
    "orders:field_create",
    "orders:part",
    "directory:customer_export",
    "directory:property_import_template",
    "directory:property_import_confirm",
    "directory:property_import_step",
    "directory:property_import_stop",
    "directory:property_import_report",
    "accounts:logout",
    "accounts:oidc_authentication_init",
    "accounts:oidc_authentication_callback",
    "accounts:audit_csv",
    "ops:healthz",
    "ops:readyz",
    "set_language",
    "dispatch:start",  # the sign-in landing: a redirect to My day or the list
    "dispatch:person_hidden",
    "dispatch:plan",
    "dispatch:plan_many",
    "dispatch:take",
    "dispatch:hand_back",
    "dispatch:board_move",
    "dispatch:my_day_reorder",
}
NOT_WALKED_NAMESPACES = {"admin", "sandbox"}
# Seen without signing in, or by someone without a role.
SIGNED_OUT = {"accounts:login", "accounts:no_access"}


def view_name(url: str) -> str | None:
    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return None


def sideways(page: Page) -> int:
    """How far the page scrolls sideways (0 when it fits)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def widest(page: Page) -> list[str]:
    """The elements that reach past the viewport's right edge, for the failure message."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
          .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
          .slice(-3)
          .map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)"""
    )


def odd_audit_trail(user: Any) -> None:
    """Entries with the long words and direction overrides relay data can carry."""
    entries = [
        (
            Operation.PATCH_ORDER,
            Target.ORDER,
            {"fields": ["due_date"], "title": LONG},
            {"due_date": "2026-12-02"},
        ),
        (
            Operation.CREATE_ORDER_COMMENT,
            Target.ORDER,
            {"text": LONG, "files": [{"name": f"{LONG}.pdf"}]},
            None,
        ),
        (Operation.CREATE_CUSTOMER, Target.CUSTOMER, {"customer": {"name": f"\u202e{LONG}"}}, None),
    ]
    for operation, target, summary, after in entries:
        with audit_write(
            actor=user, operation=operation, target_type=target, target_id=1, summary=summary, after=after
        ):
            pass


def import_job(page: Page, base: str, tmp_path: Path) -> None:
    """An import preview with a long name and a bad row, so the import page exists."""
    file = tmp_path / f"{LONG[:60]}.csv"
    file.write_text(
        f"Objektname;Straße;PLZ;Ort;Land\n{LONG};Weg 1;10115;Berlin;DE\nOhne PLZ;Weg 2;;Berlin;DE\n"
    )
    page.goto(f"{base}/properties/import/")
    form = page.locator("form.dir-form")
    form.locator("input[type=file]").set_input_files(str(file))
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/properties/import/[^/]+/$"))
    expect(page.locator(".dir-import-table")).to_be_visible()


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "de-DE"}


@pytest.mark.parametrize("width", [360, 800], ids=["phone", "tablet"])
def test_every_page_fits_without_sideways_scroll(
    seeded: RelayClient,
    live_server: Any,
    page: Page,
    browser: Browser,
    sign_in: Any,
    tmp_path: Path,
    width: int,
) -> None:
    base = live_server.url
    size = {"width": width, "height": 800}
    page.set_viewport_size(size)
    user = sign_in(page, Role.ADMIN)
    odd_audit_trail(user)
    import_job(page, base, tmp_path)
    order = seeded.get_orders()[0]
    start = [
        f"{base}/",
        f"{base}/my-day/",  # field staff's landing page (an admin's nav links the board)
        page.url,  # the import preview
        *(
            f"{base}/orders/{order.id}/?edit={part}"
            for part in ("due_date", "internal_id", "address", "field")
        ),
    ]
    seen: dict[str, str] = {}  # view name → the first URL that showed it
    too_wide: list[tuple[str, int, list[str]]] = []
    queue = deque(start)
    visited: set[str] = set()
    while queue:
        url = queue.popleft()
        name = view_name(url)
        key = url if "?edit=" in url else name
        if url in visited or name is None or key in visited or name in NOT_PAGES:
            continue
        if name.partition(":")[0] in NOT_WALKED_NAMESPACES or not name.partition(":")[0]:
            continue
        visited.update({url, key or url})
        response = page.goto(url)
        assert response is not None and response.status == 200, (url, response and response.status)
        seen.setdefault(name, url)
        if sideways(page) > 0:
            too_wide.append((url, sideways(page) + width, widest(page)))
        for href in page.locator("a[href]:not([download]):not([target=_blank])").evaluate_all(
            "(links) => links.map((a) => a.getAttribute('href'))"
        ):
            target = urljoin(url, href)
            if target.startswith(base) and "#" not in href and not href.startswith("?page"):
                queue.append(target.split("#")[0])

    # Signed out: the login page; a person without a role: the no-access page.
    context = browser.new_context(viewport=size, locale="de-DE")
    visitor = context.new_page()
    for path in ("/login/", "/no-access/"):
        visitor.goto(f"{base}{path}")
        seen.setdefault(view_name(visitor.url) or path, visitor.url)
        if sideways(visitor) > 0:
            too_wide.append((visitor.url, sideways(visitor) + width, widest(visitor)))
    context.close()

    assert too_wide == [], f"pages wider than {width} px (url, width, what reaches out)"
    pages = {
        route.name
        for route in all_routes()
        if route.namespace not in NOT_WALKED_NAMESPACES and route.name not in NOT_PAGES and ":" in route.name
    }
    missing = pages - set(seen) - SIGNED_OUT
    assert missing == set(), f"the walk never reached {sorted(missing)}"
    assert "accounts:audit" in seen
