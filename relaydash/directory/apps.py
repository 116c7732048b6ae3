from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "relaydash.directory"
    label = "directory"
