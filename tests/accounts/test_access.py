"""The pieces behind signing in, without a provider: the login and no-access pages, the
middlewares, discovery, the token checks, and turning claims into users."""

import json
import re
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
import requests
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from relaydash.accounts.backends import check_token_claims
from relaydash.accounts.demo import DEMO_USERS
from relaydash.accounts.errors import (
    NO_ACCESS,
    SIGNED_OUT,
    SSO_CONFIG,
    SSO_DENIED,
    SSO_NOT_CONFIGURED,
    SSO_PROVIDER_DOWN,
    SSO_STATE,
    SSOProblem,
)
from relaydash.accounts.models import Profile
from relaydash.accounts.permissions import Role
from relaydash.accounts.provider import (
    ProviderMisconfigured,
    ProviderUnavailable,
    classify_token_error,
    provider_endpoints,
    provider_logout_url,
    reset_provider_cache,
)
from relaydash.accounts.services import groups_from_claims, user_sync_from_claims

pytestmark = pytest.mark.django_db

ISSUER = "https://login.example.com/realms/company"


@pytest.fixture
def configured(settings: Any) -> Any:
    settings.OIDC_ISSUER = ISSUER
    settings.OIDC_RP_CLIENT_ID = "relaydash"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    return settings


# The login page -------------------------------------------------------------------------


def test_the_login_page_explains_and_keeps_a_safe_next(configured: Any) -> None:
    with translation.override("en"):
        page = Client().get(
            reverse("accounts:login"), {"next": "/orders/?q=1"}, headers={"Accept-Language": "en"}
        )
    html = page.content.decode()
    assert page.status_code == 200
    assert "Sign in with your company account" in html
    assert "name, your email address and the groups" in html
    assert f'href="{reverse("accounts:oidc_authentication_init")}?next=%2Forders%2F%3Fq%3D1"' in html
    assert f'href="{reverse("admin:login")}"' in html  # the break-glass way in


def test_the_login_page_names_the_provider(configured: Any) -> None:
    configured.OIDC_PROVIDER_NAME = "Contoso Entra ID"
    page = Client().get(reverse("accounts:login"), headers={"Accept-Language": "en"})
    assert "Sign in with Contoso Entra ID" in page.content.decode()


@pytest.mark.parametrize("evil", ["https://evil.example/", "//evil.example", "/\\evil.example"])
def test_the_login_page_drops_an_off_site_next(configured: Any, evil: str) -> None:
    html = Client().get(reverse("accounts:login"), {"next": evil}).content.decode()
    assert f'login__button" href="{reverse("accounts:oidc_authentication_init")}"' in html


def test_signed_in_people_go_straight_on(client_as: Callable[..., Client]) -> None:
    client = client_as(Role.VIEWER)
    assert client.get(reverse("accounts:login"), {"next": "/audit/"})["Location"] == "/audit/"
    # An unsafe next lands where signing in lands: the start, which picks the page by role.
    assert client.get(reverse("accounts:login"), {"next": "https://evil.example/"})["Location"] == reverse(
        "dispatch:start"
    )


def test_without_sso_the_login_page_says_so(settings: Any) -> None:
    settings.OIDC_ISSUER = ""
    settings.OIDC_RP_CLIENT_ID = ""
    html = Client().get(reverse("accounts:login")).content.decode()
    assert "login__button" not in html
    page = Client().get(reverse("accounts:oidc_authentication_init"))
    assert page.status_code == 503
    assert str(SSO_NOT_CONFIGURED) in page.content.decode()


def test_in_demo_mode_the_login_page_says_which_groups_give_which_role(configured: Any) -> None:
    configured.OIDC_DEMO_PROVIDER = True
    configured.RELAYDASH_DEFAULT_ROLE = "backoffice"
    with translation.override("en"):
        html = Client().get(reverse("accounts:login"), headers={"Accept-Language": "en"}).content.decode()
    for person in DEMO_USERS:
        assert person.email in html
        assert person.groups[0] in html
    assert "any email address" in html
    assert "Back office" in html


def test_outside_demo_mode_no_demo_people_are_shown(configured: Any) -> None:
    html = Client().get(reverse("accounts:login")).content.decode()
    assert "admin@example.com" not in html


# No role, no access ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["orders:list", "accounts:audit", "accounts:no_access"])
def test_people_without_a_role_see_no_access_on_every_page(
    client_as: Callable[..., Client], name: str
) -> None:
    client = client_as(None)
    Profile.objects.filter(user__username="norole-user").update(groups=["marketing"])
    page = client.get(reverse(name))
    assert page.status_code == 403
    html = page.content.decode()
    assert str(NO_ACCESS) in html
    assert "marketing" in html
    assert "relay-office" in html


def test_no_access_for_htmx_is_a_full_page_navigation(client_as: Callable[..., Client]) -> None:
    response = client_as(None).get(reverse("orders:list"), headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert response["HX-Redirect"] == reverse("accounts:no_access")


def test_people_with_a_role_are_sent_on_from_the_no_access_page(client_as: Callable[..., Client]) -> None:
    response = client_as(Role.VIEWER).get(reverse("accounts:no_access"))
    assert response["Location"] == reverse("dispatch:start")


def test_people_without_a_role_can_still_sign_out(client_as: Callable[..., Client]) -> None:
    client = client_as(None)
    response = client.post(reverse("accounts:logout"), follow=True, headers={"Accept-Language": "en"})
    assert response.redirect_chain[0][0].endswith(reverse("accounts:login"))
    with translation.override("en"):
        assert str(SIGNED_OUT) in response.content.decode()


# The break-glass superuser ---------------------------------------------------------------


def test_the_break_glass_superuser_signs_in_at_the_admin_and_is_admin(django_user_model: Any) -> None:
    django_user_model.objects.create_superuser("root", "root@example.com", "a long local password")
    client = Client()
    login = client.post(
        reverse("admin:login"), {"username": "root", "password": "a long local password", "next": "/audit/"}
    )
    assert login.status_code == 302
    assert client.get(reverse("accounts:audit")).status_code == 200
    # No SSO session: never renewed at the provider, and signing out stays local.
    request = RequestFactory().post("/logout/")
    request.session = client.session
    assert provider_logout_url(request) == "http://testserver/login/"


def test_the_admin_role_gets_into_djangos_admin(configured: Any) -> None:
    user = user_sync_from_claims(
        claims={"sub": "boss", "email": "boss@example.com", "groups": ["relay-admin"]}
    )
    client = Client()
    client.force_login(user)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 200
    demoted = user_sync_from_claims(claims={"sub": "boss", "groups": ["relay-office"]})
    assert not demoted.is_staff
    assert client.get(reverse("admin:index")).status_code == 302


def test_anonymous_admin_pages_go_to_the_sso_login(db: Any) -> None:
    response = Client().get(reverse("admin:index"))
    assert response["Location"].startswith(f"{reverse('accounts:login')}?next=")


# Discovery -------------------------------------------------------------------------------


def _document(issuer: str = ISSUER, **overrides: str) -> dict[str, str]:
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/auth",
        "token_endpoint": f"{issuer}/token",
        "userinfo_endpoint": f"{issuer}/userinfo",
        "jwks_uri": f"{issuer}/certs",
        "end_session_endpoint": f"{issuer}/logout",
        **overrides,
    }


def _answer(document: dict[str, str]) -> mock.Mock:
    response = mock.Mock(spec=requests.Response)
    response.json.return_value = document
    response.raise_for_status.return_value = None
    return response


def test_discovery_is_read_once_and_kept(configured: Any) -> None:
    reset_provider_cache()
    with mock.patch("relaydash.accounts.provider.requests.get", return_value=_answer(_document())) as get:
        first = provider_endpoints()
        second = provider_endpoints()
    assert get.call_count == 1
    assert get.call_args.args[0] == f"{ISSUER}/.well-known/openid-configuration"
    assert first is second
    assert first.token_endpoint == f"{ISSUER}/token"


def test_explicit_endpoints_win_over_discovery(configured: Any) -> None:
    configured.OIDC_OP_TOKEN_ENDPOINT = "https://proxy.example.com/token"
    with mock.patch("relaydash.accounts.provider.requests.get", return_value=_answer(_document())):
        assert provider_endpoints().token_endpoint == "https://proxy.example.com/token"


def test_all_explicit_endpoints_need_no_discovery(configured: Any) -> None:
    configured.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://idp/auth"
    configured.OIDC_OP_TOKEN_ENDPOINT = "https://idp/token"
    configured.OIDC_OP_JWKS_ENDPOINT = "https://idp/jwks"
    with mock.patch("relaydash.accounts.provider.requests.get") as get:
        endpoints = provider_endpoints()
    get.assert_not_called()
    assert endpoints.issuer == ISSUER
    assert endpoints.userinfo_endpoint == ""


def test_a_provider_announcing_another_issuer_is_refused(configured: Any) -> None:
    answer = _answer(_document(issuer="https://attacker.example.com"))
    with (
        mock.patch("relaydash.accounts.provider.requests.get", return_value=answer),
        pytest.raises(ProviderMisconfigured),
    ):
        provider_endpoints()


def test_a_discovery_document_without_a_token_endpoint_is_refused(configured: Any) -> None:
    answer = _answer(_document(token_endpoint=""))
    with (
        mock.patch("relaydash.accounts.provider.requests.get", return_value=answer),
        pytest.raises(ProviderMisconfigured),
    ):
        provider_endpoints()


def test_an_unreachable_provider_is_not_cached(configured: Any) -> None:
    with (
        mock.patch("relaydash.accounts.provider.requests.get", side_effect=requests.ConnectionError("down")),
        pytest.raises(ProviderUnavailable),
    ):
        provider_endpoints()
    with mock.patch("relaydash.accounts.provider.requests.get", return_value=_answer(_document())):
        assert provider_endpoints().issuer == ISSUER


# Token checks ------------------------------------------------------------------------------


GOOD = {"iss": ISSUER, "aud": "relaydash", "sub": "abc"}


@pytest.mark.parametrize(
    "payload",
    [
        GOOD,
        {**GOOD, "aud": ["relaydash"]},
        {**GOOD, "aud": ["relaydash", "api"], "azp": "relaydash"},
        {**GOOD, "azp": "relaydash"},
    ],
)
def test_tokens_for_us_from_our_provider_pass(payload: dict[str, Any]) -> None:
    check_token_claims(payload, issuer=ISSUER, client_id="relaydash")


@pytest.mark.parametrize(
    "payload",
    [
        {**GOOD, "iss": "https://evil.example.com"},
        {**GOOD, "iss": f"{ISSUER}/"},
        {**GOOD, "aud": "another-app"},
        {**GOOD, "aud": ["another-app"]},
        {**GOOD, "aud": ["relaydash", "api"]},  # several audiences need azp
        {**GOOD, "azp": "another-app"},
        {key: value for key, value in GOOD.items() if key != "aud"},
        {**GOOD, "sub": ""},
    ],
)
def test_tokens_for_others_or_from_elsewhere_are_refused(payload: dict[str, Any]) -> None:
    with pytest.raises(SuspiciousOperation):
        check_token_claims(payload, issuer=ISSUER, client_id="relaydash")


# Claims → users ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claims", "groups"),
    [
        ({"groups": ["a", "b"]}, ["a", "b"]),
        ({"groups": "a"}, ["a"]),
        ({"groups": None}, []),
        ({}, []),
        ({"_claim_names": {"groups": "src1"}}, []),
    ],
)
def test_groups_from_claims(claims: dict[str, Any], groups: list[str]) -> None:
    assert groups_from_claims(claims=claims) == groups


def test_another_groups_claim_can_be_configured(settings: Any) -> None:
    settings.OIDC_GROUPS_CLAIM = "roles"
    assert groups_from_claims(claims={"roles": ["relay-admin"], "groups": ["x"]}) == ["relay-admin"]


def test_users_are_created_and_updated_from_claims(settings: Any) -> None:
    user = user_sync_from_claims(
        claims={
            "sub": "00u1abcd",
            "email": "erika@example.com",
            "given_name": "Erika",
            "family_name": "Mustermann",
            "preferred_username": "erika",
            "groups": ["relay-field"],
        }
    )
    assert user.get_username() == "sso-00u1abcd"
    assert not user.has_usable_password()
    assert (user.email, user.get_full_name()) == ("erika@example.com", "Erika Mustermann")
    assert (user.profile.role, user.profile.groups, user.profile.preferred_username) == (
        "field",
        ["relay-field"],
        "erika",
    )
    # A renewal with fewer scopes keeps the email and name; groups are always replaced.
    again = user_sync_from_claims(claims={"sub": "00u1abcd", "groups": []})
    assert again.pk == user.pk
    assert (again.email, again.get_full_name()) == ("erika@example.com", "Erika Mustermann")
    assert again.profile.role == ""


def test_odd_subs_get_a_hashed_username(db: Any) -> None:
    get_user_model().objects.create_user("sso-taken")
    taken = user_sync_from_claims(claims={"sub": "taken"})
    odd = user_sync_from_claims(claims={"sub": "auth0|5f7c8ec7c33c6c004bbafe82"})
    assert taken.get_username().startswith("sso-") and taken.get_username() != "sso-taken"
    assert odd.get_username().startswith("sso-") and "|" not in odd.get_username()


# Provider problems, told apart --------------------------------------------------------------


def test_a_misconfigured_provider_is_a_clear_page(configured: Any) -> None:
    answer = _answer(_document(issuer="https://attacker.example.com"))
    with mock.patch("relaydash.accounts.provider.requests.get", return_value=answer):
        page = Client().get(reverse("accounts:oidc_authentication_init"))
    assert page.status_code == 500
    assert str(SSO_CONFIG) in page.content.decode()


def _http_error(status: int, body: object) -> requests.HTTPError:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode() if not isinstance(body, str) else body.encode()
    return requests.HTTPError(response=response)


@pytest.mark.parametrize(
    ("status", "body", "problem"),
    [
        (400, {"error": "invalid_grant"}, SSOProblem.CODE),
        (401, {"error": "invalid_client"}, SSOProblem.CONFIG),
        (400, {"error": "unauthorized_client"}, SSOProblem.CONFIG),
        (502, "Bad Gateway", SSOProblem.PROVIDER_DOWN),
        (400, {"error": "invalid_request"}, SSOProblem.PROVIDER_ERROR),
        (400, "not json", SSOProblem.CODE),
    ],
)
def test_token_endpoint_refusals_are_told_apart(status: int, body: object, problem: SSOProblem) -> None:
    assert classify_token_error(_http_error(status, body)) is problem


@pytest.mark.parametrize(
    ("query", "status", "text"),
    [
        ("error=server_error&state=x", 503, SSO_PROVIDER_DOWN),
        ("error=invalid_client&state=x", 500, SSO_CONFIG),
        ("error=access_denied", 403, SSO_DENIED),
        ("", 400, SSO_STATE),
        ("code=abc", 400, SSO_STATE),
    ],
)
def test_callback_problems_land_on_clear_pages(configured: Any, query: str, status: int, text: Any) -> None:
    page = Client().get(f"{reverse('accounts:oidc_authentication_callback')}?{query}")
    assert page.status_code == status
    assert str(text) in page.content.decode()


def _alert(page: Any) -> str:
    found = re.search(r'<p class="alert[^"]*"[^>]*>(.*?)</p>', page.content.decode(), re.DOTALL)
    assert found
    return found.group(1)


def test_unknown_provider_errors_are_named_but_never_echoed(configured: Any) -> None:
    callback = reverse("accounts:oidc_authentication_callback")
    english = {"Accept-Language": "en"}
    named = _alert(
        Client().get(f"{callback}?error=slow_down&error_description=Call+0800+now", headers=english)
    )
    odd = _alert(Client().get(f"{callback}?error=%3Cscript%3E", headers=english))
    assert "(slow_down)" in named
    assert "0800" not in named
    assert "script" not in odd
    assert "(?)" in odd
