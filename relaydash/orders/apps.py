from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "relaydash.orders"
    label = "orders"

    def ready(self) -> None:
        from relaydash.orders.audit_fields import register_audit_fields

        register_audit_fields()
