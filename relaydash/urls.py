"""Top-level routes. Every page needs login (LoginRequiredMiddleware); the few public
routes (SSO login and callback, the load balancer's probes, the sandbox API with its own Bearer key)
opt out explicitly with `login_not_required`."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("", include("relaydash.orders.urls")),
    path("", include("relaydash.directory.urls")),
    path("", include("relaydash.accounts.urls")),
    path("", include("relaydash.ops.urls")),
    path("", include("relaydash.dispatch.urls")),
    # Public: the language switch is also on the login page.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]

if settings.RELAY_SANDBOX:
    urlpatterns.append(path("sandbox/api/v1/", include("relaydash.sandbox.urls")))
