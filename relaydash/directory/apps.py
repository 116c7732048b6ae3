from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "relaydash.directory"
    label = "directory"

    def ready(self) -> None:
        from relaydash.directory.audit_fields import register_audit_fields

        register_audit_fields()
