"""How the order writes read on the audit page: the order page's labels and values
("Fälligkeit: 02.12.2026 14:05", "Status: Offen → Erledigt") instead of relay's field
names and codes. Registered with accounts when Django starts (OrdersConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from relaydash.accounts.audit import Target, audit_field_register
from relaydash.display.dates import moment_text
from relaydash.orders.status import status_label
from relaydash.relay.records import parse_moment

# The order page's words for the fields a patch changes.
PATCH_FIELD_LABELS = {
    "status": _("Status"),
    "due_date": _("Due date"),
    "internal_id": _("Internal ID"),
    "address": _("Address"),
}


def _due(value: Any) -> str:
    return moment_text(parse_moment(value)) if isinstance(value, str) else str(value)


def _status(value: Any) -> str:
    return status_label(value if isinstance(value, str) else None)


def _field_names(value: Any) -> str:
    names = value if isinstance(value, list) else [value]
    return ", ".join(str(PATCH_FIELD_LABELS.get(str(name), name)) for name in names)


def register_audit_fields() -> None:
    order = Target.ORDER
    audit_field_register(target_type=order, key="status", label=PATCH_FIELD_LABELS["status"], show=_status)
    audit_field_register(target_type=order, key="due_date", label=PATCH_FIELD_LABELS["due_date"], show=_due)
    audit_field_register(target_type=order, key="internal_id", label=PATCH_FIELD_LABELS["internal_id"])
    audit_field_register(target_type=order, key="address", label=PATCH_FIELD_LABELS["address"])
    audit_field_register(target_type=order, key="fields", label=_("Changed"), show=_field_names)
    audit_field_register(target_type=order, key="title", label=_("Title"))
    audit_field_register(target_type=order, key="author", label=_("Author"))
    audit_field_register(target_type=order, key="text", label=_("Comment"))
    audit_field_register(target_type=order, key="files", label=_("Files"))
    audit_field_register(target_type=order, key="name", label=_("Name"))
    audit_field_register(target_type=order, key="content", label=_("Content"))
    audit_field_register(target_type=order, key="position", label=_("Position"))
