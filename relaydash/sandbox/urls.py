"""Routes of the sandbox relay, mounted at /sandbox/api/v1/ by relaydash/urls.py.

Paths have no trailing slash, as relay's. Ids are captured as strings so that the
view, not the URL resolver, refuses a non-numeric id with relay's JSON 400; every other
path under the mount gets relay's JSON 404 instead of Django's HTML page.
"""

from django.urls import URLPattern, URLResolver, path, re_path

from relaydash.sandbox import views

app_name = "sandbox"
urlpatterns: list[URLPattern | URLResolver] = [
    path("addresses", views.addresses, name="addresses"),
    path("customers", views.customers, name="customers"),
    path("properties", views.properties, name="properties"),
    path("properties/<str:property_id>", views.property_detail, name="property"),
    path("orders", views.orders, name="orders"),
    path("orders/<str:order_id>", views.order_detail, name="order"),
    path("orders/<str:order_id>/comments", views.order_comments, name="order-comments"),
    path("order-fields", views.order_fields, name="order-fields"),
    re_path(r"^", views.unknown, name="unknown"),
]
