"""How an audit entry reads on a page: its operation, what changed, what was sent.

In the words of the area's own pages: field labels and values as the areas register
them (accounts.audit.audit_field_register), dates formatted, never raw JSON.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django import template
from django.template.defaultfilters import filesizeformat
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from relaydash.accounts.audit import AUDIT_FIELDS, TARGET_LABELS, Target, audit_field
from relaydash.accounts.forms import operation_label
from relaydash.accounts.models import AuditEntry
from relaydash.display.dates import moment_text
from relaydash.relay.records import parse_moment

register = template.Library()

_SHOWN_TEXT = 200


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str
    label: str = ""


# Keys whose text is a date relay or relaydash wrote (due_date, createdAt, ...).
_DATE_KEY = re.compile(r"(_date|Date|_at|At)$")


def _text(value: Any, *, target_type: str = "", key: str = "") -> str:
    """A stored value as the area's pages show it: the registered way for its key, a
    date formatted, a yes/no in words, a record as "label: value" pairs; never JSON."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    text = _words(value, target_type=target_type, key=key)
    return text if len(text) <= _SHOWN_TEXT else text[:_SHOWN_TEXT] + "…"


def _words(value: Any, *, target_type: str, key: str) -> str:
    field = audit_field(target_type=target_type, key=key) if key else None
    if field is not None and field.show is not None:
        return field.show(value)
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, str) and _DATE_KEY.search(key):
        return moment_text(parse_moment(value))
    if isinstance(value, Mapping):
        parts = [
            f"{_label(target_type, name)}: {_words(value[name], target_type=target_type, key=name)}"
            for name in _in_field_order(target_type, value)
            if value[name] is not None and value[name] != ""
        ]
        return "; ".join(parts)
    if isinstance(value, list | tuple):
        separator = " | " if any(isinstance(item, Mapping) for item in value) else ", "
        return separator.join(_words(item, target_type=target_type, key=key) for item in value)
    return str(value)


def _in_field_order(target_type: str, keys: Iterable[str]) -> list[str]:
    """`keys` in the order their area registered them (as its pages list them), then the
    unregistered ones as stored: PostgreSQL's jsonb does not keep the order they were
    written in."""
    order = {key: n for n, (kind, key) in enumerate(AUDIT_FIELDS) if kind == str(target_type)}
    listed = list(dict.fromkeys(keys))
    return sorted(listed, key=lambda key: (order.get(key, len(order)), listed.index(key)))


def _label(target_type: str, key: str) -> str:
    """The field's label on the area's pages; an unregistered key as it is stored."""
    field = audit_field(target_type=target_type, key=key)
    return str(field.label) if field is not None else key


@register.filter
def audit_operation(operation: str) -> str:
    return operation_label(operation)


@register.filter
def audit_changes(entry: AuditEntry) -> list[Change]:
    """before → after per field. Patches store only the fields they touch, so every key
    of either side is listed; fields that did not change are left out when some did."""
    before, after = entry.before, entry.after
    kind = entry.target_type
    if before is None and after is None:
        return []
    if not isinstance(before, dict | None) or not isinstance(after, dict | None):
        return [Change("", _text(before, target_type=kind), _text(after, target_type=kind))]
    before, after = before or {}, after or {}
    keys = _in_field_order(kind, [*after, *before])
    changes = [
        Change(
            key,
            _text(before.get(key), target_type=kind, key=key),
            _text(after.get(key), target_type=kind, key=key),
            _label(kind, key),
        )
        for key in keys
    ]
    changed = [change for change in changes if change.before != change.after]
    return changed or changes


def _is_file_list(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(item, dict) and "name" in item for item in value)
    )


@register.filter
def audit_summary(entry: AuditEntry) -> list[tuple[str, str]]:
    """The request's summary as label/text pairs; file lists read "plan.pdf (1.2 MB)"."""
    summary, kind = entry.summary, entry.target_type
    if not summary:
        return []
    if not isinstance(summary, dict):
        return [("", _text(summary, target_type=kind))]
    lines = []
    for key in _in_field_order(kind, summary):
        value = summary[key]
        if _is_file_list(value):
            text = ", ".join(
                f"{item['name']} ({filesizeformat(item['size'])})" if "size" in item else str(item["name"])
                for item in value
            )
        else:
            text = _text(value, target_type=kind, key=str(key))
        lines.append((_label(kind, str(key)), text))
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
