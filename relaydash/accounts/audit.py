"""The audit trail of every write relaydash sends to relay.

Services wrap each relay write in `audit_write`; the entry is stored whether the write
succeeds or fails (with relay's status and message), and the exception still propagates
to the caller so the view can show it.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from relaydash.accounts.models import AuditEntry
from relaydash.relay.errors import RelayError


class AuditNote:
    """Lets the caller add what it learns during the write (a new id, the after state)."""

    def __init__(self) -> None:
        self.target_id: str | None = None
        self.after: Any = None


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
    outcome, status, message = AuditEntry.Outcome.OK, None, ""
    try:
        yield note
    except RelayError as error:
        outcome, status, message = AuditEntry.Outcome.FAILED, error.status, error.message
        raise
    except Exception as error:
        outcome, message = AuditEntry.Outcome.FAILED, f"{type(error).__name__}: {error}"
        raise
    finally:
        user = actor if actor.is_authenticated else None
        AuditEntry.objects.create(
            user=user,
            user_email=getattr(user, "email", "") or "",
            user_name=(user.get_full_name() if user is not None and hasattr(user, "get_full_name") else "")
            or getattr(user, "username", "")
            or "",
            operation=operation,
            target_type=target_type,
            target_id=str(note.target_id if note.target_id is not None else (target_id if target_id is not None else "")),
            summary=summary,
            before=before,
            after=note.after if note.after is not None else after,
            outcome=outcome,
            relay_status=status,
            relay_message=message[:2000],
        )
