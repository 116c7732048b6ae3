"""Roles and what each may do.

relay cannot tell people apart (one API key for the whole company), so relaydash decides
who may change what. A role comes from the identity provider's groups at login; the
actions below are the only vocabulary views and templates use, so a role change is made
here and nowhere else.
"""

from collections.abc import Callable, Iterable
from enum import StrEnum
from functools import wraps
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(StrEnum):
    VIEWER = "viewer"
    FIELD = "field"
    BACKOFFICE = "backoffice"
    ADMIN = "admin"


class Action(StrEnum):
    VIEW = "view"
    ORDER_STATUS = "order_status"
    ORDER_COMMENT = "order_comment"
    ORDER_FIELD = "order_field"
    ORDER_DUE_DATE = "order_due_date"
    ORDER_INTERNAL_ID = "order_internal_id"
    ORDER_ADDRESS = "order_address"
    DIRECTORY_WRITE = "directory_write"
    AUDIT_VIEW = "audit_view"
    ADMIN = "admin"
    # Dispatch: field staff take an unassigned order and hand their own back; the back
    # office assigns and plans anyone's orders and keeps the list of people.
    ORDER_TAKE = "order_take"
    ORDER_ASSIGN = "order_assign"
    PEOPLE_MANAGE = "people_manage"


_VIEWER = {Action.VIEW}
_FIELD = _VIEWER | {Action.ORDER_STATUS, Action.ORDER_COMMENT, Action.ORDER_FIELD, Action.ORDER_TAKE}
_BACKOFFICE = _FIELD | {
    Action.ORDER_DUE_DATE,
    Action.ORDER_INTERNAL_ID,
    Action.ORDER_ADDRESS,
    Action.DIRECTORY_WRITE,
    Action.ORDER_ASSIGN,
    Action.PEOPLE_MANAGE,
}
_ADMIN = _BACKOFFICE | {Action.AUDIT_VIEW, Action.ADMIN}

ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.VIEWER: frozenset(_VIEWER),
    Role.FIELD: frozenset(_FIELD),
    Role.BACKOFFICE: frozenset(_BACKOFFICE),
    Role.ADMIN: frozenset(_ADMIN),
}


ROLE_LABELS = {
    Role.VIEWER: pgettext_lazy("role", "Viewer"),
    Role.FIELD: pgettext_lazy("role", "Field"),
    Role.BACKOFFICE: pgettext_lazy("role", "Back office"),
    Role.ADMIN: pgettext_lazy("role", "Administrator"),
}
ROLE_DESCRIPTIONS = {
    Role.VIEWER: _("reads everything"),
    Role.FIELD: _("also changes an order's status, posts comments and adds order fields"),
    Role.BACKOFFICE: _(
        "also changes due dates, internal ids and addresses, and creates customers, properties and addresses"
    ),
    Role.ADMIN: _("also reads the audit trail and uses the Django admin"),
}

# Lowest to highest: when several of a user's groups map to roles, the highest wins.
ROLE_RANK: tuple[Role, ...] = (Role.VIEWER, Role.FIELD, Role.BACKOFFICE, Role.ADMIN)


def actions_for_role(role: Role) -> frozenset[Action]:
    """What `role` may do. Backoffice sees the audit page only when the company says so
    (RELAYDASH_AUDIT_FOR_BACKOFFICE): who changed what is often an admin-only question."""
    actions = ROLE_ACTIONS[role]
    if role is Role.BACKOFFICE and getattr(settings, "RELAYDASH_AUDIT_FOR_BACKOFFICE", False):
        return actions | {Action.AUDIT_VIEW}
    return actions


def role_for_groups(*, groups: Iterable[str], role_groups: Iterable[tuple[str, str]]) -> Role | None:
    """The highest role any of `groups` maps to through `role_groups` ((role, group) pairs).

    Keycloak sends groups as paths ("/relay-field") unless told otherwise, so a leading
    slash is ignored; nothing else is: "relay-field-old" is not "relay-field".
    """
    names = {group.lstrip("/") for group in groups} | set(groups)
    matched = [Role(role) for role, group in role_groups if group in names]
    return max(matched, key=ROLE_RANK.index) if matched else None


class NoRole(PermissionDenied):
    """Signed in, but no group of the user maps to a role: the "ask your administrator" page."""


def user_role(user: AbstractBaseUser | AnonymousUser) -> Role | None:
    """The user's role, or None. A local superuser (break-glass login) is always admin."""
    if not user.is_authenticated:
        return None
    if getattr(user, "is_superuser", False):
        return Role.ADMIN
    profile = getattr(user, "profile", None)
    if profile is None or not profile.role:
        return None
    try:
        return Role(profile.role)
    except ValueError:
        return None


def user_can(user: AbstractBaseUser | AnonymousUser, action: Action) -> bool:
    role = user_role(user)
    return role is not None and action in actions_for_role(role)


def require[V: Callable[..., HttpResponseBase]](action: Action) -> Callable[[V], V]:
    """View decorator: 403 page unless the signed-in user's role allows `action`.

    The wrapped view carries `required_action`, so tests can find every guarded view by
    walking the URL patterns instead of keeping a list that goes stale.
    """

    def decorator(view: V) -> V:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            role = user_role(request.user)
            if role is None:
                raise NoRole
            if action not in actions_for_role(role):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_action = action  # type: ignore[attr-defined]
        return cast(V, wrapped)

    return decorator


def role_not_required[V: Callable[..., Any]](view: V) -> V:
    """Mark a view people without a role may still use (signing out, the no-access page);
    RoleRequiredMiddleware shows every other page to them as "no access"."""
    view.role_required = False  # type: ignore[attr-defined]
    return view


class Capabilities:
    """Template access: `{% if can.order_status %}` shows only controls the role may use.

    One page asks a dozen times; the role is looked up once, at the first question
    (a page lives for one request, in which the role does not change).
    """

    def __init__(self, user: AbstractBaseUser | AnonymousUser) -> None:
        self._user = user
        self._actions: frozenset[Action] | None = None

    def _allows(self, name: str) -> bool:
        action = Action(name)  # ValueError for a name that is no action
        if self._actions is None:
            role = user_role(self._user)
            self._actions = actions_for_role(role) if role is not None else frozenset()
        return action in self._actions

    def __getitem__(self, name: str) -> bool:
        # The template language tries `can["order_status"]` before `can.order_status`:
        # answering it spares an exception per question.
        try:
            return self._allows(name)
        except ValueError:
            raise KeyError(name) from None

    def __getattr__(self, name: str) -> bool:
        try:
            return self._allows(name)
        except ValueError:
            raise AttributeError(name) from None
