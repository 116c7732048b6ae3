"""CSV files for Excel: the customer list, and the writer the import report shares.

Excel-friendly means: UTF-8 with a byte order mark (or Excel shows "MÃ¼ller"), CRLF line
ends, and a semicolon option (German Excel splits columns on semicolons). Cells that
Excel would run as a formula are neutralised, because relay data is untrusted text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from relaydash.directory.templatetags.directory_tags import country_name, customer_status, origin_label
from relaydash.display.dates import csv_moment
from relaydash.relay.records import Customer

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """Text for one cell; a leading = + - @ gets a ' so Excel shows it instead of running it
    (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_bytes(lines: Iterable[Sequence[object]], *, delimiter: str = ",") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for line in lines:
        writer.writerow([csv_cell(cell) for cell in line])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def delimiter_from(request: HttpRequest, *, default: str) -> str:
    """`?delimiter=semicolon` or `comma`; anything else means the page's default."""
    return {"semicolon": ";", "comma": ","}.get(request.GET.get("delimiter", ""), default)


def csv_response(content: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


def customers_csv(customers: Sequence[Customer], *, delimiter: str = ",") -> bytes:
    """One line per customer, with column headers in the user's language."""

    def lines() -> Iterable[Sequence[object]]:
        yield [
            _("relay id"),
            _("Name"),
            _("Internal id"),
            _("External id"),
            _("Status"),
            _("Status since"),
            _("Origin"),
            _("casavi tenant id"),
            _("casavi contact id"),
            _("Phone"),
            _("Email"),
            _("Street and number"),
            _("Postal code"),
            _("City"),
            _("Country"),
            _("Additional info"),
        ]
        for c in customers:
            a = c.address
            yield [
                c.id,
                c.name,
                c.internal_id,
                c.external_id,
                customer_status(c.status),
                csv_moment(c.status_updated_at),
                origin_label(c.origin),
                c.casavi_tenant_id,
                c.casavi_contact_id,
                c.telephone,
                c.email_address,
                a.street_address if a else "",
                a.postal_code if a else "",
                a.locality if a else "",
                country_name(a.country) if a else "",
                a.additional_info if a else "",
            ]

    return csv_bytes(lines(), delimiter=delimiter)
