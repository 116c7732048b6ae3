"""Reading the SSO, role and audit settings from the environment.

relaydash/settings.py calls these while Django is still being configured, so this
module imports nothing that needs the app registry (not even `permissions`): role names
are repeated here as text, and a test checks they match `permissions.Role`.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

# Lowest to highest, as permissions.ROLE_RANK.
ROLE_NAMES: tuple[str, ...] = ("viewer", "field", "backoffice", "admin")

DEFAULT_ROLE_GROUPS = "admin:relay-admin,backoffice:relay-office,field:relay-field,viewer:relay-view"
DEFAULT_SCOPES = "openid email profile"
DEFAULT_RENEWAL_SECONDS = 15 * 60


def parse_role_groups(raw: str) -> tuple[tuple[str, str], ...]:
    """`role:group,role:group` → ((role, group), ...), refusing anything it cannot read.

    A typo here would silently lock people out (or let them in), so an unknown role or
    a pair without a group stops the start with a message that names the culprit.
    """
    pairs: list[tuple[str, str]] = []
    for item in raw.split(","):
        item = item.strip()
        if not item:
            continue
        role, sep, group = item.partition(":")
        role, group = role.strip(), group.strip()
        if not sep or not group:
            raise ImproperlyConfigured(
                f"RELAYDASH_ROLE_GROUPS: {item!r} is not role:group (for example field:relay-field)."
            )
        if role not in ROLE_NAMES:
            raise ImproperlyConfigured(
                f"RELAYDASH_ROLE_GROUPS: unknown role {role!r}; roles are {', '.join(ROLE_NAMES)}."
            )
        pairs.append((role, group))
    return tuple(pairs)


def parse_default_role(raw: str) -> str:
    """The role for people in no mapped group: empty (the default) means none at all."""
    role = raw.strip()
    if role and role not in ROLE_NAMES:
        raise ImproperlyConfigured(
            f"RELAYDASH_DEFAULT_ROLE: unknown role {role!r}; roles are {', '.join(ROLE_NAMES)} or empty."
        )
    return role


def check_sso_settings(*, issuer: str, client_id: str, debug: bool, demo_provider: bool) -> None:
    """Refuse half a configuration at start rather than failing at someone's first login."""
    if client_id and not issuer:
        raise ImproperlyConfigured(
            "OIDC_CLIENT_ID is set but OIDC_ISSUER is not. relaydash needs the issuer to read the "
            "provider's discovery document and to check the `iss` of every id_token, even when the "
            "OIDC_OP_* endpoints are given explicitly."
        )
    if issuer and not client_id:
        raise ImproperlyConfigured("OIDC_ISSUER is set but OIDC_CLIENT_ID is not.")
    if demo_provider and not debug:
        raise ImproperlyConfigured(
            "OIDC_DEMO_PROVIDER is on but DEBUG is off. The demo provider signs in anybody; it is "
            "for `make run` only."
        )


def origin(url: str) -> str:
    """scheme://host[:port] of a URL, or "" for an empty one."""
    if not url:
        return ""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def form_action_origins(*urls: str) -> list[str]:
    """Origins the browser must be allowed to reach from a form post.

    Signing out posts to relaydash, which redirects to the provider's end-session page;
    browsers apply the CSP `form-action` rule to that redirect, so the provider's origin
    (the issuer's, or the explicit logout endpoint's) is added automatically.
    """
    origins: list[str] = []
    for url in urls:
        found = origin(url)
        if found and found not in origins:
            origins.append(found)
    return origins
