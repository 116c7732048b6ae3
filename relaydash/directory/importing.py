"""Reading a property import file: pure functions from bytes to checked rows.

Back-office staff keep their properties in Excel. Excel writes CSV with semicolons (German
Windows) or commas, in UTF-8 with or without a BOM (or in Windows-1252 with the plain
"CSV" choice), and drops leading zeros from postal codes; it can also save XLSX. This
module accepts all of that, maps the header row to relay's CreateProperties fields
(relay's names, or the German words people use), and checks every row on its own so a bad
row is reported next to the good ones instead of stopping the file.

Nothing here talks to relay, the cache or the request: the views and the import job
(`relaydash.directory.import_jobs`) call these functions, and the tests feed them bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from django.utils.translation import gettext_lazy as _

from relaydash.directory.countries import DEFAULT_COUNTRY, ISO_3166_ALPHA2, country_code_for_name
from relaydash.relay.records import AddressInput, PropertyInput

# relay's CreateProperties field names, in the order of the template.
API_COLUMNS: Final = (
    "id",
    "name",
    "streetAddress",
    "postalCode",
    "locality",
    "country",
    "additionalInfo",
    "mscNumber",
    "internalId",
    "externalId",
    "customerId",
)
ADDRESS_COLUMNS: Final = ("streetAddress", "postalCode", "locality", "country", "additionalInfo")

# Header words people use for each field, besides relay's own name. Compared after
# `_header_key` (case, spaces, punctuation and umlaut spelling do not matter).
HEADER_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "id": ("id", "propertyId", "Objekt-ID", "Objekt ID", "Liegenschafts-ID", "relay-ID"),
    "name": ("name", "Objektname", "Objekt", "Bezeichnung", "Liegenschaft", "Liegenschaftsname"),
    "streetAddress": (
        "streetAddress",
        "street",
        "Straße",
        "Strasse",
        "Straße und Hausnummer",
        "Straße und Nr.",
        "Straße, Hausnummer",
        "Anschrift",
        "Adresse",
    ),
    "postalCode": ("postalCode", "zip", "zip code", "PLZ", "Postleitzahl"),
    "locality": ("locality", "city", "Ort", "Stadt"),
    "country": ("country", "country code", "Land", "Ländercode"),
    "additionalInfo": ("additionalInfo", "additional info", "Zusatz", "Adresszusatz", "Zusatzinfo"),
    "mscNumber": ("mscNumber", "MSC", "MSC-Nummer", "MSC-Nr."),
    "internalId": ("internalId", "internal id", "interne ID", "interne Nummer"),
    "externalId": ("externalId", "external id", "externe ID", "externe Nummer"),
    "customerId": ("customerId", "customer", "Kunden-ID", "Kunde"),
}

MAX_FILE_BYTES: Final = 10 * 1024 * 1024
MAX_ROWS: Final = 10_000
MAX_FIELD_LENGTH: Final = 200

# File-level problems: nothing can be imported.
FILE_EMPTY = _("The file is empty.")
FILE_TOO_LARGE = _("The file is larger than %(limit)s MB. Split it into smaller files.")
FILE_TOO_MANY_ROWS = _("The file has more than %(limit)s rows. Split it into smaller files.")
FILE_TYPE_UNKNOWN = _("Upload a CSV file (.csv) or an Excel workbook (.xlsx).")
FILE_XLSX_UNREADABLE = _("The Excel workbook cannot be read. Save it again as .xlsx or as CSV.")
FILE_NO_NAME_COLUMN = _(
    "The first row must name the columns, and one of them must be “name” (or “Objektname”). "
    "Download the template to see the expected columns."
)
FILE_DUPLICATE_COLUMN = _("The columns “%(first)s” and “%(second)s” both mean “%(field)s”. Keep one of them.")

# Row-level problems: only that row is skipped.
ROW_REQUIRED = _("“%(column)s” is required.")
ROW_ADDRESS_REQUIRED = _("A new property needs an address (streetAddress, postalCode, locality).")
ROW_ID_INVALID = _("“id” must be relay's numeric property id (leave it empty to create a new property).")
ROW_CUSTOMER_ID_INVALID = _("“customerId” must be relay's numeric customer id.")
ROW_CUSTOMER_UNKNOWN = _("relay has no customer with id %(id)s.")
ROW_COUNTRY_INVALID = _("“%(value)s” is not a country relay knows. Use a two-letter code such as DE.")
ROW_POSTAL_CODE_DE = _("“%(value)s” is not a German postal code (exactly 5 digits).")
ROW_TOO_LONG = _("“%(column)s” is longer than %(limit)s characters.")
ROW_DUPLICATE_ID = _("Property id %(id)s appears already in row %(row)s; only the first is imported.")
ROW_DUPLICATE = _("Same as row %(row)s; only the first is imported.")


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says what to do."""


@dataclass(frozen=True)
class ImportRow:
    """One data row: its row number as the spreadsheet shows it (the header is row 1),
    the cell text by relay field, and either the errors or the property to send."""

    number: int
    values: dict[str, str]
    errors: tuple[str, ...] = ()
    payload: PropertyInput | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def name(self) -> str:
        return self.values.get("name", "")

    @property
    def property_id(self) -> str:
        return self.values.get("id", "")


@dataclass(frozen=True)
class ParsedFile:
    """What a file held: the rows, which columns were used and which were ignored."""

    rows: list[ImportRow]
    columns: list[str]
    ignored_columns: list[str] = field(default_factory=list)
    file_format: str = "csv"
    delimiter: str = ""
    encoding: str = ""

    @property
    def valid_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.ok]

    @property
    def invalid_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if not row.ok]


# --- Reading the table ---------------------------------------------------------------


def parse_import(
    data: bytes,
    filename: str,
    *,
    known_customer_ids: set[int] | None = None,
    max_rows: int = MAX_ROWS,
) -> ParsedFile:
    """Read a CSV or XLSX file and check every row.

    `known_customer_ids`, when given, lets a row with a customerId relay does not know fail
    here, with a clear message, instead of in relay. Raises ImportFileError when the file as
    a whole cannot be used.
    """
    if not data:
        raise ImportFileError(str(FILE_EMPTY))
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(str(FILE_TOO_LARGE % {"limit": MAX_FILE_BYTES // (1024 * 1024)}))
    if _is_xlsx(data, filename):
        table: Iterator[list[str]] = read_xlsx(data)
        file_format, delimiter, encoding = "xlsx", "", ""
    elif filename.lower().endswith((".xls", ".ods", ".numbers", ".pdf")):
        raise ImportFileError(str(FILE_TYPE_UNKNOWN))
    else:
        text, encoding = decode_text(data)
        delimiter = sniff_delimiter(text)
        table = read_csv(text, delimiter)
        file_format = "csv"

    numbered = _non_blank(table)
    try:
        _, header = next(numbered)
    except StopIteration:
        raise ImportFileError(str(FILE_EMPTY)) from None
    mapping, ignored = map_headers(header)
    labels = {column: header[index].strip() for index, column in mapping.items()}
    rows: list[ImportRow] = []
    seen_ids: dict[str, int] = {}
    seen_rows: dict[tuple[str, ...], int] = {}
    for number, cells in numbered:
        if len(rows) >= max_rows:
            raise ImportFileError(str(FILE_TOO_MANY_ROWS % {"limit": f"{max_rows:,}"}))
        values = {column: _cell(cells, index) for index, column in mapping.items()}
        row = check_row(values, number=number, known_customer_ids=known_customer_ids, labels=labels)
        row = _flag_duplicate(row, seen_ids, seen_rows)
        rows.append(row)
    return ParsedFile(
        rows=rows,
        columns=[mapping[index] for index in sorted(mapping)],
        ignored_columns=ignored,
        file_format=file_format,
        delimiter=delimiter,
        encoding=encoding,
    )


def _is_xlsx(data: bytes, filename: str) -> bool:
    # An .xlsx is a zip archive; trust the bytes over the name (people rename files).
    if data[:4] == b"PK\x03\x04":
        return True
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise ImportFileError(str(FILE_XLSX_UNREADABLE))
    return False


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 (a BOM is dropped), else Windows-1252, which is what
    Excel's plain "CSV" format writes on German Windows."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "windows-1252"


def sniff_delimiter(text: str) -> str:
    """Semicolon, comma or tab: whichever the header line uses most (outside quotes)."""
    for line in text.splitlines():
        if not line.strip():
            continue
        unquoted = re.sub(r'"[^"]*"', "", line)
        counts = {delimiter: unquoted.count(delimiter) for delimiter in (";", ",", "\t")}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","
    return ","


def read_csv(text: str, delimiter: str) -> Iterator[list[str]]:
    """Rows of cells; a blank line is an empty row, so numbers match the spreadsheet's."""
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def read_xlsx(data: bytes) -> Iterator[list[str]]:
    """Rows of the first worksheet as text, read in openpyxl's streaming read-only mode."""
    import openpyxl  # only this path needs it; keeps CSV imports light

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise ImportFileError(str(FILE_XLSX_UNREADABLE)) from error
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [_xlsx_text(value) for value in values]
    finally:
        workbook.close()


def _xlsx_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def _non_blank(table: Iterable[Sequence[str]]) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of every row with some text; Excel leaves ";;;" lines at the end."""
    for number, cells in enumerate(table, start=1):
        stripped = [cell.strip() if isinstance(cell, str) else "" for cell in cells]
        if any(stripped):
            yield number, stripped


def _cell(cells: Sequence[str], index: int) -> str:
    return cells[index] if index < len(cells) else ""


def _header_key(text: str) -> str:
    folded = text.strip().casefold()
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        folded = folded.replace(umlaut, spelled)
    return re.sub(r"[^a-z0-9]", "", folded)


_ALIASES: Final[dict[str, str]] = {
    _header_key(alias): column for column, aliases in HEADER_ALIASES.items() for alias in aliases
}


def map_headers(header: Sequence[str]) -> tuple[dict[int, str], list[str]]:
    """Column index → relay field for every header cell we know; the others are returned
    so the preview can say they were ignored."""
    mapping: dict[int, str] = {}
    first_header: dict[str, str] = {}
    ignored: list[str] = []
    for index, text in enumerate(header):
        column = _ALIASES.get(_header_key(text))
        if column is None:
            if text.strip():
                ignored.append(text.strip())
            continue
        if column in first_header:
            raise ImportFileError(
                str(
                    FILE_DUPLICATE_COLUMN
                    % {"first": first_header[column], "second": text.strip(), "field": column}
                )
            )
        first_header[column] = text.strip()
        mapping[index] = column
    if "name" not in first_header:
        raise ImportFileError(str(FILE_NO_NAME_COLUMN))
    return mapping, ignored


# --- Checking a row ----------------------------------------------------------------


def check_row(
    values: dict[str, str],
    *,
    number: int,
    known_customer_ids: set[int] | None = None,
    labels: dict[str, str] | None = None,
) -> ImportRow:
    """Check one row as CreateProperties will read it and build the PropertyInput.

    Every problem of the row is reported at once, so a person fixes a row in one go;
    messages name a column as the file's header does (`labels`), e.g. "PLZ".
    """
    values = {column: values.get(column, "").strip() for column in API_COLUMNS}
    label = {column: (labels or {}).get(column) or column for column in API_COLUMNS}
    errors: list[str] = []
    for column, value in values.items():
        if len(value) > MAX_FIELD_LENGTH:
            errors.append(str(ROW_TOO_LONG % {"column": label[column], "limit": MAX_FIELD_LENGTH}))

    if not values["name"]:
        errors.append(str(ROW_REQUIRED % {"column": label["name"]}))
    property_id = values["id"]
    if property_id and not _is_id(property_id):
        errors.append(str(ROW_ID_INVALID))
    customer_id: int | None = None
    if values["customerId"]:
        if not _is_id(values["customerId"]):
            errors.append(str(ROW_CUSTOMER_ID_INVALID))
        else:
            customer_id = int(values["customerId"])
            if known_customer_ids is not None and customer_id not in known_customer_ids:
                errors.append(str(ROW_CUSTOMER_UNKNOWN % {"id": customer_id}))

    address, address_errors = _check_address(values, label, new=not property_id)
    errors += address_errors
    if errors:
        return ImportRow(number=number, values=values, errors=tuple(errors))
    prop = PropertyInput(
        id=str(int(property_id)) if property_id else None,
        name=values["name"],
        address=address,
        msc_number=values["mscNumber"] or None,
        internal_id=values["internalId"] or None,
        external_id=values["externalId"] or None,
        customer_id=customer_id,
    )
    return ImportRow(number=number, values=values, payload=prop)


def _is_id(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 18


def _check_address(
    values: dict[str, str], label: dict[str, str], *, new: bool
) -> tuple[AddressInput | None, list[str]]:
    """An address is all or nothing: once any part is given, street, postal code and city
    are required. A new property needs one; an update may leave it out (relay then keeps
    the property's address)."""
    street, postal, locality = values["streetAddress"], values["postalCode"], values["locality"]
    if not any(values[column] for column in ("streetAddress", "postalCode", "locality", "additionalInfo")):
        return None, [str(ROW_ADDRESS_REQUIRED)] if new else []
    errors = [
        str(ROW_REQUIRED % {"column": label[column]})
        for column, value in (("streetAddress", street), ("postalCode", postal), ("locality", locality))
        if not value
    ]
    country = resolve_country(values["country"])
    if country is None:
        errors.append(str(ROW_COUNTRY_INVALID % {"value": values["country"]}))
    if country == "DE" and postal:
        # Excel turns 01067 into the number 1067: a German postal code never has 4 digits.
        if re.fullmatch(r"\d{4}", postal):
            postal = "0" + postal
            values["postalCode"] = postal
        if not re.fullmatch(r"\d{5}", postal):
            errors.append(str(ROW_POSTAL_CODE_DE % {"value": postal}))
    if errors or country is None:
        return None, errors
    return (
        AddressInput(
            street_address=street,
            postal_code=postal,
            locality=locality,
            country=country,
            additional_info=values["additionalInfo"] or None,
        ),
        [],
    )


def resolve_country(text: str) -> str | None:
    """An ISO 3166-1 alpha-2 code from a code ("de") or a German or English name
    ("Deutschland", "Germany"); empty means Germany, as in the address form."""
    text = text.strip()
    if not text:
        return DEFAULT_COUNTRY
    if text.upper() in ISO_3166_ALPHA2:
        return text.upper()
    return country_code_for_name(text)


def _flag_duplicate(
    row: ImportRow, seen_ids: dict[str, int], seen_rows: dict[tuple[str, ...], int]
) -> ImportRow:
    """The same property id twice, or the very same row twice, would make the outcome
    depend on the order relay applies them: the first one counts, later ones are errors."""
    if not row.ok:
        return row
    key = tuple(row.values[column] for column in API_COLUMNS)
    duplicate_of: str | None = None
    if row.payload is not None and row.payload.id is not None:
        if row.payload.id in seen_ids:
            duplicate_of = str(ROW_DUPLICATE_ID % {"id": row.payload.id, "row": seen_ids[row.payload.id]})
        else:
            seen_ids[row.payload.id] = row.number
    if duplicate_of is None and key in seen_rows:
        duplicate_of = str(ROW_DUPLICATE % {"row": seen_rows[key]})
    seen_rows.setdefault(key, row.number)
    if duplicate_of is None:
        return row
    return ImportRow(number=row.number, values=row.values, errors=(duplicate_of,))


# --- The template ---------------------------------------------------------------------

TEMPLATE_EXAMPLE: Final[dict[str, str]] = {
    "id": "",
    "name": "Wohnanlage Lindenstraße 12",
    "streetAddress": "Lindenstraße 12",
    "postalCode": "10969",
    "locality": "Berlin",
    "country": "DE",
    "additionalInfo": "Hinterhaus",
    "mscNumber": "MSC-123456",
    "internalId": "O-0001",
    "externalId": "40001",
    "customerId": "",
}


def template_csv(*, delimiter: str = ";") -> bytes:
    """The import template: relay's column names and one example row, UTF-8 with a BOM
    so Excel shows the umlauts."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(API_COLUMNS)
    writer.writerow([TEMPLATE_EXAMPLE[column] for column in API_COLUMNS])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")
