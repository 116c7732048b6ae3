"""Roles and what each may do.

relay cannot tell people apart (one API key for the whole company), so relaydash decides
who may change what. A role comes from the identity provider's groups at login; the
actions below are the only vocabulary views and templates use, so a role change is made
here and nowhere else.
"""

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse


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


_VIEWER = {Action.VIEW}
_FIELD = _VIEWER | {Action.ORDER_STATUS, Action.ORDER_COMMENT, Action.ORDER_FIELD}
_BACKOFFICE = _FIELD | {
    Action.ORDER_DUE_DATE,
    Action.ORDER_INTERNAL_ID,
    Action.ORDER_ADDRESS,
    Action.DIRECTORY_WRITE,
}
_ADMIN = _BACKOFFICE | {Action.AUDIT_VIEW, Action.ADMIN}

ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.VIEWER: frozenset(_VIEWER),
    Role.FIELD: frozenset(_FIELD),
    Role.BACKOFFICE: frozenset(_BACKOFFICE),
    Role.ADMIN: frozenset(_ADMIN),
}


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
    return role is not None and action in ROLE_ACTIONS[role]


def require(action: Action) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """View decorator: 403 page unless the signed-in user's role allows `action`."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if user_role(request.user) is None:
                raise NoRole
            if not user_can(request.user, action):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class Capabilities:
    """Template access: `{% if can.order_status %}` shows only controls the role may use."""

    def __init__(self, user: AbstractBaseUser | AnonymousUser) -> None:
        self._user = user

    def __getattr__(self, name: str) -> bool:
        try:
            return user_can(self._user, Action(name))
        except ValueError:
            raise AttributeError(name) from None
