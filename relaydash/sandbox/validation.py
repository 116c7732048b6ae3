"""Input checks that make the sandbox refuse bad requests the way a real API does.

Every helper raises `ApiError` with a message naming the exact field ("customer.address.
postalCode is required"), so a client test can tell which rule fired. The checks are
strict on purpose: a bool is not a number, a number is not a string, and a string that
the database could not store (NUL, lone surrogates) is refused here rather than
turning into a 500 later.
"""

import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from django.http.request import RawPostDataException

from relaydash.sandbox.countries import ISO_3166_ALPHA2
from relaydash.sandbox.models import OrderStatus

# The largest id a BIGINT column holds; a larger number cannot name an existing row.
MAX_ID = 2**63 - 1

_DIGITS = re.compile(r"[0-9]+")
_BAD_CHARS = re.compile(r"[\x00\ud800-\udfff]")
# Dates outside these years are mistakes for an order, and refusing them keeps every
# accepted value convertible to UTC (year 1 or 9999 with an offset would overflow).
MIN_YEAR, MAX_YEAR = 1900, 2999
# RFC 3339 section 5.6 date-time; fromisoformat then checks the ranges.
_RFC3339 = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[Tt]"
    r"(?P<hms>[0-9]{2}:[0-9]{2}):(?P<sec>[0-9]{2})(?P<frac>\.[0-9]+)?"
    r"(?P<offset>[Zz]|[+-][0-9]{2}:[0-9]{2})"
)

Json = dict[str, Any]


class ApiError(Exception):
    """A refusal with an HTTP status and relay's `{"message": ...}` body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def bad(message: str) -> ApiError:
    """A 400 for input that is not what the operation takes."""
    return ApiError(400, message)


def not_found(message: str) -> ApiError:
    """A 404 for an id that names nothing."""
    return ApiError(404, message)


def json_object(request: HttpRequest) -> Json:
    """The request body as a JSON object, or a 400/413 saying why it is not one."""
    try:
        raw = request.body
    except RequestDataTooBig as exc:
        raise ApiError(413, "request body is too large") from exc
    except RawPostDataException as exc:
        raise bad("request body could not be read") from exc
    if not raw.strip():
        raise bad("request body must be a JSON object")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise bad("request body is not valid JSON") from exc
    if not isinstance(data, dict):
        raise bad("request body must be a JSON object")
    return data


def path_id(value: str, name: str) -> int:
    """A numeric id from the URL. Non-numeric is a 400; a number too large for any row
    is still a well-formed id, so the caller reports it as not found."""
    if not _DIGITS.fullmatch(value):
        raise bad(f"{name} must be a number")
    return int(value)


def exists_range(value: int) -> bool:
    """Whether an id is small enough to be looked up in a BIGINT column at all."""
    return 0 <= value <= MAX_ID


def text(value: str, where: str) -> str:
    """Refuse characters no database column can hold, instead of failing on save."""
    if _BAD_CHARS.search(value):
        raise bad(f"{where} contains characters that are not allowed (NUL or invalid Unicode)")
    return value


def required_str(obj: Json, key: str, prefix: str = "") -> str:
    """A required, non-empty string field."""
    where = prefix + key
    if key not in obj or obj[key] is None:
        raise bad(f"{where} is required")
    value = obj[key]
    if not isinstance(value, str):
        raise bad(f"{where} must be a string")
    if not value:
        raise bad(f"{where} must not be empty")
    return text(value, where)


def optional_str(obj: Json, key: str, prefix: str = "") -> str | None:
    """An optional string field; absent and null both mean no value."""
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise bad(f"{prefix}{key} must be a string")
    return text(value, prefix + key)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_int(value: object, where: str) -> int:
    """A non-negative integer that fits a BIGINT column (a bool is not a number).

    JSON has one number type, so 5.0 is the integer 5 (as JSON Schema says too);
    5.5 and "5" are not integers.
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not _is_int(value):
        raise bad(f"{where} must be an integer")
    assert isinstance(value, int)
    if not exists_range(value):
        raise bad(f"{where} must be between 0 and {MAX_ID}")
    return value


def required_int(obj: Json, key: str, prefix: str = "") -> int:
    """A required integer field."""
    if key not in obj or obj[key] is None:
        raise bad(f"{prefix}{key} is required")
    return check_int(obj[key], prefix + key)


def optional_int(obj: Json, key: str, prefix: str = "") -> int | None:
    """An optional integer field; absent and null both mean no value."""
    value = obj.get(key)
    if value is None:
        return None
    return check_int(value, prefix + key)


def required_number(obj: Json, key: str, prefix: str = "") -> int | float:
    """A required finite JSON number (integer or decimal, never a bool)."""
    where = prefix + key
    if key not in obj or obj[key] is None:
        raise bad(f"{where} is required")
    value = obj[key]
    if _is_int(value):
        try:
            float(value)
        except OverflowError as exc:
            raise bad(f"{where} is out of range") from exc
        return int(value)
    if isinstance(value, float) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise bad(f"{where} must be a finite number")
        return value
    raise bad(f"{where} must be a number")


def status(value: object, where: str = "status") -> str:
    """One of relay's order statuses; the string "NULL" is one, JSON null is not."""
    if not isinstance(value, str) or value not in OrderStatus.values:
        raise bad(f"{where} must be one of {', '.join(OrderStatus.values)}")
    return value


def date_time(value: object, where: str) -> datetime:
    """An RFC 3339 date-time with offset, returned in UTC."""
    if not isinstance(value, str):
        raise bad(f"{where} must be an RFC 3339 date-time string")
    match = _RFC3339.fullmatch(value)
    if not match:
        raise bad(f"{where} must be an RFC 3339 date-time, e.g. 2026-11-28T09:15:00Z")
    # RFC 3339 allows a leap second (:60); Python cannot represent it, so it becomes :59.
    seconds = "59" if match["sec"] == "60" else match["sec"]
    fraction = (match["frac"] or "")[:7]
    offset = "+00:00" if match["offset"] in "Zz" else match["offset"]
    try:
        parsed = datetime.fromisoformat(f"{match['date']}T{match['hms']}:{seconds}{fraction}{offset}")
    except ValueError as exc:
        raise bad(f"{where} is not a valid date-time") from exc
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise bad(f"{where} must be between the years {MIN_YEAR} and {MAX_YEAR}")
    return parsed.astimezone(UTC)


@dataclass(frozen=True)
class AddressInput:
    """An address as a request gives it (Address / ApiAddress)."""

    street_address: str
    postal_code: str
    locality: str
    country: str
    additional_info: str | None


def address(value: object, where: str) -> AddressInput:
    """Validate an Address object; `where` names it in messages ("customer.address").

    `id` and `accountId` may be sent (the reference shows them) but relay assigns both,
    so they are only type-checked.
    """
    if not isinstance(value, dict):
        raise bad(f"{where} must be an object")
    prefix = f"{where}." if where else ""
    street = required_str(value, "streetAddress", prefix)
    postal = required_str(value, "postalCode", prefix)
    locality = required_str(value, "locality", prefix)
    country = required_str(value, "country", prefix)
    if country not in ISO_3166_ALPHA2:
        raise bad(f"{prefix}country must be an ISO 3166-1 alpha-2 code, e.g. DE")
    info = optional_str(value, "additionalInfo", prefix)
    optional_int(value, "id", prefix)
    optional_int(value, "accountId", prefix)
    return AddressInput(street, postal, locality, country, info)
