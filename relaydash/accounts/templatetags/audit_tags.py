"""How an audit entry reads on a page: its operation, what changed, what was sent."""

import json
from dataclasses import dataclass
from typing import Any

from django import template
from django.template.defaultfilters import filesizeformat
from django.urls import NoReverseMatch, reverse

from relaydash.accounts.audit import TARGET_LABELS, Target
from relaydash.accounts.forms import operation_label
from relaydash.accounts.models import AuditEntry

register = template.Library()

_SHOWN_TEXT = 200


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool | int | float):
        text = str(value)
    else:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= _SHOWN_TEXT else text[:_SHOWN_TEXT] + "…"


@register.filter
def audit_operation(operation: str) -> str:
    return operation_label(operation)


@register.filter
def audit_changes(entry: AuditEntry) -> list[Change]:
    """before → after per field. Patches store only the fields they touch, so every key
    of either side is listed; fields that did not change are left out when some did."""
    before, after = entry.before, entry.after
    if before is None and after is None:
        return []
    if not isinstance(before, dict | None) or not isinstance(after, dict | None):
        return [Change("", _text(before), _text(after))]
    before, after = before or {}, after or {}
    keys = list(dict.fromkeys([*after, *before]))
    changes = [Change(key, _text(before.get(key)), _text(after.get(key))) for key in keys]
    changed = [change for change in changes if change.before != change.after]
    return changed or changes


def _is_file_list(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(item, dict) and "name" in item for item in value)
    )


@register.filter
def audit_summary(summary: Any) -> list[tuple[str, str]]:
    """The request's summary as label/text pairs; file lists read "plan.pdf (1.2 MB)"."""
    if not summary:
        return []
    if not isinstance(summary, dict):
        return [("", _text(summary))]
    lines = []
    for key, value in summary.items():
        if _is_file_list(value):
            text = ", ".join(
                f"{item['name']} ({filesizeformat(item['size'])})" if "size" in item else str(item["name"])
                for item in value
            )
        else:
            text = _text(value)
        lines.append((str(key), text))
    return lines


@register.filter
def audit_target(entry: AuditEntry) -> str:
    """ "Order 4711": what the entry is about, in words."""
    try:
        label = str(TARGET_LABELS[Target(entry.target_type)])
    except ValueError:
        label = entry.target_type
    return f"{label} {entry.target_id}".strip()


@register.filter
def audit_target_url(entry: AuditEntry) -> str:
    """The order's page for entries about an order, when the orders app has one."""
    if entry.target_type != Target.ORDER or not entry.target_id.isdigit():
        return ""
    try:
        return reverse("orders:detail", args=[int(entry.target_id)])
    except NoReverseMatch:
        return ""
