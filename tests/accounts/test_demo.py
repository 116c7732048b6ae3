"""The demo sign-in of `make run`: the provider with one prepared person per role."""

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import werkzeug.serving
from django.core.management import CommandError, call_command
from django.urls import reverse

from relaydash.accounts.demo import DEMO_USERS
from relaydash.accounts.management.commands.run_with_demo_sso import demo_provider_app
from relaydash.accounts.models import Profile
from relaydash.accounts.permissions import Role


@pytest.fixture
def demo_provider(settings: Any) -> Iterator[str]:
    server = werkzeug.serving.make_server("localhost", 0, demo_provider_app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://localhost:{server.server_port}"
    settings.OIDC_ISSUER = url
    settings.OIDC_RP_CLIENT_ID = "relaydash-demo"
    settings.OIDC_RP_CLIENT_SECRET = "demo"
    settings.SESSION_COOKIE_SECURE = False
    try:
        yield url
    finally:
        server.shutdown()
        thread.join(5)


def test_every_role_has_a_prepared_person() -> None:
    assert {person.role for person in DEMO_USERS} == set(Role)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("person", DEMO_USERS, ids=lambda person: person.email)
def test_prepared_people_sign_in_with_their_role(demo_provider: str, live_server: Any, person: Any) -> None:
    session = requests.Session()
    form = session.get(f"{live_server.url}{reverse('accounts:oidc_authentication_init')}", timeout=10)
    assert f'value="{person.email}"' in form.text  # one click on the provider's form
    session.post(form.url, data={"sub": person.email}, timeout=10)
    profile = Profile.objects.select_related("user").get(sub=person.email)
    assert profile.role == person.role
    assert profile.user.get_full_name() == person.name


@pytest.mark.django_db(transaction=True)
def test_any_other_email_gets_the_default_role(demo_provider: str, live_server: Any, settings: Any) -> None:
    settings.RELAYDASH_DEFAULT_ROLE = "backoffice"
    session = requests.Session()
    form = session.get(f"{live_server.url}{reverse('accounts:oidc_authentication_init')}", timeout=10)
    session.post(form.url, data={"sub": "newcomer@example.com"}, timeout=10)
    profile = Profile.objects.select_related("user").get(sub="newcomer@example.com")
    assert profile.role == Role.BACKOFFICE
    assert profile.user.email == "newcomer@example.com"


@pytest.mark.parametrize(
    ("debug", "demo", "issuer"),
    [
        (False, True, "http://localhost:9400"),
        (True, False, "http://localhost:9400"),
        (True, True, "https://login.example.com"),
        (True, True, "http://localhost"),
    ],
)
def test_the_demo_provider_never_starts_outside_local_development(
    settings: Any, debug: bool, demo: bool, issuer: str
) -> None:
    settings.DEBUG = debug
    settings.OIDC_DEMO_PROVIDER = demo
    settings.OIDC_ISSUER = issuer
    with pytest.raises(CommandError):
        call_command("run_with_demo_sso", "127.0.0.1:8000", "--noreload")
