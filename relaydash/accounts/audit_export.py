"""The audit trail as CSV, for Excel and for scripts.

UTF-8 with a byte order mark, because Excel otherwise reads UTF-8 as the local code page
and mangles every umlaut. The separator follows the language, as Excel's does: `;` in
German (where `,` is the decimal mark), `,` in English. Cells that Excel would run as a
formula (starting with = + - @ or a tab) get a leading apostrophe: names and file names
are typed by people, and a CSV must not become a way to run something on an admin's PC.
"""

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.utils.translation import get_language, pgettext

from relaydash.accounts.models import AuditEntry
from relaydash.display.dates import csv_moment

BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_delimiter() -> str:
    return ";" if (get_language() or "de").startswith("de") else ","


def _cell(value: Any) -> str | int:
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


class _Echo:
    """csv.writer wants a file; this one hands each line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def audit_csv_lines(*, entries: Iterable[AuditEntry]) -> Iterator[str]:
    """The header and one line per entry, streamed: the trail can be long."""
    writer = csv.writer(_Echo(), delimiter=csv_delimiter(), lineterminator="\r\n")
    header = [
        pgettext("audit csv", "Time"),
        pgettext("audit csv", "Name"),
        pgettext("audit csv", "Email"),
        pgettext("audit csv", "Operation"),
        pgettext("audit csv", "Target type"),
        pgettext("audit csv", "Target id"),
        pgettext("audit csv", "Outcome"),
        pgettext("audit csv", "relay status"),
        pgettext("audit csv", "relay message"),
        pgettext("audit csv", "Summary"),
        pgettext("audit csv", "Before"),
        pgettext("audit csv", "After"),
    ]
    yield BOM + writer.writerow(header)
    for entry in entries:
        yield writer.writerow(
            [
                csv_moment(entry.created_at),
                _cell(entry.user_name),
                _cell(entry.user_email),
                _cell(entry.operation),
                _cell(entry.target_type),
                _cell(entry.target_id),
                _cell(entry.outcome),
                _cell(entry.relay_status),
                _cell(entry.relay_message),
                _cell(entry.summary or None),
                _cell(entry.before),
                _cell(entry.after),
            ]
        )
