"""The role matrix: every role × every action, in user_can, in require(), in every guarded
view of the project, and in the templates (controls a role cannot use are not shown)."""

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import Resolver404, resolve, reverse

from relaydash.accounts import oidc_settings
from relaydash.accounts.backends import SubOIDCBackend
from relaydash.accounts.permissions import (
    ROLE_RANK,
    Action,
    Capabilities,
    NoRole,
    Role,
    require,
    role_for_groups,
    user_can,
)
from tests.accounts.urlwalk import Route, guarded_routes

# The table, written out again on purpose: a change to ROLE_ACTIONS must be a
# deliberate change here too.
VIEWER = {Action.VIEW}
FIELD = VIEWER | {Action.ORDER_STATUS, Action.ORDER_COMMENT, Action.ORDER_FIELD, Action.ORDER_TAKE}
BACKOFFICE = FIELD | {
    Action.ORDER_DUE_DATE,
    Action.ORDER_INTERNAL_ID,
    Action.ORDER_ADDRESS,
    Action.DIRECTORY_WRITE,
    Action.ORDER_ASSIGN,
    Action.PEOPLE_MANAGE,
}
ADMIN = BACKOFFICE | {Action.AUDIT_VIEW, Action.ADMIN}
EXPECTED: dict[Role | None, set[Action]] = {
    None: set(),
    Role.VIEWER: VIEWER,
    Role.FIELD: FIELD,
    Role.BACKOFFICE: BACKOFFICE,
    Role.ADMIN: ADMIN,
}
ROLES: list[Role | None] = [None, *Role]


def _id(value: Any) -> str:
    return str(value) if value is not None else "no-role"


@pytest.mark.django_db
@pytest.mark.parametrize("action", list(Action), ids=_id)
@pytest.mark.parametrize("role", ROLES, ids=_id)
def test_user_can(make_user: Callable[..., Any], role: Role | None, action: Action) -> None:
    user = make_user(role)
    assert user_can(user, action) is (action in EXPECTED[role])
    assert getattr(Capabilities(user), action.value) is (action in EXPECTED[role])


@pytest.mark.django_db
@pytest.mark.parametrize("action", list(Action), ids=_id)
@pytest.mark.parametrize("role", ROLES, ids=_id)
def test_require_in_a_view(make_user: Callable[..., Any], role: Role | None, action: Action) -> None:
    @require(action)
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse("done")

    request = RequestFactory().get("/")
    request.user = make_user(role)
    if role is None:
        with pytest.raises(NoRole):
            view(request)
    elif action in EXPECTED[role]:
        assert view(request).content == b"done"
    else:
        with pytest.raises(PermissionDenied) as caught:
            view(request)
        assert not isinstance(caught.value, NoRole)
    assert view.required_action is action  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_backoffice_sees_the_audit_only_when_configured(make_user: Callable[..., Any], settings: Any) -> None:
    office = make_user(Role.BACKOFFICE)
    assert not user_can(office, Action.AUDIT_VIEW)
    settings.RELAYDASH_AUDIT_FOR_BACKOFFICE = True
    assert user_can(office, Action.AUDIT_VIEW)
    assert not user_can(office, Action.ADMIN)
    assert not user_can(make_user(Role.FIELD, username="f"), Action.AUDIT_VIEW)


@pytest.mark.django_db
def test_a_local_superuser_is_admin(django_user_model: Any) -> None:
    root = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    assert all(user_can(root, action) for action in Action)


# Roles from groups ----------------------------------------------------------------------

DEFAULT_PAIRS = oidc_settings.parse_role_groups(oidc_settings.DEFAULT_ROLE_GROUPS)


@pytest.mark.parametrize(
    ("groups", "role"),
    [
        (["relay-view"], Role.VIEWER),
        (["relay-field"], Role.FIELD),
        (["relay-office"], Role.BACKOFFICE),
        (["relay-admin"], Role.ADMIN),
        (["relay-view", "relay-admin", "relay-field"], Role.ADMIN),
        (["/relay-office"], Role.BACKOFFICE),  # Keycloak's full group path
        (["relay-field-old", "RELAY-FIELD", "marketing"], None),
        ([], None),
    ],
)
def test_role_for_groups(groups: list[str], role: Role | None) -> None:
    assert role_for_groups(groups=groups, role_groups=DEFAULT_PAIRS) == role


def test_role_groups_setting_is_parsed_and_checked() -> None:
    assert DEFAULT_PAIRS == (
        ("admin", "relay-admin"),
        ("backoffice", "relay-office"),
        ("field", "relay-field"),
        ("viewer", "relay-view"),
    )
    assert oidc_settings.parse_role_groups(" field : Field Crew , admin:it ,") == (
        ("field", "Field Crew"),
        ("admin", "it"),
    )
    with pytest.raises(ImproperlyConfigured, match="unknown role 'boss'"):
        oidc_settings.parse_role_groups("boss:relay-admin")
    with pytest.raises(ImproperlyConfigured, match="not role:group"):
        oidc_settings.parse_role_groups("admin")
    assert oidc_settings.parse_default_role("") == ""
    assert oidc_settings.parse_default_role("viewer") == "viewer"
    with pytest.raises(ImproperlyConfigured):
        oidc_settings.parse_default_role("superuser")


def test_settings_role_names_match_the_roles() -> None:
    assert tuple(role.value for role in ROLE_RANK) == oidc_settings.ROLE_NAMES
    assert set(ROLE_RANK) == set(Role)


def test_half_an_sso_configuration_is_refused_at_start() -> None:
    with pytest.raises(ImproperlyConfigured, match="OIDC_ISSUER"):
        oidc_settings.check_sso_settings(issuer="", client_id="x", debug=False, demo_provider=False)
    with pytest.raises(ImproperlyConfigured, match="OIDC_CLIENT_ID"):
        oidc_settings.check_sso_settings(issuer="https://idp", client_id="", debug=False, demo_provider=False)
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        oidc_settings.check_sso_settings(issuer="http://l", client_id="x", debug=False, demo_provider=True)
    oidc_settings.check_sso_settings(issuer="", client_id="", debug=False, demo_provider=False)


# Every guarded view of the project, found by walking the URL patterns ------------------

GUARDED = guarded_routes()


def test_the_registry_finds_guarded_views() -> None:
    names = {route.name for route in GUARDED}
    assert {"accounts:audit", "accounts:audit_csv"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize("route", GUARDED, ids=lambda route: route.name)
def test_every_guarded_view_refuses_roles_without_its_action(
    route: Route, client_as: Callable[..., Client]
) -> None:
    action = route.required_action
    assert action is not None
    for role in ROLES:
        if role is not None and action in EXPECTED[role]:
            continue
        client = client_as(role, username=f"{role or 'norole'}-{route.name.replace(':', '-')}")
        statuses = {client.get(route.url).status_code, client.post(route.url).status_code}
        # 405 where the view takes only the other method; 403 for the one it takes.
        assert 403 in statuses, (route.name, role, statuses)
        assert statuses <= {403, 405}, (route.name, role, statuses)


# Templates: controls a role cannot use are not shown -----------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "audit_for_backoffice", "shown"),
    [
        (Role.ADMIN, False, True),
        (Role.BACKOFFICE, False, False),
        (Role.BACKOFFICE, True, True),
        (Role.FIELD, True, False),
        (Role.VIEWER, False, False),
    ],
)
def test_the_audit_link_is_shown_only_to_those_who_may_open_it(
    client_as: Callable[..., Client], settings: Any, role: Role, audit_for_backoffice: bool, shown: bool
) -> None:
    settings.RELAYDASH_AUDIT_FOR_BACKOFFICE = audit_for_backoffice
    client = client_as(role)
    # The audit page itself, or the 403 page in its place: both have the header's nav.
    page = client.get(reverse("accounts:audit"))
    assert (page.status_code == 200) is shown
    assert (f'href="{reverse("accounts:audit")}"' in page.content.decode()) is shown


_LINK = re.compile(r'href="(/[^"#]*)"')
_CONTROL = re.compile(
    r'<form\b[^>]*\bmethod="post"[^>]*\baction="([^"]+)"|<form\b[^>]*\baction="([^"]+)"[^>]*\bmethod="post"'
    r'|\bhx-(?:post|put|patch|delete)="([^"]+)"',
    re.IGNORECASE,
)
_SKIP = ("/static/", "/admin/", "/i18n/", "/oidc/", "/sandbox/", "/logout/", "/login/")
_MAX_PAGES = 40


def _targets(html: str) -> tuple[set[str], set[str]]:
    """Where the page's links lead, and where its forms and htmx writes send data."""
    controls = {next(group for group in match.groups() if group) for match in _CONTROL.finditer(html)}
    links = set(_LINK.findall(html))
    return {link.replace("&amp;", "&") for link in links}, {c.replace("&amp;", "&") for c in controls}


def _crawl(client: Client, start: str) -> dict[str, set[str]]:
    """Pages reachable by links from `start` (GET only, same site), with everything they
    link, post or hx-* to. At most two pages per URL pattern, so thirty order pages do
    not use up the budget that the directory's pages need."""
    seen: dict[str, set[str]] = {}
    per_view: dict[str, int] = {}
    queue = [start]
    while queue and len(seen) < _MAX_PAGES:
        url = queue.pop(0)
        path = urlsplit(url).path
        if url in seen or path.startswith(_SKIP) or path.endswith((".csv", ".xlsx")):
            continue
        try:
            view = resolve(path).view_name
        except Resolver404:
            continue
        if per_view.get(view, 0) >= 2:
            continue
        per_view[view] = per_view.get(view, 0) + 1
        response = client.get(url)
        html = response.content.decode(errors="replace") if response.status_code == 200 else ""
        links, controls = _targets(html)
        seen[url] = links | controls
        queue.extend(link for link in links if link.startswith("/"))
    return seen


def _actions_offered(pages: dict[str, set[str]]) -> dict[Action, list[tuple[str, str]]]:
    """Every guarded view the pages link, post or hx-* to, by the action it requires."""
    offered: dict[Action, list[tuple[str, str]]] = {}
    for page, targets in pages.items():
        for target in targets:
            try:
                match = resolve(urlsplit(target).path or urlsplit(page).path)
            except Resolver404:
                continue
            action = getattr(match.func, "required_action", None)
            if action is not None:
                offered.setdefault(action, []).append((page, target))
    return offered


# What each role must at least be offered somewhere, proving the walk sees the controls.
MUST_OFFER = {
    Role.VIEWER: Action.VIEW,
    Role.FIELD: Action.ORDER_STATUS,
    Role.BACKOFFICE: Action.DIRECTORY_WRITE,
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", [Role.VIEWER, Role.FIELD, Role.BACKOFFICE], ids=_id)
def test_pages_show_no_controls_the_role_cannot_use(
    client_as: Callable[..., Client], seeded: Any, role: Role
) -> None:
    """Walks the pages a role can reach and resolves every link, form and htmx write on
    them: none may lead to a view whose required action the role lacks. Covers every page
    the orders and directory areas add, without naming them."""
    client = client_as(role)
    client.raise_request_exception = False
    offered = _actions_offered(_crawl(client, reverse("orders:list")))
    assert MUST_OFFER[role] in offered, sorted(offered)
    not_allowed = {action: where for action, where in offered.items() if action not in EXPECTED[role]}
    assert not_allowed == {}


def test_an_sso_session_loads_the_role_with_the_user(
    make_user: Callable[..., Any], django_assert_num_queries: Any
) -> None:
    """Every page asks for the role: the SSO backend reads user and profile in one query."""
    user = make_user(Role.FIELD)
    with django_assert_num_queries(1):
        again = SubOIDCBackend().get_user(user.pk)
        assert again is not None and Capabilities(again).order_status
    assert SubOIDCBackend().get_user(10**9) is None
