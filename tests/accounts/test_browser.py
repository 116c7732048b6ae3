"""Browser journeys: signing in and out through the real provider, in Chromium."""

import re
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from relaydash.accounts.models import Profile
from relaydash.accounts.permissions import Role
from tests.sso_fixtures import OIDCProvider, role_groups_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_through_the_provider_and_sign_out_again(
    page: Page, sso_login: Any, sso_settings: OIDCProvider, live_server: Any, relay: Any
) -> None:
    user = sso_login(
        page, role_groups=role_groups_for(Role.FIELD), email="frieda@example.com", name="Frieda Feld"
    )

    expect(page).to_have_url(f"{live_server.url}{reverse('dispatch:my_day')}")  # field staff's start
    expect(page.locator(".user-menu__name")).to_contain_text("Frieda Feld")
    assert user.profile.role == Role.FIELD
    assert Profile.objects.get(sub="frieda@example.com").user.email == "frieda@example.com"

    page.locator(f'form[action="{reverse("accounts:logout")}"] button').click()
    # The provider's end-session page (RP-initiated logout), then back to relaydash.
    expect(page).to_have_url(re.compile(re.escape(f"{sso_settings.url}/oauth2/end_session")))
    page.get_by_role("button", name="End session").click()
    expect(page).to_have_url(f"{live_server.url}{reverse('accounts:login')}")
    expect(page.locator(".messages")).to_be_visible()
    expect(page.locator(".user-menu__name")).to_have_count(0)

    page.goto(f"{live_server.url}{reverse('orders:list')}")
    expect(page).to_have_url(re.compile(re.escape(f"{live_server.url}{reverse('accounts:login')}?next=")))


def test_the_audit_link_follows_the_role(page: Page, sso_login: Any, live_server: Any, relay: Any) -> None:
    audit = page.locator(f'.site-nav a[href="{reverse("accounts:audit")}"]')
    sso_login(page, role_groups=role_groups_for(Role.VIEWER), email="viktor@example.com")
    expect(audit).to_have_count(0)
    page.context.clear_cookies()
    sso_login(page, role_groups=role_groups_for(Role.ADMIN), email="anna@example.com")
    expect(audit).to_have_count(1)
    audit.click()
    expect(page).to_have_url(f"{live_server.url}{reverse('accounts:audit')}")
    expect(page.locator("h1")).to_be_visible()


def test_no_group_no_access(page: Page, sso_login: Any, live_server: Any) -> None:
    sso_login(page, role_groups=["marketing"], email="mona@example.com")
    expect(page.locator(".no-access")).to_be_visible()
    expect(page.locator(".no-access")).to_contain_text("marketing")
