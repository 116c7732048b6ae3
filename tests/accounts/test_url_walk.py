"""Every URL needs a signed-in person, except the few that cannot: proved by walking all
URL patterns, whatever the areas have added by the time this runs."""

from typing import Any

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client

from tests.accounts.urlwalk import Route, all_routes

# Public on purpose: signing in, the load balancer's probes, switching the language (also on the
# login page), Django admin's own password login (the break-glass account).
PUBLIC = {
    "accounts:login",
    "accounts:oidc_authentication_init",
    "accounts:oidc_authentication_callback",
    "ops:healthz",
    "ops:readyz",
    "set_language",
    "admin:login",
}
# The sandbox API checks its own Bearer key; it exists only in development and tests.
PUBLIC_NAMESPACES = {"sandbox"}

ROUTES = all_routes()


def _is_public(route: Route) -> bool:
    return route.name in PUBLIC or route.namespace in PUBLIC_NAMESPACES


def test_the_walk_sees_every_area() -> None:
    namespaces = {route.namespace for route in ROUTES}
    assert {"orders", "accounts", "admin"} <= namespaces


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_only_the_allow_list_is_public(route: Route) -> None:
    assert route.public is _is_public(route), route.name


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r in ROUTES if not _is_public(r)], ids=lambda route: route.name)
def test_anonymous_requests_go_to_the_login_page(route: Route) -> None:
    login = resolve_url(settings.LOGIN_URL)
    for method in ("get", "post"):
        response = getattr(Client(), method)(route.url)
        assert response.status_code in (302, 404), (method, route.url, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith(f"{login}?next="), (
                method,
                route.url,
                response["Location"],
            )


def test_anonymous_htmx_requests_get_hx_redirect_not_a_swapped_login_page(db: Any) -> None:
    response = Client().get(
        "/no-access/", headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/orders/?q=x"}
    )
    assert response.status_code == 401
    assert response["HX-Redirect"] == "/login/?next=/orders/%3Fq%3Dx"


@pytest.mark.django_db
def test_public_routes_answer_anonymous_requests() -> None:
    client = Client()
    assert client.get("/login/").status_code == 200
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.content == b"ok"
    assert client.get("/admin/login/").status_code == 200
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/login/"}).status_code == 302
