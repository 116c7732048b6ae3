from django.apps import AppConfig


class RelayConfig(AppConfig):
    name = "relaydash.relay"
    label = "relay"
