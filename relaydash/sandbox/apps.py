from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "relaydash.sandbox"
    label = "sandbox"
