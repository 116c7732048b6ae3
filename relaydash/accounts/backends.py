"""The SSO authentication backend: mozilla-django-oidc's code flow, keyed on `sub`.

What the library leaves out and relaydash adds: endpoints from discovery (lazily, see
`provider`), the id_token's `iss`, `aud` and `azp` checks, the rule that the userinfo
answer is about the same `sub`, claims from the id_token as well as from userinfo (Entra
ID puts groups only in the id_token), users matched on `sub` instead of email, and the
Django admin for the admin role.
"""

import logging
from collections.abc import Mapping
from typing import Any

import requests
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import SuspiciousOperation
from django.db.models import Model
from django.http import HttpRequest
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from relaydash.accounts.permissions import Role, user_role
from relaydash.accounts.provider import (
    ProviderUnavailable,
    TokenExchangeRefused,
    classify_token_error,
    provider_endpoints,
)
from relaydash.accounts.services import user_sync_from_claims

logger = logging.getLogger("relaydash.accounts.sso")


def check_token_claims(payload: Mapping[str, Any], *, issuer: str, client_id: str) -> None:
    """OpenID Connect Core 3.1.3.7: the token is from our provider and meant for us."""
    if payload.get("iss") != issuer:
        raise SuspiciousOperation(f"id_token iss {payload.get('iss')!r} is not {issuer!r}")
    audience = payload.get("aud")
    audiences = [audience] if isinstance(audience, str) else list(audience or [])
    if client_id not in audiences:
        raise SuspiciousOperation(f"id_token aud {audience!r} does not include {client_id!r}")
    azp = payload.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != client_id:
        raise SuspiciousOperation(f"id_token azp {azp!r} is not {client_id!r}")
    if not payload.get("sub"):
        raise SuspiciousOperation("id_token without sub")


class SubOIDCBackend(OIDCAuthenticationBackend):
    """Signs people in through the provider; see the module docstring for what it adds."""

    def get_user(self, user_id: Any) -> AbstractBaseUser | None:
        """The signed-in user for each request, with the profile (the role) in the same
        query: every page asks for the role, so this saves a query per request."""
        try:
            return self.UserModel.objects.select_related("profile").get(pk=user_id)
        except self.UserModel.DoesNotExist:
            return None

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> AbstractBaseUser | None:
        # Only the SSO callback passes a code verifier; the admin's password form and
        # anything else go to ModelBackend.
        if request is None or "code_verifier" not in kwargs:
            return None
        endpoints = provider_endpoints()
        self.OIDC_OP_TOKEN_ENDPOINT = endpoints.token_endpoint
        self.OIDC_OP_USER_ENDPOINT = endpoints.userinfo_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = endpoints.jwks_uri
        self.issuer = endpoints.issuer
        # mozilla-django-oidc talks to the provider with requests; its failures become the
        # provider errors the callback view turns into pages, so no view handles requests.
        try:
            user: AbstractBaseUser | None = super().authenticate(request, **kwargs)
        except requests.HTTPError as error:
            raise TokenExchangeRefused(classify_token_error(error)) from error
        except requests.RequestException as error:
            logger.warning("SSO: provider unreachable during the token exchange: %s", error)
            raise ProviderUnavailable(str(error)) from error
        return user

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        payload: dict[str, Any] = super().verify_token(token, **kwargs)
        check_token_claims(payload, issuer=self.issuer, client_id=self.OIDC_RP_CLIENT_ID)
        return payload

    def verify_claims(self, claims: Mapping[str, Any]) -> bool:
        """Only `sub` is required: email is welcome but not every provider sends it."""
        return bool(claims.get("sub"))

    def get_or_create_user(self, access_token: str, id_token: str, payload: Mapping[str, Any]) -> Model:
        userinfo: dict[str, Any] = {}
        if self.OIDC_OP_USER_ENDPOINT:
            userinfo = self.get_userinfo(access_token, id_token, payload)
            if userinfo.get("sub") != payload.get("sub"):
                raise SuspiciousOperation("userinfo is about another sub than the id_token")
        claims = {**payload, **userinfo}
        if not self.verify_claims(claims):
            raise SuspiciousOperation("Claims verification failed")
        return user_sync_from_claims(claims=claims)

    def has_perm(
        self, user_obj: AbstractBaseUser | AnonymousUser, perm: str, obj: Model | None = None
    ) -> bool:
        """The admin role may use Django's admin fully; ModelAdmins can still say no
        (the audit trail's admin refuses every change to everyone)."""
        if user_obj.is_active and user_role(user_obj) is Role.ADMIN:
            return True
        return bool(super().has_perm(user_obj, perm, obj))

    def has_module_perms(self, user_obj: AbstractBaseUser | AnonymousUser, app_label: str) -> bool:
        if user_obj.is_active and user_role(user_obj) is Role.ADMIN:
            return True
        return bool(super().has_module_perms(user_obj, app_label))
