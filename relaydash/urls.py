"""Top-level routes. Every page needs login (LoginRequiredMiddleware); the few public
routes (SSO login and callback, health check, the sandbox API with its own Bearer key)
opt out explicitly with `login_not_required`."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("relaydash.orders.urls")),
    path("", include("relaydash.directory.urls")),
    path("", include("relaydash.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

if settings.RELAY_SANDBOX:
    urlpatterns.append(path("sandbox/api/v1/", include("relaydash.sandbox.urls")))
