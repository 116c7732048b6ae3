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
