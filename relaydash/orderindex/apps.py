from django.apps import AppConfig


class OrderIndexConfig(AppConfig):
    name = "relaydash.orderindex"
    label = "orderindex"
    default_auto_field = "django.db.models.BigAutoField"
