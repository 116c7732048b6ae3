from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "relaydash.accounts"
    label = "accounts"
