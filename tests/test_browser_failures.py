"""Browser journeys with relay failing or slow (Chromium via Playwright): every in-page
update shows a failure where it happened (one rule for error answers, app.js), and a
slow relay is said, not hidden behind dimmed buttons."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from relaydash.accounts.permissions import Role
from relaydash.relay.client import RelayClient
from relaydash.sandbox import faults
from relaydash.sandbox.models import Property as SandboxProperty
from relaydash.web import RELAY_FAILED

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """English words, whatever the machine's locale (German is tested by the catalog)."""
    return {**browser_context_args, "locale": "en-US"}


def english(message: Any, **values: Any) -> str:
    from django.utils import translation

    with translation.override("en"):
        return str(message) % values if values else str(message)


def test_customer_search_with_relay_failing_says_so_in_the_results(
    page: Page, live_server: Any, seeded: RelayClient, sign_in: Any, settings: Any
) -> None:
    settings.RELAY_CACHE_CUSTOMERS_SECONDS = 0  # every search asks relay
    sign_in(page, Role.BACKOFFICE)
    page.goto(f"{live_server.url}/customers/")
    results = page.locator("#customer-results")
    expect(results.locator("tbody tr").first).to_be_visible()

    faults.fail_next(status=503, count=3, operation="GetCustomers")
    page.get_by_label("Search").fill("Berlin")
    expect(results.get_by_role("alert")).to_contain_text(english(RELAY_FAILED, status=503))
    expect(results.locator("tbody tr")).to_have_count(0)  # not the old, unfiltered list


def test_property_paging_with_relay_failing_says_so_in_the_results(
    page: Page, live_server: Any, seeded: RelayClient, sign_in: Any
) -> None:
    now = timezone.now()
    SandboxProperty.objects.bulk_create(
        SandboxProperty(name=f"Objekt {i:03}", origin="API", created_at=now, updated_at=now)
        for i in range(60)
    )
    sign_in(page, Role.BACKOFFICE)
    page.goto(f"{live_server.url}/properties/")
    results = page.locator("#property-results")
    expect(results.get_by_role("link", name="Next")).to_be_visible()

    faults.fail_next(status=500, operation="GetProperties")
    results.get_by_role("link", name="Next").click()
    expect(results.get_by_role("alert")).to_contain_text(english(RELAY_FAILED, status=500))


def _open_order(relay: RelayClient) -> Any:
    return next(o for o in relay.get_orders() if o.status_text == "OPEN")


def test_a_slow_status_change_says_it_is_waiting_for_relay(
    page: Page, live_server: Any, seeded: RelayClient, sign_in: Any
) -> None:
    order = _open_order(seeded)
    sign_in(page, Role.FIELD)
    page.goto(f"{live_server.url}/orders/{order.id}/")
    faults.delay_next(seconds=2.5, operation="PatchOrder")
    page.get_by_role("button", name="In progress", exact=True).click()
    waiting = page.locator("#order-status [data-waiting-note]")
    expect(waiting).to_have_text("Waiting for relay…")
    expect(waiting).to_have_attribute("aria-live", "polite")
    expect(page.locator("#order-status [role=status]")).to_have_text("Status changed to “In progress”.")
    expect(page.locator("[data-waiting-note]")).to_have_count(0)


def test_a_slow_upload_says_it_was_uploaded_and_waits_for_relay(
    page: Page, live_server: Any, seeded: RelayClient, sign_in: Any
) -> None:
    order = _open_order(seeded)
    sign_in(page, Role.FIELD)
    page.goto(f"{live_server.url}/orders/{order.id}/")
    faults.delay_next(seconds=2.5, operation="CreateOrderComment")
    page.get_by_label("Comment", exact=True).fill("Zähler getauscht.")
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 200_000
    page.locator("#comment-files").set_input_files(
        [{"name": "zaehler.jpg", "mimeType": "image/jpeg", "buffer": jpeg}]
    )
    page.get_by_role("button", name="Post comment").click()
    progress = page.locator("#comment-form [data-upload-progress-text]")
    expect(progress).to_have_text("Uploaded, waiting for relay to confirm…")
    expect(progress).to_have_attribute("aria-live", "polite")
    expect(page.locator("#comment-progress")).to_be_hidden()
    expect(page.locator("#comment-form [role=status]")).to_have_text(
        "Comment posted. The property manager can read it."
    )


def test_a_comment_whose_answer_was_lost_is_posted_once_in_the_browser(
    page: Page, live_server: Any, seeded: RelayClient, sign_in: Any, settings: Any
) -> None:
    from relaydash.sandbox.faults import After
    from relaydash.sandbox.models import Comment as SandboxComment

    settings.RELAY_TIMEOUT_UPLOAD = 0.5
    order = _open_order(seeded)
    sign_in(page, Role.FIELD)
    page.goto(f"{live_server.url}/orders/{order.id}/")
    text = "Leck abgedichtet, bitte Rückruf."
    page.get_by_label("Comment", exact=True).fill(text)
    page.locator("#comment-files").set_input_files(
        [{"name": "leck.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8\xff\xe0" + b"\x00" * 64}]
    )
    # relay stores the comment, its answer comes too late, and relay cannot be read to check.
    faults.after_next(kind=After.STALL, operation="CreateOrderComment", seconds=1.5)
    faults.fail_next(status=500, operation="GetOrderComments")
    page.get_by_role("button", name="Post comment").click()
    alert = page.locator("#comment-form [role=alert]").first
    expect(alert).to_contain_text("relay may have saved this")
    expect(page.get_by_label("Comment", exact=True)).to_have_value(text)
    assert SandboxComment.objects.filter(text=text).count() == 1

    page.get_by_role("button", name="Try again").click()
    expect(page.locator("#comment-form [role=status]")).to_contain_text("Comment posted.")
    assert SandboxComment.objects.filter(text=text).count() == 1  # the retry looked first
