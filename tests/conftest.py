"""Fixtures every area's tests share: the sandbox behind the real client over HTTP,
users with roles, and Chromium for browser journeys."""

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from relaydash.accounts.models import Profile
from relaydash.accounts.permissions import Role
from relaydash.relay.client import RelayClient, get_client

# Playwright runs an event loop in the test thread; the ORM calls the browser tests make
# there are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest_plugins = ["tests.sso_fixtures"]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium: Playwright cannot download its own browser here."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def relay(live_server: Any, settings: Any) -> RelayClient:
    """The real client pointed at the embedded sandbox, served over real HTTP."""
    settings.RELAY_API_URL = f"{live_server.url}/sandbox/api/v1"
    settings.RELAY_API_KEY = settings.RELAY_SANDBOX_API_KEY
    return get_client()


@pytest.fixture
def seeded(relay: RelayClient) -> RelayClient:
    """A small deterministic sandbox: 30 orders with customers, properties, comments,
    read into the order index (as the sync worker would)."""
    call_command("seed_sandbox", orders=30, seed=7, verbosity=0)
    call_command("sync_orders", once=True, verbosity=0)
    cache.clear()  # the sync's GetCustomers answer is kept; tests start with none
    return relay


@pytest.fixture
def make_user(db: None) -> Callable[..., Any]:
    """Create a user with a role (or none) as SSO would have left it."""

    def make(role: Role | None = Role.BACKOFFICE, *, username: str | None = None, **extra: Any) -> Any:
        name = username or f"{role or 'norole'}-user"
        user = get_user_model().objects.create_user(
            username=name,
            email=extra.pop("email", f"{name}@example.com"),
            first_name=extra.pop("first_name", "Erika"),
            last_name=extra.pop("last_name", "Mustermann"),
            **extra,
        )
        Profile.objects.create(user=user, sub=f"sub-{name}", role=role.value if role else "")
        return user

    return make


@pytest.fixture
def client_as(make_user: Callable[..., Any]) -> Callable[..., Client]:
    """A Django test client signed in with the given role."""

    def login(role: Role | None = Role.BACKOFFICE, **extra: Any) -> Client:
        client = Client()
        client.force_login(make_user(role, **extra))
        return client

    return login


@pytest.fixture
def backoffice(client_as: Callable[..., Client]) -> Client:
    return client_as(Role.BACKOFFICE)


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with no kept relay answers: the sandbox is seeded anew with the
    same ids, and the live server and the process's cache outlive a test."""
    cache.clear()


@pytest.fixture(autouse=True)
def _clear_sandbox_faults() -> Iterator[None]:
    """No injected fault outlives the test that set it."""
    yield
    try:
        from relaydash.sandbox import faults
    except ImportError:
        return
    faults.clear()


@pytest.fixture
def sign_in(sso_login: Callable[..., Any]) -> Callable[..., Any]:
    """Sign a Playwright page or browser context in through the real SSO flow.

    `sign_in(page, Role.FIELD)` goes through the demo OpenID Connect provider's form with
    the groups that give the role, and returns the Django user it created.
    """
    from tests.sso_fixtures import role_groups_for

    def login(target: Any, role: Role | None = Role.BACKOFFICE, *, username: str | None = None) -> Any:
        name = username or f"{role or 'norole'}-user"
        return sso_login(
            target, role_groups=role_groups_for(role), email=f"{name}@example.com", name="Erika Mustermann"
        )

    return login
