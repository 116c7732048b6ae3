"""Display helpers of the back office pages: `{% load directory_tags %}`.

{{ customer.status|customer_status }}   → "Aktiv" / "Active" (unknown values as sent)
{{ customer.origin|origin_label }}      → "casavi" / "relay" / "API"
{{ address.country|country_name }}      → "Deutschland" / "Germany"
<a href="{{ customer.telephone|tel_href }}">  → "tel:+49301234567"
"""

from __future__ import annotations

from django import template

from relaydash.directory import countries
from relaydash.display import labels, phone

register = template.Library()

# The words for relay's codes and the phone rule live in relaydash.display (the order
# page and the audit page use them too); these names stay for the directory's templates.
customer_status = register.filter("customer_status", labels.customer_status_label)
origin_label = register.filter("origin_label", labels.origin_label)
tel_href = register.filter("tel_href", phone.tel_href)


@register.filter
def country_name(code: str | None) -> str:
    return countries.country_name(code)


@register.filter
def import_outcome(value: str | None) -> str:
    """An import row's outcome in words ("angelegt" / "created")."""
    from relaydash.directory.import_jobs import OUTCOME_LABELS

    return str(OUTCOME_LABELS.get(value or "", value or ""))
