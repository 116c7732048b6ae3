"""The order list as CSV, made for Excel.

German Excel opens a double-clicked .csv with the list separator of the system locale,
which is ";" in Germany, and reads it as UTF-8 only when the file starts with a byte
order mark. So the default is semicolons with a BOM; `?sep=comma` gives commas for other
tools. Dates are local (Europe/Berlin) "2026-11-28 14:30", which Excel reads as dates.

relay text is untrusted: a cell starting with "=", "+", "-", "@" (or a tab / carriage
return) would be run as a formula by spreadsheet programs, so such cells get a leading
apostrophe (OWASP's advice against CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from enum import StrEnum
from typing import Final

from django.utils.translation import gettext_lazy as _

from relaydash.display.dates import csv_moment
from relaydash.orders.selectors import OrderRow
from relaydash.orders.status import status_label
from relaydash.relay.records import Moment

BOM: Final = "\ufeff"
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


class CsvDialect(StrEnum):
    SEMICOLON = ";"
    COMMA = ","


COLUMNS: Final = (
    _("Order number"),
    _("Title"),
    _("Status"),
    _("Status code"),
    _("Due date"),
    _("Due state"),
    _("Created"),
    _("Updated"),
    _("Internal ID"),
    _("Type"),
    _("Street"),
    _("Postal code"),
    _("City"),
    _("Customer"),
    _("Contact persons"),
    _("Comments"),
    _("Last comment"),
)


def cell(value: object) -> str:
    """Text for one cell, defused against formula injection."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def moment_cell(value: Moment) -> str:
    """A date in the one ISO 8601 form every CSV writes (relaydash.display.dates)."""
    return cell(csv_moment(value))


def orders_csv(*, rows: Sequence[OrderRow], dialect: CsvDialect) -> str:
    """The whole file as text, BOM first."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=dialect.value, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([str(title) for title in COLUMNS])
    for row in rows:
        order = row.order
        address = order.address
        writer.writerow(
            [
                cell(order.id),
                cell(order.title),
                cell(status_label(order)),
                cell(order.status_text),
                moment_cell(order.due),
                cell(row.due_state.label),
                moment_cell(order.created),
                moment_cell(order.updated),
                cell(order.internal_id),
                cell(order.type),
                cell(address.street_address if address else ""),
                cell(address.postal_code if address else ""),
                cell(address.locality if address else ""),
                cell(row.customer_name),
                cell(", ".join(p.name for p in order.contact_persons if p.name)),
                row.comment_count,
                moment_cell(row.last_comment_at),
            ]
        )
    return buffer.getvalue()
