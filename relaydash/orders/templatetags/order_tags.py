"""Display helpers every order page shares: `{% load order_tags %}`.

    <span class="{{ order|status_class }}">{{ order|status_label }}</span>
    {% with state=order|due_state %}
      <span class="{{ state.css_class }}">{{ order.due|moment }} {{ state.label }}</span>
    {% endwith %}
    {{ order.created|relative_age }}   → "vor 3 Stunden" / "3 hours ago"
    {{ order.due|moment }}             → localized date and time, or relay's text as sent

Filters accept an Order, an OrderStatus or relay's status text, so the list, the detail
page and the export say the same words. The rules live in relaydash.orders.status.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext, ngettext

from relaydash.display import dates
from relaydash.display.templatetags import display_tags
from relaydash.orders import status as order_status
from relaydash.relay.records import Moment, Order, OrderStatus

register = template.Library()

StatusValue = Order | OrderStatus | str | None


@register.filter
def status_label(value: StatusValue) -> str:
    """German/English label of a status ("Offen" / "Open")."""
    return order_status.status_label(value)


@register.filter
def status_class(value: StatusValue) -> str:
    """Badge classes for a status: "badge status-badge status-badge--open"."""
    return order_status.status_css_class(value)


@register.filter
def due_state(order: Order) -> order_status.DueState:
    """The order's due state now (overdue / soon / normal / none), with `.label` and
    `.css_class`."""
    return order_status.order_due_state(order, now=timezone.now())


MAP_SEARCH_URL = "https://www.openstreetmap.org/search?query="


@register.filter
def map_url(address: str) -> str:
    """The Map link for an address in one line ("Hauptstraße 5, 10115 Berlin"): an
    OpenStreetMap search, which every phone opens (in its browser or maps app)."""
    return f"{MAP_SEARCH_URL}{quote(address, safe='')}" if address else ""


# One home for how a relay date reads: relaydash.display.dates (the audit page uses it too).
register.filter("moment", display_tags.moment)


@register.filter
def when(value: dt.date) -> SafeString:
    """A moment as the order page shows it, how long ago with the exact local time:

        <time datetime="{{ m|date:'c' }}">{{ m|relative_age }}</time>
        <span class="muted">({{ m|moment }})</span>

    in one step (joined by one space). A day is shown as its date alone. Only for a
    date; the template shows relay's text otherwise."""
    if not isinstance(value, dt.datetime):
        return format_html('<time datetime="{}">{}</time>', value.isoformat(), dates.moment_text(value))
    iso, text = dates.local_text(
        value,
        formats.get_format("SHORT_DATETIME_FORMAT"),
        get_language(),
        timezone.get_current_timezone(),
    )
    return format_html(
        '<time datetime="{}">{}</time> <span class="muted">({})</span>',
        iso,
        age_text(value, now=timezone.now()),
        text,
    )


def age_text(value: Moment, *, now: dt.datetime) -> str:
    """ "vor 3 Stunden" / "3 hours ago" (or "in 2 days" for a future moment): the
    largest whole unit, as people say it."""
    if not isinstance(value, dt.datetime):
        return dates.moment_text(value)
    seconds = (now - value).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    if seconds < 60:
        return gettext("just now")
    minutes = int(seconds // 60)
    hours = int(seconds // 3600)
    days = int(seconds // 86400)
    if future:
        if minutes < 60:
            return ngettext("in %(num)d minute", "in %(num)d minutes", minutes) % {"num": minutes}
        if hours < 24:
            return ngettext("in %(num)d hour", "in %(num)d hours", hours) % {"num": hours}
        return ngettext("in %(num)d day", "in %(num)d days", days) % {"num": days}
    if minutes < 60:
        return ngettext("%(num)d minute ago", "%(num)d minutes ago", minutes) % {"num": minutes}
    if hours < 24:
        return ngettext("%(num)d hour ago", "%(num)d hours ago", hours) % {"num": hours}
    if days < 14:
        return ngettext("%(num)d day ago", "%(num)d days ago", days) % {"num": days}
    if days < 60:
        weeks = days // 7
        return ngettext("%(num)d week ago", "%(num)d weeks ago", weeks) % {"num": weeks}
    if days < 365:
        months = days // 30
        return ngettext("%(num)d month ago", "%(num)d months ago", months) % {"num": months}
    years = days // 365
    return ngettext("%(num)d year ago", "%(num)d years ago", years) % {"num": years}


@register.filter
def relative_age(value: Moment) -> str:
    """How long ago a moment was, in words ("vor 3 Stunden" / "3 hours ago")."""
    return age_text(value, now=timezone.now())
