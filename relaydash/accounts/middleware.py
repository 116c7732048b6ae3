"""Who may reach a page: signed in, signed in recently enough, and with a role.

Three middlewares, in this order in settings.MIDDLEWARE:

- LoginRequiredMiddleware: Django's, except that an htmx request gets `HX-Redirect` to the
  login page instead of a 302 that htmx would follow and swap into the page, and that
  Django's admin pages also send people to the SSO login.
- SessionRenewalMiddleware: mozilla-django-oidc's SessionRefresh, asking the provider again
  every OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS so a disabled account loses access within that
  time. It also renews before writes (the library only does GETs) and answers htmx.
- RoleRequiredMiddleware: a signed-in person without a role sees the "no access" page on
  every page, whether or not the view checks a role itself.
"""

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.deprecation import MiddlewareMixin
from django.utils.functional import cached_property
from mozilla_django_oidc.middleware import SessionRefresh

from relaydash.accounts.errors import RENEWAL_REPEAT, SSOProblem
from relaydash.accounts.permissions import NoRole, user_role
from relaydash.accounts.provider import (
    ProviderMisconfigured,
    ProviderUnavailable,
    provider_endpoints,
    signed_in_with_sso,
)
from relaydash.accounts.responses import (
    htmx_redirect,
    is_htmx,
    no_access_response,
    page_behind,
    sso_problem_response,
)

logger = logging.getLogger("relaydash.accounts.sso")

# States of silent renewals (prompt=none), so the callback knows that "login_required"
# means "sign in interactively" rather than a failed login.
RENEWAL_STATES_SESSION_KEY = "relaydash_renewal_states"
_MAX_RENEWAL_STATES = 10


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Django's LoginRequiredMiddleware with an htmx-friendly answer, sending everybody
    to the SSO login page: Django's admin would send people to its password form, where
    the admin role (which signs in through SSO) cannot get in. The break-glass account
    goes to /admin/login/ directly; the login page links it."""

    def get_login_url(self, view_func: Callable[..., Any]) -> str:
        return str(settings.LOGIN_URL)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        response = super().process_view(request, view_func, view_args, view_kwargs)
        if response is None or not is_htmx(request):
            return response
        login_url = resolve_url(self.get_login_url(view_func))
        back_to = page_behind(request) or resolve_url(settings.LOGIN_REDIRECT_URL)
        target = redirect_to_login(back_to, login_url, self.get_redirect_field_name(view_func))
        return htmx_redirect(target["Location"], status=401)


def _settings_property(name: str) -> Any:
    """mozilla-django-oidc copies these settings once, when the middleware is built;
    relaydash reads them on each use because endpoints are discovered lazily and tests
    switch providers. The library's assignment in __init__ is ignored."""
    return property(lambda self: getattr(settings, name), lambda self, value: None)


class SessionRenewalMiddleware(SessionRefresh):
    """SessionRefresh with lazy endpoints, renewal before writes, and htmx answers."""

    OIDC_RP_CLIENT_ID = _settings_property("OIDC_RP_CLIENT_ID")
    OIDC_RP_SCOPES = _settings_property("OIDC_RP_SCOPES")
    OIDC_OP_AUTHORIZATION_ENDPOINT = property(
        lambda self: provider_endpoints().authorization_endpoint, lambda self, value: None
    )

    @cached_property
    def exempt_urls(self) -> set[str]:
        """Paths that never trigger a renewal: the SSO routes themselves and signing out."""
        names = (
            "accounts:login",
            "accounts:logout",
            "accounts:oidc_authentication_init",
            "accounts:oidc_authentication_callback",
            "ops:healthz",
            "ops:readyz",
            "set_language",
        )
        return {reverse(name) for name in names}

    def is_refreshable_url(self, request: HttpRequest) -> bool:
        """Any SSO session outside the exempt paths, whatever the method: the library
        renews only on GET, so a disabled person could go on posting changes."""
        return (
            request.user.is_authenticated
            and signed_in_with_sso(request)
            and request.path not in self.exempt_urls
            and not any(pattern.match(request.path) for pattern in self.exempt_url_patterns)
        )

    def process_request(self, request: HttpRequest) -> HttpResponseBase | None:
        try:
            response = super().process_request(request)
        except (ProviderUnavailable, ProviderMisconfigured) as error:
            logger.warning("SSO renewal impossible: %s", error)
            problem = (
                SSOProblem.PROVIDER_DOWN if isinstance(error, ProviderUnavailable) else SSOProblem.CONFIG
            )
            return sso_problem_response(request, problem)
        if response is None:
            return None
        location = response.get("Location") or response.get("refresh_url") or ""
        self._remember_renewal_state(request, location)
        writing = request.method not in ("GET", "HEAD", "OPTIONS")
        if writing or is_htmx(request):
            # Where to come back to: the page, not the fragment or the form target.
            back_to = page_behind(request) or resolve_url(settings.LOGIN_REDIRECT_URL)
            request.session["oidc_login_next"] = back_to
        if writing:
            messages.warning(request, RENEWAL_REPEAT)
        if is_htmx(request):
            return htmx_redirect(location, status=401)
        return response

    @staticmethod
    def _remember_renewal_state(request: HttpRequest, location: str) -> None:
        state = (parse_qs(urlsplit(location).query).get("state") or [""])[0]
        if not state:
            return
        states = [*request.session.get(RENEWAL_STATES_SESSION_KEY, []), state]
        request.session[RENEWAL_STATES_SESSION_KEY] = states[-_MAX_RENEWAL_STATES:]


class RoleRequiredMiddleware(MiddlewareMixin):
    """The "no access — ask your administrator" page for people without a role.

    Checked for every view that needs a login, so a page that forgets `require()` still
    shows nothing to them; `require()` raising NoRole lands on the same page. Django's
    admin keeps its own checks (is_staff), so the break-glass login keeps working.
    """

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        if not request.user.is_authenticated or user_role(request.user) is not None:
            return None
        if not getattr(view_func, "login_required", True) or not getattr(view_func, "role_required", True):
            return None
        match = request.resolver_match
        if match is not None and match.namespace == "admin":
            return None
        return self._no_access(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponseBase | None:
        if isinstance(exception, NoRole):
            return self._no_access(request)
        return None

    @staticmethod
    def _no_access(request: HttpRequest) -> HttpResponseBase:
        if is_htmx(request):
            return htmx_redirect(reverse("accounts:no_access"), status=403)
        return no_access_response(request)
