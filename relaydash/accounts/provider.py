"""Where the identity provider's endpoints come from, and RP-initiated logout.

mozilla-django-oidc has no discovery of its own: it wants every endpoint in settings.
relaydash reads `<OIDC_ISSUER>/.well-known/openid-configuration` the first time it needs
an endpoint and keeps it for the life of the process. Reading it lazily rather than while
settings load means the dashboard starts even when the provider is not up yet (the demo
provider of `make run` starts beside it; a company IdP may be briefly unreachable): the
first login then retries, and shows the "provider unreachable" page if it still fails.
Failures are never cached.
"""

import logging
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.urls import reverse
from django.utils.module_loading import import_string
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from relaydash.accounts.errors import SSOProblem

logger = logging.getLogger("relaydash.accounts.sso")


class ProviderUnavailable(Exception):
    """The provider's discovery document could not be read (down, timeout, not JSON)."""


class TokenExchangeRefused(Exception):
    """The provider's token endpoint refused the code (expired, reused, wrong client)."""

    def __init__(self, problem: SSOProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class ProviderMisconfigured(Exception):
    """The provider answered, but not as the settings say it should (issuer mismatch,
    missing endpoints): an administrator has to fix the configuration."""


@dataclass(frozen=True, kw_only=True)
class ProviderEndpoints:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str
    end_session_endpoint: str


_lock = threading.Lock()
_cache: dict[tuple[str, ...], ProviderEndpoints] = {}


def sso_configured() -> bool:
    """Whether company sign-in is set up at all (settings refuse half a configuration)."""
    return bool(settings.OIDC_ISSUER and settings.OIDC_RP_CLIENT_ID)


def _explicit() -> dict[str, str]:
    return {
        "authorization_endpoint": settings.OIDC_OP_AUTHORIZATION_ENDPOINT,
        "token_endpoint": settings.OIDC_OP_TOKEN_ENDPOINT,
        "userinfo_endpoint": settings.OIDC_OP_USER_ENDPOINT,
        "jwks_uri": settings.OIDC_OP_JWKS_ENDPOINT,
        "end_session_endpoint": settings.OIDC_OP_LOGOUT_ENDPOINT,
    }


# Without these three no login can complete; userinfo and end-session are optional.
_REQUIRED = ("authorization_endpoint", "token_endpoint", "jwks_uri")


def provider_endpoints() -> ProviderEndpoints:
    """The provider's endpoints: explicit OIDC_OP_* settings, the rest from discovery.

    Raises ProviderUnavailable when discovery is needed and fails, ProviderMisconfigured
    when the provider's answer contradicts the settings.
    """
    issuer = settings.OIDC_ISSUER
    explicit = _explicit()
    key = (issuer, *explicit.values())
    cached = _cache.get(key)
    if cached is not None:
        return cached
    with _lock:
        cached = _cache.get(key)
        if cached is not None:
            return cached
        if all(explicit[name] for name in _REQUIRED):
            document: dict[str, Any] = {"issuer": issuer}
        else:
            document = _discover(issuer)
        merged = {name: explicit[name] or str(document.get(name) or "") for name in explicit}
        missing = [name for name in _REQUIRED if not merged[name]]
        if missing:
            raise ProviderMisconfigured(f"the provider names no {', '.join(missing)}")
        endpoints = ProviderEndpoints(issuer=str(document["issuer"]), **merged)
        _cache[key] = endpoints
        logger.info("SSO provider %s: endpoints ready", endpoints.issuer)
        return endpoints


def _discover(issuer: str) -> dict[str, Any]:
    url = f"{issuer}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        logger.warning("SSO discovery at %s failed: %s", url, error)
        raise ProviderUnavailable(str(error)) from error
    if not isinstance(document, dict):
        raise ProviderUnavailable(f"{url} is not a JSON object")
    announced = str(document.get("issuer") or "")
    # The spec wants the issuer exactly as configured; a trailing slash is forgiven here
    # because people copy issuers both ways. Tokens are then checked against the
    # provider's own spelling.
    if announced.rstrip("/") != issuer.rstrip("/"):
        raise ProviderMisconfigured(f"discovery at {url} announces issuer {announced!r}, not {issuer!r}")
    return document


def reset_provider_cache() -> None:
    """Forget discovered endpoints (tests switch providers; settings can change)."""
    with _lock:
        _cache.clear()


@receiver(setting_changed)
def _forget_endpoints_when_settings_change(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("OIDC_"):
        reset_provider_cache()


def signed_in_with_sso(request: HttpRequest) -> bool:
    """Whether this session came from the SSO backend (not the break-glass admin login)."""
    backend_path = request.session.get(BACKEND_SESSION_KEY)
    if not backend_path:
        return False
    try:
        backend = import_string(backend_path)
    except ImportError:
        return False
    return isinstance(backend, type) and issubclass(backend, OIDCAuthenticationBackend)


def provider_logout_url(request: HttpRequest) -> str:
    """Where signing out sends the browser: the provider's end-session page when the
    session came from SSO and the provider has one (RP-initiated logout), which comes back
    to relaydash's login page; otherwise straight to the login page.

    Called before the local session ends, because the id_token_hint lives in it.
    """
    login_url = request.build_absolute_uri(reverse("accounts:login"))
    if not signed_in_with_sso(request) or not sso_configured():
        return login_url
    try:
        endpoint = provider_endpoints().end_session_endpoint
    except (ProviderUnavailable, ProviderMisconfigured):
        return login_url
    if not endpoint:
        return login_url
    params = {"client_id": settings.OIDC_RP_CLIENT_ID, "post_logout_redirect_uri": login_url}
    id_token = request.session.get("oidc_id_token")
    if id_token:
        params["id_token_hint"] = id_token
    separator = "&" if "?" in endpoint else "?"
    return f"{endpoint}{separator}{urlencode(params)}"


def classify_token_error(error: requests.HTTPError) -> SSOProblem:
    """The token endpoint's refusal: an expired or reused code, our client setup, or an outage."""
    response = error.response
    status = response.status_code if response is not None else 0
    code = ""
    if response is not None:
        try:
            body: Any = response.json()
            code = str(body.get("error", "")) if isinstance(body, dict) else ""
        except ValueError:
            code = ""
    logger.warning("SSO: token endpoint answered %s %s", status, code)
    if status >= 500:
        return SSOProblem.PROVIDER_DOWN
    if code == "invalid_grant":
        return SSOProblem.CODE
    if code in ("invalid_client", "unauthorized_client") or status == 401:
        return SSOProblem.CONFIG
    return SSOProblem.PROVIDER_ERROR if code else SSOProblem.CODE
