from django.apps import AppConfig


class DisplayConfig(AppConfig):
    name = "relaydash.display"
    verbose_name = "Display of relay data"
