"""relay's data on every page: `{% load display_tags %}`.

    {{ order.title|relay_text }}              → <bdi>title</bdi>, bidi controls removed
    <title>{{ order.title|relay_plain }}</title>  (attributes, <title>: text only)
    <a href="{{ person.telephone|tel_href }}">  → "tel:+4989123456"
    {{ order.type|order_type }}               → "Zählerablesung" / "Meter reading"
    {{ person.type|contact_role }}            → "Eigentümer" / "Owner"
    {{ customer.status|customer_status }}     → "Aktiv" / "Active"
    {{ customer.origin|origin_label }}        → "casavi" / "relay" / "relay API"
    {{ order.due|moment }}                    → "02.12.2026 14:05", a day "02.12.2026"

Codes we do not know are shown as relay sent them. The rules live in the modules of
relaydash.display; these filters only make them reachable from templates.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from relaydash.display import dates, labels, phone, text
from relaydash.relay.records import Moment

register = template.Library()


@register.filter(is_safe=True)
def relay_text(value: object) -> SafeString:
    """relay's text as HTML: escaped, isolated for direction, bidi controls removed."""
    return text.isolated(value)


@register.filter
def relay_plain(value: object) -> str:
    """relay's text without bidi controls, for attributes and <title> (still escaped)."""
    return text.without_bidi_controls(value)


register.filter("tel_href", phone.tel_href)
register.filter("order_type", labels.order_type_label)
register.filter("contact_role", labels.contact_role_label)
register.filter("customer_status", labels.customer_status_label)
register.filter("origin_label", labels.origin_label)


@register.filter
def moment(value: Moment, arg: str = "SHORT_DATETIME_FORMAT") -> str:
    """A relay date in local time with Django's localized format (a day without a time);
    text relay sent that does not parse is shown as it is instead of disappearing."""
    return dates.moment_text(value, arg)
