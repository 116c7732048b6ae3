"""Writes from the order detail page to relay: patch an order, post a comment, add a field.

Every write goes through `accounts.audit.audit_write`, because relay only knows the
company's API key and relaydash must record who did what. Patches are guarded against
lost updates: relay has no conditional writes, so the order is re-read right before the
patch and the patch is refused when relay's `updatedAt` differs from what the user saw.

A write whose answer was lost (OutcomeUnknown) is never guessed: each function here
reads relay right away for what it sent (the patched values, a comment with this text
and author created since the attempt, a field with this name, content and position).
Found: done (the audit says "done after check"). Not found: NotSaved, and a retry is
safe. Unreadable: OutcomeUnknown again. A retry (`retry_since`: when the first attempt
was made) first looks the same way and sends only when relay does not have it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import msgspec
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.files.uploadedfile import UploadedFile

from relaydash.accounts.audit import Operation, Target, audit_write, file_summary
from relaydash.orderindex.sync import index_note_comment, index_refresh_order
from relaydash.relay.client import RelayClient
from relaydash.relay.errors import OutcomeUnknown
from relaydash.relay.outcomes import look_after_unknown, look_before_retry
from relaydash.relay.records import (
    Address,
    AddressInput,
    Comment,
    Order,
    OrderFieldInput,
    OrderPatch,
    UploadFile,
    parse_moment,
)

# The parts of an order a patch can change, in the order the page lists them.
PATCH_FIELDS: Final = ("status", "due_date", "internal_id", "address")
# How much of a comment the audit trail keeps: enough to recognise it.
AUDIT_TEXT_LIMIT: Final = 1000
# relay's clock and ours may differ: a comment up to this much older than the attempt
# still counts as made by it.
CLOCK_SKEW: Final = dt.timedelta(minutes=5)
# What the audit summary says when a retry found the first attempt done in relay.
RETRY_FOUND: Final = "found in relay; not sent again"


class OrderChanged(Exception):
    """The order changed in relay after the user loaded it; nothing was patched.

    `current` is the order as relay has it now, so the page can show what changed and
    offer the user's change again against the new state.
    """

    def __init__(self, *, current: Order) -> None:
        super().__init__(f"order {current.id} changed meanwhile (updatedAt {current.updated_at})")
        self.current = current


@dataclass(frozen=True)
class PatchResult:
    """The order after the patch and the parts that really changed (empty when the
    user submitted what the order already had, and nothing was sent). `local`: relay
    confirmed the patch and the order is the one read before it with the patch applied
    (not read again: its updatedAt is the one the patch started from)."""

    order: Order
    changed: tuple[str, ...]
    local: bool = False


@dataclass(frozen=True)
class Change:
    """One part that differs between what the user saw and what relay has now."""

    field: str
    before: Any
    now: Any


def comment_author_name(user: AbstractBaseUser | AnonymousUser) -> str:
    """The name relay shows as the comment's author: the person's full name, else what
    identifies them (username, e-mail)."""
    full_name = user.get_full_name().strip() if hasattr(user, "get_full_name") else ""
    return full_name or getattr(user, "username", "") or getattr(user, "email", "") or "relaydash"


def _address_values(address: Address | AddressInput | None) -> dict[str, str] | None:
    if address is None:
        return None
    return {
        "street_address": address.street_address or "",
        "postal_code": address.postal_code or "",
        "locality": address.locality or "",
        "country": (address.country or "").upper(),
        "additional_info": address.additional_info or "",
    }


def _same_moment(text: str | None, value: dt.datetime) -> bool:
    current = parse_moment(text)
    return isinstance(current, dt.datetime) and current == value


def _address_text(address: Address | AddressInput | None) -> str | None:
    """An address in one line with everything relay stores, for the audit trail."""
    values = _address_values(address)
    if values is None:
        return None
    place = " ".join(p for p in (values["postal_code"], values["locality"]) if p)
    parts = [values["street_address"], place, values["country"], values["additional_info"]]
    return ", ".join(p for p in parts if p)


def _patch_values(patch: OrderPatch) -> dict[str, Any]:
    """The fields a patch sets, as JSON-friendly values (for the audit trail)."""
    values: dict[str, Any] = {}
    if not isinstance(patch.status, msgspec.UnsetType):
        values["status"] = patch.status.value
    if not isinstance(patch.due_date, msgspec.UnsetType):
        values["due_date"] = patch.due_date.isoformat()
    if not isinstance(patch.internal_id, msgspec.UnsetType):
        values["internal_id"] = patch.internal_id
    if not isinstance(patch.address, msgspec.UnsetType):
        values["address"] = _address_text(patch.address)
    return values


def _order_values(order: Order, fields: Sequence[str]) -> dict[str, Any]:
    """The same fields as relay has them on `order` (the audit trail's "before")."""
    values: dict[str, Any] = {}
    for name in fields:
        if name == "status":
            values[name] = order.status_text
        elif name == "due_date":
            values[name] = order.due_date
        elif name == "internal_id":
            values[name] = order.internal_id
        elif name == "address":
            values[name] = _address_text(order.address)
    return values


def _without_unchanged(patch: OrderPatch, order: Order) -> OrderPatch:
    """The patch minus what the order already has: re-sending a value changes nothing
    in relay but would bump updatedAt and make everyone else's form stale."""
    drop: dict[str, Any] = {}
    if not isinstance(patch.status, msgspec.UnsetType) and order.status_text == patch.status.value:
        drop["status"] = msgspec.UNSET
    if not isinstance(patch.due_date, msgspec.UnsetType) and _same_moment(order.due_date, patch.due_date):
        drop["due_date"] = msgspec.UNSET
    internal_id = patch.internal_id
    if not isinstance(internal_id, msgspec.UnsetType) and (order.internal_id or "") == internal_id:
        drop["internal_id"] = msgspec.UNSET
    if not isinstance(patch.address, msgspec.UnsetType) and _address_values(order.address) == _address_values(
        patch.address
    ):
        drop["address"] = msgspec.UNSET
    return msgspec.structs.replace(patch, **drop) if drop else patch


def _applied_locally(order: Order, patch: OrderPatch) -> Order:
    """`order` with the patch applied, for when the patch went through but relay could
    not be read back. updatedAt stays the old one, so the next patch re-checks."""
    values: dict[str, Any] = {}
    if not isinstance(patch.status, msgspec.UnsetType):
        values["status_text"] = patch.status.value
    if not isinstance(patch.due_date, msgspec.UnsetType):
        values["due_date"] = patch.due_date.isoformat()
    if not isinstance(patch.internal_id, msgspec.UnsetType):
        values["internal_id"] = patch.internal_id
    if not isinstance(patch.address, msgspec.UnsetType):
        values["address"] = Address(**msgspec.structs.asdict(patch.address))
    return msgspec.structs.replace(order, **values)


def order_patch(
    *,
    client: RelayClient,
    actor: AbstractBaseUser | AnonymousUser,
    order_id: int,
    changes: OrderPatch,
    seen_updated_at: str,
    seen: dict[str, Any] | None = None,
    retry: bool = False,
) -> PatchResult:
    """Patch the order unless it changed since the user saw it (`seen_updated_at`).

    Raises OrderChanged (nothing sent) when relay's updatedAt differs, and the relay
    errors of the read or the patch; when the patch's answer was lost, relay's values
    decide (see the module docstring). With `retry` (the user sends a patch again whose
    outcome was unknown), an order that already has the values is the earlier patch
    done: nothing is sent. The audit entry records before → after of the parts that change.

    Two relay calls in a row, not three: a patch relay confirms (its documented `0`) is
    not read back; the page gets the order it saw with the patch applied and keeps the
    updatedAt the patch started from, marked in its signed snapshot `seen`
    (`own_patch_from`). The next patch then accepts that relay's updatedAt moved on when
    relay still has exactly the values that snapshot shows (the page's own patch moved
    it): no lost update, since a patch only sends the parts it changes and any other
    change to a part the page shows is still a conflict.
    """
    if retry:
        current = look_before_retry(Operation.PATCH_ORDER, lambda: client.get_order(order_id))
        assert current is not None  # get_order returns an order or raises
        wanted = tuple(name for name in PATCH_FIELDS if name in _patch_values(changes))
        if wanted and not _patch_values(_without_unchanged(changes, current)):
            _audit_found(
                actor, Operation.PATCH_ORDER, order_id, {"fields": list(wanted)}, _patch_values(changes)
            )
            index_refresh_order(order=current)
            return PatchResult(order=current, changed=wanted)
    else:
        current = client.get_order(order_id)
    if (current.updated_at or "") != seen_updated_at and not _moved_by_own_patch(
        seen, seen_updated_at, current
    ):
        raise OrderChanged(current=current)
    patch = _without_unchanged(changes, current)
    after = _patch_values(patch)
    if not after:
        return PatchResult(order=current, changed=())
    fields = tuple(name for name in PATCH_FIELDS if name in after)
    with audit_write(
        actor=actor,
        operation=Operation.PATCH_ORDER,
        target_type=Target.ORDER,
        target_id=order_id,
        summary={"fields": list(fields), "title": current.title or ""},
        before=_order_values(current, fields),
        after=after,
    ) as note:
        try:
            client.patch_order(order_id, patch)
        except OutcomeUnknown as error:
            fresh = look_after_unknown(
                error, lambda: order_patched_find(client=client, order_id=order_id, patch=patch)
            )
            note.checked = True
            index_refresh_order(order=fresh)
            return PatchResult(order=fresh, changed=fields)
    fresh = _applied_locally(current, patch)
    index_refresh_order(order=fresh)  # the list shows the change at once, not after the next sync
    return PatchResult(order=fresh, changed=fields, local=True)


def _moved_by_own_patch(seen: dict[str, Any] | None, seen_updated_at: str, current: Order) -> bool:
    """True when the page's own confirmed patch explains why relay's updatedAt is no
    longer `seen_updated_at`: the snapshot says so and relay has what it shows."""
    if not seen or not seen_updated_at or seen.get("own_patch_from") != seen_updated_at:
        return False
    return not order_changes(seen=seen, current=current)


def order_patched_find(*, client: RelayClient, order_id: int, patch: OrderPatch) -> Order | None:
    """The order, when relay has every value `patch` sets (the patch was done), else None."""
    order = client.get_order(order_id)
    return order if not _patch_values(_without_unchanged(patch, order)) else None


def _audit_found(
    actor: AbstractBaseUser | AnonymousUser,
    operation: str,
    order_id: int,
    summary: dict[str, Any],
    after: Any,
) -> None:
    """The trail's entry for a retry that found its first attempt done: nothing sent."""
    with audit_write(
        actor=actor,
        operation=operation,
        target_type=Target.ORDER,
        target_id=order_id,
        summary={**summary, "retry": RETRY_FOUND},
        after=after,
    ) as note:
        note.checked = True


def order_changes(*, seen: dict[str, Any] | None, current: Order) -> list[Change]:
    """What differs between the snapshot the user saw and the order now, part by part.

    Empty when the snapshot is missing or when only something else changed (relay bumps
    updatedAt for changes the page does not patch, too).
    """
    if not seen:
        return []
    changes: list[Change] = []
    if (seen.get("status") or None) != (current.status_text or None):
        changes.append(Change("status", seen.get("status"), current.status_text))
    seen_due = parse_moment(seen.get("due_date"))
    if seen_due != current.due:
        changes.append(Change("due_date", seen_due, current.due))
    if (seen.get("internal_id") or "") != (current.internal_id or ""):
        changes.append(Change("internal_id", seen.get("internal_id") or "", current.internal_id or ""))
    seen_address = snapshot_address(seen.get("address"))
    if _address_values(seen_address) != _address_values(current.address):
        changes.append(
            Change(
                "address",
                seen_address.one_line if seen_address else "",
                current.address.one_line if current.address else "",
            )
        )
    return changes


_ADDRESS_KEYS: Final = frozenset({"street_address", "postal_code", "locality", "country", "additional_info"})


def snapshot_address(values: Any) -> Address | None:
    if not isinstance(values, dict):
        return None
    text = {k: v if isinstance(v, str) else None for k, v in values.items() if k in _ADDRESS_KEYS}
    return Address(
        street_address=text.get("street_address"),
        postal_code=text.get("postal_code"),
        locality=text.get("locality"),
        country=text.get("country"),
        additional_info=text.get("additional_info"),
    )


def _upload(file: UploadedFile) -> UploadFile:
    """Django's upload as the client streams it: from the temporary file or memory
    buffer Django already holds, never read into a bytes object here."""
    file.seek(0)
    return UploadFile(
        name=file.name or "file",
        stream=file.file,  # type: ignore[arg-type]
        size=file.size or 0,
        content_type=file.content_type or "application/octet-stream",
    )


def order_comment_find(
    *, client: RelayClient, order_id: int, text: str, author: str, since: dt.datetime
) -> Comment | None:
    """The newest comment on the order with this text and author, created since `since`
    (less CLOCK_SKEW; a comment whose time relay did not send counts too), else None."""
    earliest = since - CLOCK_SKEW
    for comment in reversed(client.get_order_comments(order_id)):
        created = parse_moment(comment.created_at)
        recent = not isinstance(created, dt.datetime) or created >= earliest
        if comment.text == text and comment.author == author and recent:
            return comment
    return None


def order_comment_create(
    *,
    client: RelayClient,
    actor: AbstractBaseUser | AnonymousUser,
    order_id: int,
    text: str,
    files: Sequence[UploadedFile] = (),
    attempted_at: dt.datetime,
    retry: bool = False,
) -> int:
    """Post a comment as the signed-in person (relay shows it to the property manager).

    Returns relay's new comment id. `attempted_at`: when the user first sent it (the
    look after a lost answer, and before a `retry`, counts comments since then). The
    audit entry holds the text and each file's name and size, never file contents.
    """
    author = comment_author_name(actor)
    uploads = [_upload(f) for f in files]
    summary = {
        "author": author,
        "text": text[:AUDIT_TEXT_LIMIT],
        "files": file_summary(files=uploads),
    }

    def look() -> Comment | None:
        return order_comment_find(
            client=client, order_id=order_id, text=text, author=author, since=attempted_at
        )

    if retry and (found := look_before_retry(Operation.CREATE_ORDER_COMMENT, look)) is not None:
        _audit_found(actor, Operation.CREATE_ORDER_COMMENT, order_id, summary, {"id": found.id})
        index_note_comment(order_id=order_id)
        return found.id or 0
    with audit_write(
        actor=actor,
        operation=Operation.CREATE_ORDER_COMMENT,
        target_type=Target.ORDER,
        target_id=order_id,
        summary=summary,
    ) as note:
        try:
            comment_id = client.create_order_comment(order_id, text=text, author_name=author, files=uploads)
        except OutcomeUnknown as error:
            found = look_after_unknown(error, look)
            note.checked, note.after = True, {"id": found.id}
            comment_id = found.id or 0
    index_note_comment(order_id=order_id)  # the list counts it at once
    return comment_id


def order_field_create(
    *,
    client: RelayClient,
    actor: AbstractBaseUser | AnonymousUser,
    order_id: int,
    name: str,
    content: str,
    position: int | float,
    retry: bool = False,
) -> OrderFieldInput:
    """Add a name/content field to the order at `position`; returns relay's echo (or
    the field as sent, when its answer was lost and relay has it). `retry`: see the
    module docstring."""
    field = OrderFieldInput(name=name, content=content, position=position, order_id=order_id)
    summary = {"name": name, "content": content[:AUDIT_TEXT_LIMIT], "position": position}

    def look() -> OrderFieldInput | None:
        return field if order_field_find(client=client, field=field) else None

    if retry and look_before_retry(Operation.CREATE_ORDER_FIELD, look) is not None:
        _audit_found(actor, Operation.CREATE_ORDER_FIELD, order_id, summary, None)
        return field
    with audit_write(
        actor=actor,
        operation=Operation.CREATE_ORDER_FIELD,
        target_type=Target.ORDER,
        target_id=order_id,
        summary=summary,
    ) as note:
        try:
            return client.create_order_field(field)
        except OutcomeUnknown as error:
            found = look_after_unknown(error, look)
            note.checked = True
            return found


def order_field_find(*, client: RelayClient, field: OrderFieldInput) -> bool:
    """True when the order has a field with this name, content and position."""
    order = client.get_order(field.order_id)
    return any(
        f.name == field.name and f.content == field.content and f.position == field.position
        for f in order.fields
    )


__all__ = [
    "Change",
    "OrderChanged",
    "PatchResult",
    "comment_author_name",
    "order_changes",
    "order_comment_create",
    "order_comment_find",
    "order_field_create",
    "order_field_find",
    "order_patch",
    "order_patched_find",
]
