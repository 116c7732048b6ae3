from django.apps import AppConfig


class DispatchConfig(AppConfig):
    name = "relaydash.dispatch"
    label = "dispatch"
