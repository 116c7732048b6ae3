"""Log lines an operator can search: one JSON object per event, or a plain line for `make run`.

Every record gets the request it belongs to (request id, user) from a context variable the
RequestIdMiddleware sets, so a line logged deep inside the relay client still says which
request and whose it was. The relay client adds the relay operation (`relay_operation`)
as a structured field. gunicorn's access log uses the same formatter (deploy/gunicorn.conf.py):
its access records carry gunicorn's request atoms, which become fields (method, path,
status, duration, the request id from the response header).

This module imports nothing from Django at import time: gunicorn's master process reads
the logging configuration before any Django setup.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

LogFormat = Literal["plain", "json"]

# Field names a caller may pass with `extra=` and the formatter copies into the line.
STRUCTURED_FIELDS = ("relay_operation",)


@dataclass(frozen=True)
class RequestContext:
    """What every log line of one request carries."""

    request_id: str
    request: Any = None
    """The HttpRequest, read only for a user that is already known (never loads it)."""

    def user(self) -> str:
        from django.utils.functional import empty

        user = getattr(self.request, "user", None) if self.request is not None else None
        # request.user is a lazy object: only a user some code already loaded is named,
        # so logging never queries the database.
        wrapped = getattr(user, "_wrapped", user)
        if wrapped is None or wrapped is empty:
            return ""
        if not getattr(wrapped, "is_authenticated", False):
            return ""
        return str(wrapped.get_username())


current_request: ContextVar[RequestContext | None] = ContextVar("relaydash_request", default=None)


class RequestContextFilter(logging.Filter):
    """Puts `request_id` and `user` on every record (empty outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = current_request.get()
        record.request_id = context.request_id if context else ""
        record.user = context.user() if context else ""
        return True


def _access_fields(atoms: Mapping[str, Any]) -> dict[str, Any]:
    """gunicorn's access atoms (glogging.Logger.atoms) as named fields."""

    def atom(key: str) -> Any:
        value = atoms.get(key, "-")
        return value.replace('\\"', '"') if isinstance(value, str) else value

    return {
        "remote_addr": atom("h"),
        "method": atom("m"),
        "path": atom("U"),
        "query": atom("q"),
        "status": int(atom("s")) if str(atom("s")).isdigit() else atom("s"),
        "bytes": atom("B"),
        "duration_ms": round(atom("D") / 1000, 1) if isinstance(atom("D"), int) else None,
        "user_agent": atom("a"),
        "referer": atom("f"),
        "request_id": atom("{x-request-id}o"),
    }


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id,
    user, the structured fields present, and the exception if there is one."""

    def format(self, record: logging.LogRecord) -> str:
        atoms = record.args if record.name == "gunicorn.access" else None
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        if isinstance(atoms, Mapping):
            fields = _access_fields(atoms)
            line["message"] = f"{fields['method']} {fields['path']} {fields['status']}"
            line.update(fields)
        else:
            line["message"] = record.getMessage()
            line["request_id"] = getattr(record, "request_id", "")
            line["user"] = getattr(record, "user", "")
        for name in STRUCTURED_FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def logging_config(*, log_format: LogFormat, level: str) -> dict[str, Any]:
    """The LOGGING dict for Django (and gunicorn's logconfig_dict): one console handler in
    the chosen format, the request context on every record."""
    formatter: dict[str, Any] = {"()": JsonFormatter} if log_format == "json" else {"format": PLAIN_FORMAT}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_context": {"()": RequestContextFilter}},
        "formatters": {"relaydash": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "relaydash",
                "filters": ["request_context"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # gunicorn's own loggers, when this dict configures gunicorn: same handler.
            "gunicorn.error": {"handlers": ["console"], "level": level, "propagate": False},
            "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }
