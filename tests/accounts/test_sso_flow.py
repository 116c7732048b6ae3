"""The authorization-code login against oidc-provider-mock running as a real server:
`requests` follows the redirects and submits the provider's form, as a browser would."""

import time
from importlib import import_module
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from relaydash.accounts.errors import (
    SSO_CODE,
    SSO_DENIED,
    SSO_INACTIVE,
    SSO_INVALID_TOKEN,
    SSO_PROVIDER_DOWN,
    SSO_STATE,
)
from relaydash.accounts.models import Profile
from relaydash.accounts.permissions import Role
from relaydash.accounts.provider import reset_provider_cache
from tests.sso_fixtures import (
    TEST_CLIENT_ID,
    TEST_CLIENT_SECRET,
    OIDCProvider,
    person_claims,
    role_groups_for,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser_session() -> requests.Session:
    return requests.Session()


def _orders_url(live_server: Any) -> str:
    return f"{live_server.url}{reverse('orders:list')}"


def test_sign_in_lands_signed_in_on_the_orders_list(
    sso_login_requests: Any, browser_session: requests.Session, live_server: Any, relay: Any
) -> None:
    landing = sso_login_requests(
        browser_session, role_groups=["relay-field"], email="frieda@example.com", name="Frieda Feld"
    )
    # Field staff land on their day (the back office on the list, see test_access).
    assert landing.url == f"{live_server.url}{reverse('dispatch:my_day')}"
    assert "Frieda Feld" in landing.text  # signed in: the header names the person
    # The way there: login page → relaydash's authenticate → provider → callback → orders.
    hosts = [urlsplit(step.url).netloc for step in landing.history]
    assert len(set(hosts)) == 2


def test_the_user_is_keyed_on_sub_and_updated_from_claims_at_each_login(
    sso_login_requests: Any, sso_settings: OIDCProvider, live_server: Any, relay: Any
) -> None:
    sso_login_requests(requests.Session(), role_groups=["relay-view"], email="sub-1", name="Ann Old")
    profile = Profile.objects.select_related("user").get(sub="sub-1")
    assert profile.role == Role.VIEWER
    assert profile.groups == ["relay-view"]
    assert profile.preferred_username == "sub-1"
    assert profile.last_login_check is not None

    # The provider now says: new email, new name, promoted. Same sub, same user.
    sso_settings.put_user(
        "sub-1",
        {**person_claims(email="ann.new@example.com", role_groups=["relay-office"]), "name": "Ann New"},
    )
    session = requests.Session()
    form = session.get(f"{live_server.url}{reverse('accounts:oidc_authentication_init')}", timeout=10)
    session.post(form.url, data={"sub": "sub-1"}, timeout=10)
    again = Profile.objects.select_related("user").get(sub="sub-1")
    assert again.user.pk == profile.user.pk
    assert again.user.email == "ann.new@example.com"
    assert again.user.get_full_name() == "Ann New"
    assert again.role == Role.BACKOFFICE
    assert get_user_model().objects.filter(profile__sub="sub-1").count() == 1


def test_the_highest_mapped_group_wins(sso_login_requests: Any, relay: Any) -> None:
    sso_login_requests(
        requests.Session(), role_groups=["relay-view", "relay-admin", "unrelated"], email="boss@example.com"
    )
    profile = Profile.objects.select_related("user").get(sub="boss@example.com")
    assert profile.role == Role.ADMIN
    assert profile.user.is_staff  # the Django admin belongs to the admin role
    assert not profile.user.is_superuser


def test_next_is_kept_through_the_provider(sso_login_requests: Any, live_server: Any, relay: Any) -> None:
    target = reverse("accounts:no_access")
    landing = sso_login_requests(requests.Session(), role_groups=[], email="x@example.com", next_url=target)
    assert landing.url == f"{live_server.url}{target}"


@pytest.mark.parametrize(
    "evil",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "javascript:alert(1)",
        "http:evil.example",
    ],
)
def test_next_never_leaves_the_site(sso_login_requests: Any, live_server: Any, relay: Any, evil: str) -> None:
    landing = sso_login_requests(
        requests.Session(), role_groups=role_groups_for(Role.VIEWER), email="v@example.com", next_url=evil
    )
    assert landing.url == _orders_url(live_server)


def test_a_person_in_no_mapped_group_sees_no_access(sso_login_requests: Any, relay: Any) -> None:
    landing = sso_login_requests(requests.Session(), role_groups=["marketing"], email="m@example.com")
    assert landing.status_code == 403
    assert "marketing" in landing.text
    assert "relay-view" in landing.text  # which group would help


def test_a_default_role_is_possible_when_configured(
    sso_login_requests: Any, settings: Any, relay: Any
) -> None:
    settings.RELAYDASH_DEFAULT_ROLE = "viewer"
    landing = sso_login_requests(requests.Session(), role_groups=[], email="d@example.com")
    assert landing.status_code != 403
    assert Profile.objects.get(sub="d@example.com").role == Role.VIEWER


def test_logout_ends_the_local_and_the_provider_session(
    sso_login_requests: Any, sso_settings: OIDCProvider, live_server: Any, relay: Any
) -> None:
    session = requests.Session()
    landing = sso_login_requests(session, role_groups=["relay-view"], email="out@example.com")
    csrf = session.cookies["csrftoken"]
    logout = session.post(
        f"{live_server.url}{reverse('accounts:logout')}",
        data={"csrfmiddlewaretoken": csrf},
        headers={"Referer": landing.url},
        allow_redirects=False,
        timeout=10,
    )
    assert logout.status_code == 302
    end_session = urlsplit(logout.headers["Location"])
    assert f"{end_session.scheme}://{end_session.netloc}" == sso_settings.url
    params = parse_qs(end_session.query)
    assert params["post_logout_redirect_uri"] == [f"{live_server.url}{reverse('accounts:login')}"]
    assert params["id_token_hint"][0].count(".") == 2
    # The local session is gone whatever the provider does next.
    after = session.get(_orders_url(live_server), allow_redirects=False, timeout=10)
    assert after.status_code == 302
    assert after.headers["Location"].startswith(reverse("accounts:login"))
    # The provider's end-session page confirms and sends the browser back to the login page.
    confirm = session.get(logout.headers["Location"], timeout=10)
    back = session.post(
        f"{sso_settings.url}/oauth2/end_session/confirm",
        data={"redirect_uri": params["post_logout_redirect_uri"][0]},
        timeout=10,
    )
    assert confirm.status_code == 200
    assert back.url == f"{live_server.url}{reverse('accounts:login')}"


def test_logout_is_post_only(sso_login_requests: Any, live_server: Any, relay: Any) -> None:
    session = requests.Session()
    sso_login_requests(session, role_groups=["relay-view"], email="g@example.com")
    response = session.get(
        f"{live_server.url}{reverse('accounts:logout')}", allow_redirects=False, timeout=10
    )
    assert response.status_code == 405


# Provider error paths ---------------------------------------------------------------


def _start(session: requests.Session, live_server: Any) -> requests.Response:
    """Up to the provider's form, as a browser gets there."""
    return session.get(f"{live_server.url}{reverse('accounts:oidc_authentication_init')}", timeout=10)


def test_denied_consent_lands_on_a_clear_page_with_a_retry(
    sso_settings: OIDCProvider, live_server: Any
) -> None:
    session = requests.Session()
    form = _start(session, live_server)
    page = session.post(form.url, data={"action": "deny"}, timeout=10)
    assert page.status_code == 403
    assert 'data-problem="denied"' in page.text
    assert str(SSO_DENIED) in page.text
    assert reverse("accounts:login") in page.text  # the retry


def test_a_wrong_state_lands_on_a_clear_page(sso_settings: OIDCProvider, live_server: Any) -> None:
    session = requests.Session()
    form = _start(session, live_server)
    callback = session.post(form.url, data={"sub": "s@example.com"}, allow_redirects=False, timeout=10)
    forged = callback.headers["Location"].replace("state=", "state=forged")
    page = session.get(forged, timeout=10)
    assert page.status_code == 400
    assert str(SSO_STATE) in page.text
    assert not Profile.objects.filter(sub="s@example.com").exists()


def test_a_callback_from_another_browser_has_no_state_here(
    sso_settings: OIDCProvider, live_server: Any
) -> None:
    session = requests.Session()
    form = _start(session, live_server)
    callback = session.post(form.url, data={"sub": "s@example.com"}, allow_redirects=False, timeout=10)
    page = requests.get(callback.headers["Location"], timeout=10)  # no session cookie
    assert page.status_code == 400
    assert str(SSO_STATE) in page.text


def test_a_used_code_lands_on_a_clear_page(sso_settings: OIDCProvider, live_server: Any, relay: Any) -> None:
    session = requests.Session()
    form = _start(session, live_server)
    callback = session.post(form.url, data={"sub": "c@example.com"}, allow_redirects=False, timeout=10)
    code = parse_qs(urlsplit(callback.headers["Location"]).query)["code"][0]
    # Somebody else redeems the code first (or it expired): the provider refuses it.
    used = requests.post(
        f"{sso_settings.url}/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": TEST_CLIENT_ID,
            "client_secret": TEST_CLIENT_SECRET,
            "redirect_uri": f"{live_server.url}{reverse('accounts:oidc_authentication_callback')}",
        },
        timeout=10,
    )
    assert used.status_code == 200
    page = session.get(callback.headers["Location"], timeout=10)
    assert page.status_code == 400
    assert str(SSO_CODE) in page.text


def test_provider_down_at_login_is_a_clear_page_and_retried_later(
    sso_settings: OIDCProvider, live_server: Any, settings: Any, relay: Any
) -> None:
    settings.OIDC_ISSUER = "http://localhost:9"  # nothing listens on the discard port
    page = _start(requests.Session(), live_server)
    assert page.status_code == 503
    assert str(SSO_PROVIDER_DOWN) in page.text
    assert reverse("accounts:login") in page.text
    # The provider comes up: the next try discovers it (failures are not cached).
    settings.OIDC_ISSUER = sso_settings.url
    form = _start(requests.Session(), live_server)
    assert form.url.startswith(sso_settings.url)


def test_provider_down_during_the_token_exchange(
    sso_settings: OIDCProvider, live_server: Any, settings: Any
) -> None:
    session = requests.Session()
    form = _start(session, live_server)
    callback = session.post(form.url, data={"sub": "t@example.com"}, allow_redirects=False, timeout=10)
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://localhost:9/token"
    page = session.get(callback.headers["Location"], timeout=10)
    assert page.status_code == 503
    assert str(SSO_PROVIDER_DOWN) in page.text


def test_a_token_from_another_issuer_is_refused(
    sso_settings: OIDCProvider, live_server: Any, settings: Any
) -> None:
    """With explicit endpoints nothing is discovered, and the id_token's iss (the mock's
    own URL) is not the configured issuer: relaydash must not sign anybody in."""
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{sso_settings.url}/oauth2/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{sso_settings.url}/oauth2/token"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{sso_settings.url}/jwks"
    settings.OIDC_OP_USER_ENDPOINT = f"{sso_settings.url}/userinfo"
    settings.OIDC_ISSUER = "https://login.example.com"
    session = requests.Session()
    form = _start(session, live_server)
    page = session.post(form.url, data={"sub": "i@example.com"}, timeout=10)
    assert page.status_code == 400
    assert str(SSO_INVALID_TOKEN) in page.text
    assert not Profile.objects.filter(sub="i@example.com").exists()


def test_a_user_disabled_in_relaydash_cannot_sign_in(
    sso_login_requests: Any, live_server: Any, relay: Any
) -> None:
    sso_login_requests(requests.Session(), role_groups=["relay-view"], email="gone@example.com")
    get_user_model().objects.filter(profile__sub="gone@example.com").update(is_active=False)
    page = sso_login_requests(requests.Session(), role_groups=["relay-view"], email="gone@example.com")
    assert page.status_code == 403
    assert str(SSO_INACTIVE) in page.text


def test_an_error_callback_without_our_state_does_not_sign_anybody_out(
    sso_login_requests: Any, live_server: Any
) -> None:
    session = requests.Session()
    sso_login_requests(session, role_groups=["relay-admin"], email="stay@example.com")
    callback = f"{live_server.url}{reverse('accounts:oidc_authentication_callback')}"
    page = session.get(f"{callback}?error=access_denied&state=made-up", timeout=10)
    assert page.status_code == 403
    still = session.get(f"{live_server.url}{reverse('accounts:audit')}", allow_redirects=False, timeout=10)
    assert still.status_code == 200


# Session renewal ----------------------------------------------------------------------


def _expire(session: requests.Session, live_server: Any) -> None:
    """Pretend the renewal interval has passed for this browser's session (through the
    configured session engine, so its cached copy changes too)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session.cookies["sessionid"])
    store["oidc_id_token_expiration"] = time.time() - 1
    store.save()


def test_renewal_asks_the_provider_again_after_the_interval(
    sso_login_requests: Any, sso_settings: OIDCProvider, live_server: Any, relay: Any
) -> None:
    session = requests.Session()
    sso_login_requests(session, role_groups=["relay-view"], email="renew@example.com")
    _expire(session, live_server)
    renewal = session.get(_orders_url(live_server), allow_redirects=False, timeout=10)
    assert renewal.status_code == 302
    to_provider = urlsplit(renewal.headers["Location"])
    assert renewal.headers["Location"].startswith(sso_settings.url)
    assert parse_qs(to_provider.query)["prompt"] == ["none"]
    # The demo provider keeps no session, so it answers login_required: relaydash then
    # asks the person to sign in again, coming back to the page they wanted.
    back = session.get(renewal.headers["Location"], timeout=10)
    assert back.url.startswith(sso_settings.url)
    assert 'name="sub"' in back.text
    landing = session.post(back.url, data={"sub": "renew@example.com"}, timeout=10)
    assert landing.url == _orders_url(live_server)
    assert Profile.objects.get(sub="renew@example.com").user.get_full_name() in landing.text


def test_renewal_picks_up_a_role_change(
    sso_login_requests: Any, sso_settings: OIDCProvider, live_server: Any, relay: Any
) -> None:
    session = requests.Session()
    sso_login_requests(session, role_groups=["relay-admin"], email="demoted@example.com")
    sso_settings.put_user("demoted@example.com", person_claims(email="demoted@example.com", role_groups=[]))
    _expire(session, live_server)
    landing = session.get(_orders_url(live_server), timeout=10)
    landing = session.post(landing.url, data={"sub": "demoted@example.com"}, timeout=10)
    assert landing.status_code == 403  # no group any more: no access
    assert Profile.objects.get(sub="demoted@example.com").role == ""


def test_renewal_answers_htmx_with_hx_redirect(
    sso_login_requests: Any, sso_settings: OIDCProvider, live_server: Any, relay: Any
) -> None:
    session = requests.Session()
    sso_login_requests(session, role_groups=["relay-view"], email="hx@example.com")
    _expire(session, live_server)
    page = f"{live_server.url}{reverse('orders:list')}?status=OPEN"
    response = session.get(
        f"{live_server.url}{reverse('accounts:no_access')}",
        headers={"HX-Request": "true", "HX-Current-URL": page},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith(sso_settings.url)
    # After renewing, the person comes back to the page, not to the fragment.
    form = session.get(response.headers["HX-Redirect"], timeout=10)
    landing = session.post(form.url, data={"sub": "hx@example.com"}, timeout=10)
    assert landing.url == page


def test_renewal_also_guards_writes(
    sso_login_requests: Any, sso_settings: OIDCProvider, live_server: Any, relay: Any
) -> None:
    session = requests.Session()
    sso_login_requests(session, role_groups=["relay-view"], email="w@example.com")
    _expire(session, live_server)
    response = session.post(
        f"{live_server.url}{reverse('accounts:no_access')}",
        data={"csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": _orders_url(live_server)},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith(sso_settings.url)


def test_discovery_happens_once(
    sso_login_requests: Any, sso_settings: OIDCProvider, live_server: Any, relay: Any, monkeypatch: Any
) -> None:
    reset_provider_cache()
    calls: list[str] = []
    real_get = requests.get

    def counting_get(url: str, *args: Any, **kwargs: Any) -> requests.Response:
        if url.endswith("/.well-known/openid-configuration"):
            calls.append(url)
        return real_get(url, *args, **kwargs)

    monkeypatch.setattr("relaydash.accounts.provider.requests.get", counting_get)
    sso_login_requests(requests.Session(), role_groups=["relay-view"], email="one@example.com")
    sso_login_requests(requests.Session(), role_groups=["relay-view"], email="two@example.com")
    assert calls == [f"{sso_settings.url}/.well-known/openid-configuration"]
