"""relay's dates as people read them on a page, and as every CSV writes them.

A moment is shown in local time (Europe/Berlin) with Django's localized format; a bare
date (a day) without a made-up time; text relay sent that does not parse, as it is.
Every CSV (orders, customers, audit) writes the one ISO 8601 form of `csv_moment`.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from django.template.defaultfilters import date as date_filter
from django.utils import formats, timezone
from django.utils.translation import get_language

from relaydash.relay.records import Moment, parse_moment


def moment_text(value: Moment, format_name: str = "SHORT_DATETIME_FORMAT") -> str:
    """A relay date as the pages show it; a day in SHORT_DATE_FORMAT whatever is asked."""
    if isinstance(value, dt.datetime):
        return local_text(
            value, formats.get_format(format_name), get_language(), timezone.get_current_timezone()
        )[1]
    if isinstance(value, dt.date):
        return str(date_filter(value, formats.get_format("SHORT_DATE_FORMAT")))
    return value or ""


@lru_cache(maxsize=4096)
def local_text(value: dt.datetime, format_string: str, language: str | None, zone: Any) -> tuple[str, str]:
    """`value` in `zone` as ISO 8601 (what `|date:'c'` gives) and in `format_string`.

    Formatting a date costs more than everything else a date on a page needs, and pages
    show the same relay dates again and again (every view of an order, every list
    page), so the text is kept per date, format, language and time zone: the arguments
    are everything the text depends on, `format_string` being the format already
    resolved for the active language (so a changed FORMAT setting is a new key).
    """
    local = timezone.localtime(value, zone)
    return local.isoformat(), str(date_filter(local, format_string))


def csv_moment(value: Moment | str) -> str:
    """The one date form of every CSV: ISO 8601 in local time with its offset
    ("2026-12-02T14:05:00+01:00"), a day as "2026-12-02". Text is parsed first, so
    relay's many spellings of one moment become one; text that does not parse is kept."""
    if isinstance(value, str):
        value = parse_moment(value)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value, timezone.get_default_timezone()).isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value or ""
