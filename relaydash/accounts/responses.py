"""Responses the views and the middlewares share: the SSO problem page, the no-access
page, htmx redirects, and the one rule for where `next` may point."""

from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from relaydash.accounts.errors import NO_ACCESS, SSO_PROBLEMS, SSOProblem
from relaydash.accounts.permissions import ROLE_DESCRIPTIONS, ROLE_LABELS, ROLE_RANK, Role

SSO_EXEMPT_NEXT = ("accounts:login", "accounts:logout", "accounts:oidc_authentication_callback")


def is_htmx(request: HttpRequest) -> bool:
    """django-htmx's middleware runs after relaydash's, so read the header itself."""
    return request.headers.get("HX-Request") == "true"


def htmx_redirect(url: str, *, status: int) -> HttpResponse:
    """A response htmx turns into a full-page navigation, whatever the status; a 302
    would be followed inside the XHR and its page swapped into a fragment."""
    response = HttpResponse(status=status)
    response["HX-Redirect"] = url
    return response


def same_site_path(request: HttpRequest, url: str | None) -> str | None:
    """`url` as a path on this site, or None if it points anywhere else (open redirects:
    `//evil.example`, `https://evil.example`, `/\\evil.example`, `javascript:`)."""
    if not url or not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    parts = urlsplit(url)
    if not parts.path.startswith("/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def safe_next(request: HttpRequest, url: str | None) -> str | None:
    """A `next` worth going to after signing in: on this site and not the sign-in
    routes themselves (which would loop)."""
    path = same_site_path(request, url)
    if path is None:
        return None
    if any(urlsplit(path).path == reverse(name) for name in SSO_EXEMPT_NEXT):
        return None
    return path


def page_behind(request: HttpRequest) -> str | None:
    """The page the person is looking at: htmx names it; a plain form post has a Referer."""
    return same_site_path(request, request.headers.get("HX-Current-URL")) or same_site_path(
        request, request.headers.get("Referer")
    )


def login_url_with_next(next_url: str | None) -> str:
    url = reverse("accounts:login")
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def sign_in_url(next_url: str | None) -> str:
    """Where the "Sign in" button goes: the start of the code flow, keeping `next`."""
    url = reverse("accounts:oidc_authentication_init")
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def sso_problem_response(
    request: HttpRequest, problem: SSOProblem, *, code: str = "", next_url: str | None = None
) -> HttpResponse:
    """The clear page for a failed sign-in, with a way to try again."""
    text = SSO_PROBLEMS[problem]
    message = str(text.message)
    if problem is SSOProblem.PROVIDER_ERROR:
        message = message % {"code": code or "?"}
    context = {
        "problem": problem.value,
        "message": message,
        "ask_admin": text.ask_admin,
        "retry_url": login_url_with_next(safe_next(request, next_url)),
        "can_retry": problem not in (SSOProblem.NOT_CONFIGURED, SSOProblem.CONFIG, SSOProblem.INACTIVE),
        "provider_name": settings.OIDC_PROVIDER_NAME,
    }
    return render(request, "accounts/sso_error.html", context, status=text.status)


@dataclass(frozen=True)
class RoleRow:
    role: Role
    label: str
    description: str
    groups: list[str]


def role_groups_table() -> list[RoleRow]:
    """Which groups give which role, highest role first, for the pages that explain it."""
    groups: dict[Role, list[str]] = {role: [] for role in reversed(ROLE_RANK)}
    for role, group in settings.RELAYDASH_ROLE_GROUPS:
        groups[Role(role)].append(group)
    return [
        RoleRow(role, str(ROLE_LABELS[role]), str(ROLE_DESCRIPTIONS[role]), names)
        for role, names in groups.items()
        if names
    ]


def no_access_response(request: HttpRequest) -> HttpResponse:
    """Signed in, but no group maps to a role: say so, and what would help."""
    profile = getattr(request.user, "profile", None)
    context = {
        "message": NO_ACCESS,
        "groups": list(getattr(profile, "groups", None) or []),
        "role_groups": role_groups_table(),
        "sign_in_again_url": sign_in_url(resolve_url(settings.LOGIN_REDIRECT_URL)),
    }
    return render(request, "accounts/no_access.html", context, status=403)
