from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "relaydash.orders"
    label = "orders"
