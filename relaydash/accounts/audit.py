"""The audit trail of every write relaydash sends to relay.

Services wrap each relay write in `audit_write`; the entry is stored whether the write
succeeds or fails (with relay's status and message), and the exception still propagates
to the caller so the view can show it. The entry says which of four ways it ended: done,
not done, unknown (OutcomeUnknown: relay may have done it) or done after check. What is
stored is made plain JSON on the way in (`jsonable`): a summary names uploaded files and
their sizes, never their contents.
"""

import datetime as dt
import decimal
import enum
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import msgspec
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from relaydash.accounts.models import AuditEntry
from relaydash.relay.errors import OutcomeUnknown, RelayError


class Operation(enum.StrEnum):
    """relay's names of the writes relaydash sends: use these as `operation`."""

    PATCH_ORDER = "PatchOrder"
    CREATE_ORDER_COMMENT = "CreateOrderComment"
    CREATE_ORDER_FIELD = "CreateOrderField"
    CREATE_CUSTOMER = "CreateCustomer"
    CREATE_PROPERTIES = "CreateProperties"
    CREATE_ADDRESS = "CreateAddress"
    # relaydash's own records (relay has no assignment and no people): audited the same way.
    PLAN_ORDER = "PlanOrder"
    REORDER_DAY = "ReorderDay"
    ADD_PERSON = "AddPerson"
    HIDE_PERSON = "HidePerson"


OPERATION_LABELS = {
    Operation.PATCH_ORDER: _("Order changed"),
    Operation.CREATE_ORDER_COMMENT: _("Comment posted"),
    Operation.CREATE_ORDER_FIELD: _("Order field added"),
    Operation.CREATE_CUSTOMER: _("Customer created"),
    Operation.CREATE_PROPERTIES: _("Properties created"),
    Operation.CREATE_ADDRESS: _("Address created"),
    Operation.PLAN_ORDER: _("Assignment or plan changed"),
    Operation.REORDER_DAY: _("Day reordered"),
    Operation.ADD_PERSON: _("Person added"),
    Operation.HIDE_PERSON: _("Person hidden or shown"),
}


class Target(enum.StrEnum):
    """What a write is about: use these as `target_type`. Comments and order fields
    belong to their order (target_id = the order id), so the order page shows them."""

    ORDER = "order"
    CUSTOMER = "customer"
    PROPERTY = "property"
    ADDRESS = "address"
    PERSON = "person"


TARGET_LABELS = {
    Target.ORDER: pgettext_lazy("audit target", "Order"),
    Target.CUSTOMER: pgettext_lazy("audit target", "Customer"),
    Target.PROPERTY: pgettext_lazy("audit target", "Property"),
    Target.ADDRESS: pgettext_lazy("audit target", "Address"),
    Target.PERSON: pgettext_lazy("audit target", "Person"),
}


@dataclass(frozen=True, kw_only=True)
class AuditField:
    """How one key of an entry's summary, before or after reads on the audit page: its
    label, and how its value is shown (as the area's own pages show it)."""

    label: str | Promise
    show: Callable[[Any], str] | None = None


# (target type, key) → how it reads. The areas register their fields when Django starts
# (`audit_field_register` in their AppConfig.ready), so the audit page speaks their
# words without accounts importing them.
AUDIT_FIELDS: dict[tuple[str, str], AuditField] = {}


def audit_field_register(
    *, target_type: str, key: str, label: str | Promise, show: Callable[[Any], str] | None = None
) -> None:
    AUDIT_FIELDS[(str(target_type), key)] = AuditField(label=label, show=show)


def audit_field(*, target_type: str, key: str) -> AuditField | None:
    return AUDIT_FIELDS.get((str(target_type), key))


# Text in a summary is cut here: a summary says what was sent, it is not a copy.
SUMMARY_TEXT_LIMIT = 500


def file_summary(*, files: Iterable[Any]) -> list[dict[str, Any]]:
    """Name and size of each uploaded file, for a summary. Never the contents."""
    return [_describe_file(item) for item in files]


def _describe_file(item: Any) -> dict[str, Any]:
    described: dict[str, Any] = {"name": str(getattr(item, "name", "") or "")}
    size = getattr(item, "size", None)
    if isinstance(size, int):
        described["size"] = size
    return described


def _is_file(value: Any) -> bool:
    return hasattr(value, "name") and (hasattr(value, "read") or hasattr(value, "stream"))


def jsonable(value: Any, *, limit: int | None = None) -> Any:
    """`value` as plain JSON for the audit tables, whatever a service hands over: relay
    records (msgspec Structs), dates, enums. Bytes and files become their size or name
    and size, so no upload's contents end up in the audit trail; text is cut at `limit`."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value if limit is None or len(value) <= limit else value[:limit] + "…"
    if isinstance(value, enum.Enum):
        return jsonable(value.value, limit=limit)
    if isinstance(value, bytes | bytearray | memoryview):
        return {"bytes": len(value)}
    if _is_file(value):
        return _describe_file(value)
    if isinstance(value, msgspec.Struct):
        return jsonable(msgspec.structs.asdict(value), limit=limit)
    if isinstance(value, Mapping):
        return {str(key): jsonable(item, limit=limit) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(item, limit=limit) for item in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return jsonable(str(value), limit=limit)


class AuditNote:
    """Lets the caller add what it learns during the write (a new id, the after state,
    `checked` when the answer was lost and reading relay found the write done)."""

    def __init__(self) -> None:
        self.target_id: str | None = None
        self.after: Any = None
        self.checked = False


@contextmanager
def audit_write(
    *,
    actor: AbstractBaseUser | AnonymousUser,
    operation: str,
    target_type: str,
    target_id: str | int | None,
    summary: dict[str, Any],
    before: Any = None,
    after: Any = None,
) -> Iterator[AuditNote]:
    note = AuditNote()
    # Failed unless the block finishes: an interrupted write is not recorded as done.
    outcome, status, message = AuditEntry.Outcome.FAILED, None, ""
    try:
        yield note
        outcome = AuditEntry.Outcome.CHECKED if note.checked else AuditEntry.Outcome.OK
    except OutcomeUnknown as error:
        outcome, status, message = AuditEntry.Outcome.UNKNOWN, error.status, error.message
        raise
    except RelayError as error:
        outcome, status, message = AuditEntry.Outcome.FAILED, error.status, error.message
        raise
    except Exception as error:
        outcome, message = AuditEntry.Outcome.FAILED, f"{type(error).__name__}: {error}"
        raise
    finally:
        user = actor if actor.is_authenticated else None
        AuditEntry.objects.create(
            user_id=user.pk if user is not None else None,
            user_email=getattr(user, "email", "") or "",
            user_name=(user.get_full_name() if user is not None and hasattr(user, "get_full_name") else "")
            or getattr(user, "username", "")
            or "",
            operation=operation,
            target_type=target_type,
            target_id=str(
                note.target_id if note.target_id is not None else (target_id if target_id is not None else "")
            )[:64],
            summary=jsonable(summary, limit=SUMMARY_TEXT_LIMIT),
            before=jsonable(before),
            after=jsonable(note.after if note.after is not None else after),
            outcome=outcome,
            relay_status=status,
            relay_message=message[:2000],
        )
