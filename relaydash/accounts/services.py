"""Turning what the identity provider says about a person into a relaydash user.

People are keyed on the provider's `sub`: emails and names change, `sub` does not. Each
login (and each session renewal) updates the user from the claims, so a role change or a
new email at the provider reaches relaydash within one renewal interval.
"""

import hashlib
import logging
import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from relaydash.accounts.models import Profile
from relaydash.accounts.permissions import Role, role_for_groups

logger = logging.getLogger("relaydash.accounts.sso")

_USERNAME_SAFE = re.compile(r"^[\w.@+-]+\Z")
_NAME_MAX = 150


def groups_from_claims(*, claims: Mapping[str, Any]) -> list[str]:
    """The person's groups from OIDC_GROUPS_CLAIM: a list, or one name as a string.

    A missing claim means no groups (and so, without a default role, no access): a
    provider that stops sending groups must not leave yesterday's role in place.
    """
    claim = settings.OIDC_GROUPS_CLAIM
    value = claims.get(claim)
    if value is None:
        if claim in (claims.get("_claim_names") or {}):
            # Entra ID sends this "overage" marker instead of more than 200 groups.
            logger.warning(
                "The provider left out the %r claim for sub %s because the person is in too many "
                "groups; map app roles instead (OIDC_GROUPS_CLAIM=roles).",
                claim,
                claims.get("sub"),
            )
        return []
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, list | tuple):
        return [str(item) for item in value if item not in (None, "")]
    return []


def role_from_claims(*, claims: Mapping[str, Any]) -> Role | None:
    """The role the person's groups give, else the configured default role, else none."""
    role = role_for_groups(
        groups=groups_from_claims(claims=claims), role_groups=settings.RELAYDASH_ROLE_GROUPS
    )
    if role is None and settings.RELAYDASH_DEFAULT_ROLE:
        return Role(settings.RELAYDASH_DEFAULT_ROLE)
    return role


def _username_for(*, sub: str) -> str:
    """A username that never changes and never collides with a local (break-glass) one:
    "sso-" + the sub when it is a valid username, else "sso-" + a hash of it."""
    candidate = f"sso-{sub}"
    if _USERNAME_SAFE.match(candidate) and len(candidate) <= _NAME_MAX:
        user_model = get_user_model()
        if not user_model.objects.filter(username=candidate).exists():
            return candidate
    return f"sso-{hashlib.sha256(sub.encode()).hexdigest()[:40]}"


def _names(claims: Mapping[str, Any]) -> tuple[str, str] | None:
    given, family = str(claims.get("given_name") or ""), str(claims.get("family_name") or "")
    if given or family:
        return given[:_NAME_MAX], family[:_NAME_MAX]
    name = str(claims.get("name") or "")
    if name:
        return name[:_NAME_MAX], ""
    return None


def user_sync_from_claims(*, claims: Mapping[str, Any]) -> AbstractUser:
    """Create or update the user whose `sub` the claims carry, with email, name,
    preferred_username, groups and role; admins also get into Django's admin.

    Claims the provider did not send leave the stored email and name alone (scopes can
    differ between login and renewal); groups are always replaced.
    """
    sub = str(claims.get("sub") or "")
    if not sub:
        raise ValueError("claims without a sub")
    groups = groups_from_claims(claims=claims)
    role = role_from_claims(claims=claims)
    try:
        with transaction.atomic():
            return _sync(sub=sub, claims=claims, groups=groups, role=role)
    except IntegrityError:
        # Two first logins of the same person at once: the other one created the user.
        with transaction.atomic():
            return _sync(sub=sub, claims=claims, groups=groups, role=role)


def _added_person(*, claims: Mapping[str, Any]) -> Profile | None:
    """The person the back office added with this email before their first sign-in (no
    sub yet). Only a verified email matches (a provider that says `email_verified: false`
    does not vouch for it); from then on the person is keyed on the sub."""
    email = claims.get("email")
    if not isinstance(email, str) or not email or claims.get("email_verified") is False:
        return None
    return (
        Profile.objects.select_for_update()
        .select_related("user")
        .filter(sub__isnull=True, user__email__iexact=email)
        .first()
    )


def _sync(*, sub: str, claims: Mapping[str, Any], groups: list[str], role: Role | None) -> AbstractUser:
    user_model = get_user_model()
    profile = Profile.objects.select_for_update().select_related("user").filter(sub=sub).first()
    if profile is None:
        profile = _added_person(claims=claims)
        if profile is not None:
            profile.sub = sub
            logger.info("SSO: sub %s is the person added as %s", sub, profile.user.email)
    if profile is None:
        user = user_model.objects.create_user(username=_username_for(sub=sub))
        profile = Profile.objects.create(user=user, sub=sub)
        logger.info("SSO: new user %s for sub %s", user.get_username(), sub)
    user = profile.user
    assert isinstance(user, AbstractUser)
    email = claims.get("email")
    if isinstance(email, str) and email:
        user.email = email[:254]
    names = _names(claims)
    if names is not None:
        user.first_name, user.last_name = names
    # Django's admin is part of the admin role. Superusers are local break-glass
    # accounts, never SSO ones, so is_superuser is left alone.
    user.is_staff = role is Role.ADMIN
    user.save()
    preferred = claims.get("preferred_username")
    if isinstance(preferred, str):
        profile.preferred_username = preferred[:255]
    if role != (Role(profile.role) if profile.role in Role else None):
        logger.info("SSO: %s now has role %s (groups %s)", user.get_username(), role or "none", groups)
    profile.groups = groups
    profile.role = role.value if role else ""
    profile.last_login_check = timezone.now()
    profile.save()
    # The user object may be cached with its old profile: hand back the fresh one.
    user.profile = profile
    return user


class PersonExists(ValueError):
    """Someone with this email is already known."""


def person_add(*, email: str, name: str, role: Role = Role.FIELD) -> AbstractUser:
    """A person the back office knows before their first sign-in, so they can be
    planned at once. They get no sub: the first sign-in with this email claims them,
    and the provider's groups then decide the role as for everyone else."""
    user_model = get_user_model()
    email = email.strip()
    if user_model.objects.filter(email__iexact=email).exists():
        raise PersonExists(email)
    first, _space, last = name.strip().partition(" ")
    with transaction.atomic():
        user = user_model.objects.create_user(
            username=f"added-{hashlib.sha256(email.casefold().encode()).hexdigest()[:40]}",
            email=email[:254],
            first_name=first[:_NAME_MAX],
            last_name=last[:_NAME_MAX],
        )
        user.set_unusable_password()
        user.save()
        user.profile = Profile.objects.create(user=user, sub=None, role=role.value)
    assert isinstance(user, AbstractUser)
    return user


def person_set_hidden(*, profile: Profile, hidden: bool) -> None:
    """Hide a person who left (or show them again): planning no longer offers them."""
    profile.hidden = hidden
    profile.save(update_fields=["hidden"])
