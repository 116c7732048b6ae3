from django.urls import URLPattern, URLResolver, path

from relaydash.dispatch import board_views, views

app_name = "dispatch"
urlpatterns: list[URLPattern | URLResolver] = [
    path("start/", views.start, name="start"),
    path("people/", views.people, name="people"),
    path("people/<int:user_id>/hidden/", views.person_hidden, name="person_hidden"),
    path("orders/<int:order_id>/plan/", views.plan, name="plan"),
    path("orders/<int:order_id>/take/", views.take, name="take"),
    path("orders/<int:order_id>/hand-back/", views.hand_back, name="hand_back"),
    path("orders/plan/", views.plan_many, name="plan_many"),
    path("board/", board_views.board, name="board"),
    path("board/move/", board_views.board_move, name="board_move"),
    path("my-day/", board_views.my_day_page, name="my_day"),
    path("my-day/order/", board_views.my_day_reorder, name="my_day_reorder"),
]
