"""Signing in and out, the no-access page, the audit page and its CSV.

The two SSO views subclass mozilla-django-oidc's so that every way a sign-in can fail
(provider down, refused consent, a stale or forged state, an expired code, a token that
does not verify) ends on a page that says what happened and offers a retry, never a 500.
"""

import logging
import re

import jwt
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.core.paginator import Paginator
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from relaydash.accounts.audit_export import audit_csv_lines
from relaydash.accounts.demo import DEMO_USERS
from relaydash.accounts.errors import SIGNED_OUT, SSOProblem
from relaydash.accounts.forms import AuditFilterForm
from relaydash.accounts.middleware import RENEWAL_STATES_SESSION_KEY
from relaydash.accounts.permissions import ROLE_LABELS, Action, Role, require, role_not_required, user_role
from relaydash.accounts.provider import (
    ProviderMisconfigured,
    ProviderUnavailable,
    TokenExchangeRefused,
    provider_endpoints,
    provider_logout_url,
    sso_configured,
)
from relaydash.accounts.responses import (
    no_access_response,
    role_groups_table,
    safe_next,
    sign_in_url,
    sso_problem_response,
)
from relaydash.accounts.selectors import audit_entries_filtered, audit_user_emails

logger = logging.getLogger("relaydash.accounts.sso")

AUDIT_PAGE_SIZE = 50

# Provider errors that mean "ask the person", which a silent renewal (prompt=none) cannot.
_INTERACTION_NEEDED = {
    "login_required",
    "interaction_required",
    "consent_required",
    "account_selection_required",
}
_CONFIG_ERRORS = {"invalid_client", "unauthorized_client", "invalid_scope", "unsupported_response_type"}
_PROVIDER_TROUBLE = {"server_error", "temporarily_unavailable"}
_ERROR_CODE = re.compile(r"^[a-z_]{1,40}$")


@login_not_required
@require_GET
@never_cache
def login_page(request: HttpRequest) -> HttpResponse:
    """Explains the company sign-in and starts it; signed-in people go straight on."""
    next_url = safe_next(request, request.GET.get("next"))
    if request.user.is_authenticated:
        return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    demo = settings.OIDC_DEMO_PROVIDER
    context = {
        "sso_configured": sso_configured(),
        "sign_in_url": sign_in_url(next_url),
        "provider_name": settings.OIDC_PROVIDER_NAME,
        "demo": demo,
        "demo_users": DEMO_USERS if demo else (),
        "demo_default_role": ROLE_LABELS[Role(settings.RELAYDASH_DEFAULT_ROLE)]
        if demo and settings.RELAYDASH_DEFAULT_ROLE
        else "",
        "role_groups": role_groups_table() if demo else [],
    }
    return render(request, "accounts/login.html", context)


class SSOAuthenticateView(OIDCAuthenticationRequestView):
    """Starts the code flow (state, nonce, PKCE: the library's), with endpoints from
    discovery and a clear page when the provider cannot be reached."""

    def get(self, request: HttpRequest) -> HttpResponseBase:
        next_url = request.GET.get("next")
        if not sso_configured():
            return sso_problem_response(request, SSOProblem.NOT_CONFIGURED, next_url=next_url)
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider_endpoints().authorization_endpoint
        except ProviderUnavailable:
            return sso_problem_response(request, SSOProblem.PROVIDER_DOWN, next_url=next_url)
        except ProviderMisconfigured as error:
            logger.error("SSO configuration: %s", error)
            return sso_problem_response(request, SSOProblem.CONFIG, next_url=next_url)
        response: HttpResponseBase = super().get(request)
        return response


class SSOCallbackView(OIDCAuthenticationCallbackView):
    """The provider sends people back here, with a code or with an error."""

    def get(self, request: HttpRequest) -> HttpResponseBase:
        state = request.GET.get("state", "")
        states = request.session.get("oidc_states") or {}
        known = bool(state) and state in states
        next_url = request.session.get("oidc_login_next")
        error = request.GET.get("error")
        if error:
            return self._provider_refused(request, error=error, state=state, known=known, next_url=next_url)
        if not request.GET.get("code") or not known:
            logger.warning("SSO callback with an unknown or missing state (known=%s)", known)
            return sso_problem_response(request, SSOProblem.STATE, next_url=next_url)
        try:
            response: HttpResponseBase = super().get(request)
        except ProviderUnavailable:
            return sso_problem_response(request, SSOProblem.PROVIDER_DOWN, next_url=next_url)
        except ProviderMisconfigured as error:
            logger.error("SSO configuration: %s", error)
            return sso_problem_response(request, SSOProblem.CONFIG, next_url=next_url)
        except TokenExchangeRefused as error:
            return sso_problem_response(request, error.problem, next_url=next_url)
        except (SuspiciousOperation, jwt.PyJWTError) as error:
            logger.warning("SSO: token rejected: %s", error)
            return sso_problem_response(request, SSOProblem.INVALID_TOKEN, next_url=next_url)
        return response

    def login_failure(self) -> HttpResponse:
        """No user came out of a verified token: disabled here, or the claims lacked `sub`."""
        user = getattr(self, "user", None)
        problem = SSOProblem.INACTIVE if user is not None and not user.is_active else SSOProblem.REJECTED
        logger.warning("SSO: sign-in refused (%s)", problem)
        return sso_problem_response(
            self.request, problem, next_url=self.request.session.get("oidc_login_next")
        )

    def login_success(self) -> HttpResponse:
        logger.info("SSO: %s signed in (role %s)", self.user.get_username(), user_role(self.user) or "none")
        response: HttpResponse = super().login_success()
        return response

    def _provider_refused(
        self, request: HttpRequest, *, error: str, state: str, known: bool, next_url: str | None
    ) -> HttpResponseBase:
        renewal = known and state in request.session.get(RENEWAL_STATES_SESSION_KEY, [])
        logger.warning(
            "SSO: provider answered %s (%s), renewal=%s",
            error,
            request.GET.get("error_description", ""),
            renewal,
        )
        if known:
            # Only a callback we asked for may end the session: anybody can link to
            # /oidc/callback/?error=... to try to sign people out.
            del request.session["oidc_states"][state]
            request.session.modified = True
            if request.user.is_authenticated:
                auth.logout(request)
        if renewal and error in _INTERACTION_NEEDED:
            # The provider has no session to renew silently: ask the person to sign in.
            return HttpResponseRedirect(sign_in_url(safe_next(request, next_url)))
        if error == "access_denied":
            problem = SSOProblem.DENIED
        elif error in _CONFIG_ERRORS:
            problem = SSOProblem.CONFIG
        elif error in _PROVIDER_TROUBLE:
            problem = SSOProblem.PROVIDER_DOWN
        else:
            problem = SSOProblem.PROVIDER_ERROR
        code = error if _ERROR_CODE.match(error) else ""
        return sso_problem_response(request, problem, code=code, next_url=next_url)


@require_POST
@role_not_required
def logout_view(request: HttpRequest) -> HttpResponse:
    """Ends the relaydash session and, for SSO sessions, the provider's (RP-initiated
    logout), which then sends the browser back to the login page."""
    destination = provider_logout_url(request)
    auth.logout(request)
    messages.info(request, SIGNED_OUT)
    return HttpResponseRedirect(destination)


@require_GET
@role_not_required
def no_access(request: HttpRequest) -> HttpResponse:
    """The page for people whose groups give no role; others are sent on."""
    if user_role(request.user) is not None:
        return redirect(settings.LOGIN_REDIRECT_URL)
    return no_access_response(request)


@require(Action.AUDIT_VIEW)
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    """Who changed what through relaydash, filterable, newest first."""
    form = AuditFilterForm(request.GET or None)
    entries = audit_entries_filtered(filters=form.filters())
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "entries": page.object_list,
        "user_emails": audit_user_emails(),
        "export_query": _without_page(request),
    }
    return render(request, "accounts/audit.html", context)


@require(Action.AUDIT_VIEW)
@require_GET
def audit_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The same entries as the audit page with the same filters, all pages, as CSV."""
    form = AuditFilterForm(request.GET or None)
    entries = audit_entries_filtered(filters=form.filters()).iterator(chunk_size=500)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(audit_csv_lines(entries=entries), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="relaydash-audit-{stamp}.csv"'
    return response


def _without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
