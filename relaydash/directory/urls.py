"""Back office routes: customers, properties, the property import, addresses."""

from django.urls import URLPattern, URLResolver, path

from relaydash.directory import import_views, property_views, views

app_name = "directory"
urlpatterns: list[URLPattern | URLResolver] = [
    path("customers/", views.customer_list, name="customers"),
    path("customers/export.csv", views.customer_export, name="customer_export"),
    path("customers/new/", views.customer_create, name="customer_create"),
    path("customers/<int:customer_id>/", views.customer_detail, name="customer_detail"),
    path("properties/", property_views.property_list, name="properties"),
    path("properties/new/", property_views.property_create, name="property_create"),
    path("properties/<int:property_id>/", property_views.property_detail, name="property_detail"),
    path("properties/<int:property_id>/edit/", property_views.property_edit, name="property_edit"),
    path("properties/import/", import_views.property_import, name="property_import"),
    path(
        "properties/import/template.<str:file_format>",
        import_views.import_template,
        name="property_import_template",
    ),
    path("properties/import/<slug:token>/", import_views.import_job, name="property_import_job"),
    path(
        "properties/import/<slug:token>/confirm/", import_views.import_confirm, name="property_import_confirm"
    ),
    path("properties/import/<slug:token>/step/", import_views.import_step, name="property_import_step"),
    path("properties/import/<slug:token>/stop/", import_views.import_stop, name="property_import_stop"),
    path(
        "properties/import/<slug:token>/<str:kind>.csv",
        import_views.import_report,
        name="property_import_report",
    ),
    path("addresses/new/", views.address_create, name="address_create"),
]
