"""SSO fixtures: the demo OpenID Connect provider (oidc-provider-mock) as a real server,
and signing in through it for real, from `requests` and from Playwright.

Registered as a plugin by tests/conftest.py. The fixtures:

- `oidc_provider` (session): the provider, running on a free localhost port.
- `sso_settings`: points relaydash at it (issuer, client id and secret, CSP).
- `sso_login(page_or_context, *, role_groups, email, name=None)`: signs a Playwright page
  (or a browser context) in through the provider's form; returns the Django user.
- `sso_login_requests(session, *, role_groups, email, name=None, next_url=None)`: the same
  flow with a `requests.Session`; returns the last response (the page landed on).
- `role_groups_for(role)` (a plain function): the groups that give `role`.
"""

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import oidc_provider_mock
import pytest
import requests
from django.conf import settings as django_settings
from django.contrib.auth.models import AbstractUser
from django.urls import reverse

from relaydash.accounts.models import Profile
from relaydash.accounts.permissions import Role

TEST_CLIENT_ID = "relaydash-test"
TEST_CLIENT_SECRET = "relaydash-test-secret"

_SIGN_IN_LINK = re.compile(r'class="[^"]*login__button[^"]*" href="([^"]+)"')


@dataclass(frozen=True)
class OIDCProvider:
    """The running demo provider. Its users are keyed by `sub`, which its sign-in form
    takes as typed; relaydash's tests use the email as sub."""

    url: str

    def put_user(self, sub: str, claims: dict[str, Any]) -> None:
        """Register (or replace) what the provider says about `sub`."""
        response = requests.put(f"{self.url}/users/{sub}", json=claims, timeout=5)
        response.raise_for_status()

    def revoke_tokens(self, sub: str) -> None:
        response = requests.post(f"{self.url}/users/{sub}/revoke-tokens", timeout=5)
        response.raise_for_status()


def role_groups_for(role: Role | None) -> list[str]:
    """The groups a provider would send for someone with `role` (none for None)."""
    if role is None:
        return []
    return [group for name, group in django_settings.RELAYDASH_ROLE_GROUPS if name == role][:1]


def person_claims(*, email: str, role_groups: list[str], name: str | None = None) -> dict[str, Any]:
    return {
        "email": email,
        "email_verified": True,
        "name": name or email.split("@")[0].replace(".", " ").title(),
        "preferred_username": email.split("@")[0],
        "groups": role_groups,
    }


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[OIDCProvider]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with oidc_provider_mock.run_server_in_thread() as server:
        yield OIDCProvider(url=f"http://localhost:{server.server_port}")


@pytest.fixture
def sso_settings(settings: Any, oidc_provider: OIDCProvider) -> OIDCProvider:
    """relaydash configured for the provider, as production would be for a real one."""
    settings.OIDC_ISSUER = oidc_provider.url
    settings.OIDC_RP_CLIENT_ID = TEST_CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = TEST_CLIENT_SECRET
    for name in (
        "OIDC_OP_AUTHORIZATION_ENDPOINT",
        "OIDC_OP_TOKEN_ENDPOINT",
        "OIDC_OP_USER_ENDPOINT",
        "OIDC_OP_JWKS_ENDPOINT",
        "OIDC_OP_LOGOUT_ENDPOINT",
    ):
        setattr(settings, name, "")
    csp = dict(settings.SECURE_CSP)
    csp["form-action"] = [*csp["form-action"], oidc_provider.url]
    settings.SECURE_CSP = csp
    # The live server speaks plain http. Browsers send Secure cookies to http://localhost
    # anyway; `requests` does not, and would lose the session between the two halves.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    return oidc_provider


def _landed(live_server_url: str) -> Callable[[str], bool]:
    return lambda url: url.startswith(live_server_url) and "/oidc/" not in url


@pytest.fixture
def sso_login(sso_settings: OIDCProvider, live_server: Any) -> Callable[..., AbstractUser]:
    """Sign a Playwright page (or browser context) in through the provider's real form."""

    def login(target: Any, *, role_groups: list[str], email: str, name: str | None = None) -> AbstractUser:
        sso_settings.put_user(email, person_claims(email=email, role_groups=role_groups, name=name))
        own_page = not hasattr(target, "goto")
        page = target.new_page() if own_page else target
        # The provider's form links a stylesheet on a CDN; there is no internet here.
        page.context.route("https://cdn.jsdelivr.net/**", lambda route: route.abort())
        page.goto(f"{live_server.url}{reverse('accounts:login')}")
        page.locator("a.login__button").click()
        page.get_by_placeholder("Subject").fill(email)
        page.get_by_role("button", name="Authorize", exact=True).click()
        page.wait_for_url(_landed(live_server.url))
        if own_page:
            page.close()
        user = Profile.objects.select_related("user").get(sub=email).user
        assert isinstance(user, AbstractUser)
        return user

    return login


@pytest.fixture
def sso_login_requests(sso_settings: OIDCProvider, live_server: Any) -> Callable[..., Any]:
    """The full code flow with `requests`: login page, provider form, callback, landing."""

    def login(
        session: requests.Session,
        *,
        role_groups: list[str],
        email: str,
        name: str | None = None,
        next_url: str | None = None,
    ) -> requests.Response:
        sso_settings.put_user(email, person_claims(email=email, role_groups=role_groups, name=name))
        query = f"?{urlencode({'next': next_url})}" if next_url else ""
        login_page = session.get(f"{live_server.url}{reverse('accounts:login')}{query}", timeout=10)
        login_page.raise_for_status()
        found = _SIGN_IN_LINK.search(login_page.text)
        assert found, "the login page has no sign-in button"
        form = session.get(f"{live_server.url}{found.group(1).replace('&amp;', '&')}", timeout=10)
        assert form.url.startswith(sso_settings.url), form.url
        assert 'name="sub"' in form.text, "not the provider's sign-in form"
        return session.post(form.url, data={"sub": email}, timeout=10)

    return login
