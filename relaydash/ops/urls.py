"""The probes, public (login_not_required on the views). ProbeMiddleware answers these
paths before host validation; the routes make them resolve and reverse as usual."""

from django.urls import URLPattern, path

from relaydash.ops import views

app_name = "ops"
urlpatterns: list[URLPattern] = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
]
