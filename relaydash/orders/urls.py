from django.urls import URLPattern, URLResolver, path

from relaydash.orders import detail_views, list_views

app_name = "orders"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", list_views.order_list, name="home"),
    path("orders/", list_views.order_list, name="list"),
    path("orders/export.csv", list_views.order_export, name="export"),
    path("orders/refresh/", list_views.order_list_refresh, name="list_refresh"),
    path("orders/<int:order_id>/", detail_views.order_detail, name="detail"),
    path("orders/<int:order_id>/patch/", detail_views.order_patch, name="patch"),
    path("orders/<int:order_id>/comments/", detail_views.order_comments, name="comments"),
    path("orders/<int:order_id>/comments/new/", detail_views.order_comment_create, name="comment_create"),
    path("orders/<int:order_id>/fields/new/", detail_views.order_field_create, name="field_create"),
    path("orders/<int:order_id>/parts/<str:part>/", detail_views.order_part, name="part"),
]
