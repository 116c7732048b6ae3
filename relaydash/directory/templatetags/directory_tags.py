"""Display helpers of the back office pages: `{% load directory_tags %}`.

{{ customer.status|customer_status }}   → "Aktiv" / "Active" (unknown values as sent)
{{ customer.origin|origin_label }}      → "casavi" / "relay" / "API"
{{ address.country|country_name }}      → "Deutschland" / "Germany"
<a href="{{ customer.telephone|tel_href }}">  → "tel:+49301234567"
"""

from __future__ import annotations

import re

from django import template
from django.utils.translation import gettext_lazy as _

from relaydash.directory import countries

register = template.Library()

CUSTOMER_STATUS_LABELS = {
    "ACTIVE": _("Active"),
    "INACTIVE": _("Inactive"),
    "BLOCKED": _("Blocked"),
    "DELETED": _("Deleted"),
}
ORIGIN_LABELS = {
    "CASAVI": _("casavi"),
    "RELAY": _("relay"),
    "API": _("relay API"),
}


@register.filter
def customer_status(value: str | None) -> str:
    """A customer status in words; relay documents no list, so others are shown as sent."""
    if not value:
        return str(_("Unknown"))
    return str(CUSTOMER_STATUS_LABELS.get(value.upper(), value))


@register.filter
def origin_label(value: str | None) -> str:
    if not value:
        return str(_("Unknown"))
    return str(ORIGIN_LABELS.get(value.upper(), value))


@register.filter
def country_name(code: str | None) -> str:
    return countries.country_name(code)


@register.filter
def tel_href(value: str | None) -> str:
    """A tel: link for a phone number as people write it ("+49 (0)30 123-45")."""
    if not value:
        return ""
    text = value.strip().replace("(0)", "")
    digits = re.sub(r"[^\d+]", "", text)
    digits = digits[:1] + digits[1:].replace("+", "")
    return f"tel:{digits}"


@register.filter
def import_outcome(value: str | None) -> str:
    """An import row's outcome in words ("angelegt" / "created")."""
    from relaydash.directory.import_jobs import OUTCOME_LABELS

    return str(OUTCOME_LABELS.get(value or "", value or ""))
