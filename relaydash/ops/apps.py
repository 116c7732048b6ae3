from typing import Any

from django.apps import AppConfig
from django.core.signals import request_finished


def _forget_request(**kwargs: Any) -> None:
    """No log line after a response is closed carries that request's id and user."""
    from relaydash.ops.logs import current_request

    current_request.set(None)


class OpsConfig(AppConfig):
    name = "relaydash.ops"
    label = "ops"

    def ready(self) -> None:
        request_finished.connect(_forget_request, dispatch_uid="relaydash.ops.forget_request")
