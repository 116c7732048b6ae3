"""Sign-in and sign-out, the no-access page, the audit trail.

Public (login_not_required): the login page and the two steps of the code flow.
Everything else needs a signed-in person with a role.
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, path

from relaydash.accounts import views

app_name = "accounts"
urlpatterns: list[URLPattern | URLResolver] = [
    path("login/", views.login_page, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path(
        "oidc/authenticate/",
        login_not_required(views.SSOAuthenticateView.as_view()),
        name="oidc_authentication_init",
    ),
    path(
        "oidc/callback/",
        login_not_required(views.SSOCallbackView.as_view()),
        name="oidc_authentication_callback",
    ),
    path("no-access/", views.no_access, name="no_access"),
    path("audit/", views.audit_list, name="audit"),
    path("audit/export.csv", views.audit_csv, name="audit_csv"),
]
