"""The import parser: CSV (semicolon, comma, with and without BOM, Windows-1252), XLSX,
German headers, per-row errors, duplicates and file-level refusals. Pure functions: no
relay, no database."""

import io
import re

import openpyxl
import pytest
from django.utils import translation

from relaydash.directory import importing
from relaydash.directory.importing import (
    FILE_DUPLICATE_COLUMN,
    FILE_EMPTY,
    FILE_NO_NAME_COLUMN,
    FILE_TOO_MANY_ROWS,
    FILE_TYPE_UNKNOWN,
    FILE_XLSX_UNREADABLE,
    ROW_ADDRESS_REQUIRED,
    ROW_COUNTRY_INVALID,
    ROW_CUSTOMER_ID_INVALID,
    ROW_CUSTOMER_UNKNOWN,
    ROW_DUPLICATE,
    ROW_DUPLICATE_ID,
    ROW_ID_INVALID,
    ROW_POSTAL_CODE_DE,
    ROW_REQUIRED,
    ROW_TOO_LONG,
    ImportFileError,
    parse_import,
)
from relaydash.relay.records import AddressInput, PropertyInput


@pytest.fixture(autouse=True)
def _english() -> None:
    with translation.override("en"):
        yield


HEADER = ";".join(importing.API_COLUMNS)
GOOD = ";Haus Linde;Lindenstraße 12;10969;Berlin;DE;Hinterhaus;MSC-1;O-1;E-1;3"


def csv_bytes(*lines: str, delimiter: str = ";", bom: bool = False, encoding: str = "utf-8") -> bytes:
    text = "\r\n".join(line.replace(";", delimiter) for line in lines) + "\r\n"
    return ("\ufeff" if bom else "").encode(encoding) + text.encode(encoding)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


EXPECTED_GOOD = PropertyInput(
    id=None,
    name="Haus Linde",
    address=AddressInput(
        street_address="Lindenstraße 12",
        postal_code="10969",
        locality="Berlin",
        country="DE",
        additional_info="Hinterhaus",
    ),
    msc_number="MSC-1",
    internal_id="O-1",
    external_id="E-1",
    customer_id=3,
)


@pytest.mark.parametrize("bom", [False, True], ids=["no-bom", "bom"])
@pytest.mark.parametrize("delimiter", [";", ","], ids=["semicolon", "comma"])
def test_csv_is_read_with_either_delimiter_and_with_or_without_bom(delimiter: str, bom: bool) -> None:
    parsed = parse_import(csv_bytes(HEADER, GOOD, delimiter=delimiter, bom=bom), "objekte.csv")

    assert parsed.delimiter == delimiter
    assert parsed.columns == list(importing.API_COLUMNS)
    assert [row.payload for row in parsed.rows] == [EXPECTED_GOOD]
    assert parsed.rows[0].number == 2


def test_csv_with_quoted_delimiters_and_line_breaks_keeps_cells_whole() -> None:
    data = csv_bytes("name;streetAddress;postalCode;locality", '"Haus; Nord";"Weg 1";10115;"Ber\nlin"')
    (row,) = parse_import(data, "x.csv").rows
    assert row.payload is not None
    assert row.payload.name == "Haus; Nord"
    assert row.payload.address is not None
    assert row.payload.address.locality == "Ber\nlin"


def test_windows_1252_csv_from_plain_excel_keeps_umlauts() -> None:
    data = csv_bytes(
        "Objektname;Straße;PLZ;Ort", "Haus Müller;Hauptstraße 5;80331;München", encoding="cp1252"
    )
    parsed = parse_import(data, "excel.csv")
    assert parsed.encoding == "windows-1252"
    (row,) = parsed.rows
    assert row.payload is not None
    assert row.payload.name == "Haus Müller"
    assert row.payload.address == AddressInput(
        street_address="Hauptstraße 5", postal_code="80331", locality="München", country="DE"
    )


def test_german_headers_are_aliases_of_the_api_fields() -> None:
    header = (
        "Objekt-ID;Objektname;Straße;PLZ;Ort;Land;Adresszusatz;MSC-Nummer;interne ID;externe ID;Kunden-ID"
    )
    parsed = parse_import(csv_bytes(header, GOOD), "deutsch.csv")
    assert parsed.columns == list(importing.API_COLUMNS)
    assert [row.payload for row in parsed.rows] == [EXPECTED_GOOD]


def test_header_matching_ignores_case_spaces_and_umlaut_spelling() -> None:
    data = csv_bytes("  NAME ;STRASSE;post leitzahl;ORT;Postfach", "Haus;Weg 1;10115;Berlin;12")
    parsed = parse_import(data, "x.csv")
    assert parsed.columns == ["name", "streetAddress", "postalCode", "locality"]
    assert parsed.ignored_columns == ["Postfach"]
    assert parsed.rows[0].ok


def test_xlsx_is_read_including_numbers_excel_stored_as_numbers() -> None:
    data = xlsx_bytes(
        [
            list(importing.API_COLUMNS),
            [
                None,
                "Haus Linde",
                "Lindenstraße 12",
                10969,
                "Berlin",
                "DE",
                "Hinterhaus",
                "MSC-1",
                "O-1",
                "E-1",
                3,
            ],
            [17, "Haus Dresden", "Altmarkt 1", 1067, "Dresden", None, None, None, None, 40001.0, None],
        ]
    )
    parsed = parse_import(data, "objekte.xlsx")

    assert parsed.file_format == "xlsx"
    first, second = parsed.rows
    assert first.payload == EXPECTED_GOOD
    assert second.payload == PropertyInput(
        id="17",
        name="Haus Dresden",
        address=AddressInput(
            street_address="Altmarkt 1", postal_code="01067", locality="Dresden", country="DE"
        ),
        external_id="40001",
    )


def test_xlsx_is_recognised_by_its_content_even_with_a_csv_name() -> None:
    data = xlsx_bytes(
        [["name", "streetAddress", "postalCode", "locality"], ["Haus", "Weg 1", "10115", "Berlin"]]
    )
    assert parse_import(data, "renamed.csv").file_format == "xlsx"


def test_a_broken_xlsx_is_refused_with_a_clear_message() -> None:
    with pytest.raises(ImportFileError, match=re.escape(str(FILE_XLSX_UNREADABLE))):
        parse_import(b"PK\x03\x04 definitely not a workbook", "kaputt.xlsx")
    with pytest.raises(ImportFileError, match=re.escape(str(FILE_XLSX_UNREADABLE))):
        parse_import(b"name;street\n", "text-named.xlsx")


def test_old_excel_format_is_refused() -> None:
    with pytest.raises(ImportFileError, match=re.escape(str(FILE_TYPE_UNKNOWN))):
        parse_import(b"\xd0\xcf\x11\xe0 binary", "alt.xls")


def test_each_bad_row_gets_its_reasons_and_good_rows_stay_good() -> None:
    lines = [
        HEADER,
        GOOD,
        ";;Weg 2;10115;Berlin;DE;;;;;",  # no name
        "abc;Haus;Weg 3;10115;Berlin;DE;;;;;",  # id not numeric
        ";Haus 4;Weg 4;1011X;Berlin;DE;;;;;",  # German postal code
        ";Haus 5;Weg 5;10115;Berlin;Atlantis;;;;;",  # country
        ";Haus 6;Weg 6;;Berlin;DE;;;;;",  # postal code missing
        ";Haus 7;;;;;;;;;",  # new property without address
        ";Haus 8;Weg 8;10115;Berlin;DE;;;;;K-12",  # customer id not numeric
        ";Haus 9;Weg 9;10115;Berlin;DE;;;;;99",  # customer unknown
        ";" + "x" * 201 + ";Weg 10;10115;Berlin;DE;;;;;",  # too long
        ";Haus 11;Weg 11;1010;Wien;AT;;;;;",  # Austrian code: 4 digits are fine
    ]
    parsed = parse_import(csv_bytes(*lines), "mixed.csv", known_customer_ids={3})
    errors = {row.number: row.errors for row in parsed.rows}

    assert errors == {
        2: (),
        3: (str(ROW_REQUIRED % {"column": "name"}),),
        4: (str(ROW_ID_INVALID),),
        5: (str(ROW_POSTAL_CODE_DE % {"value": "1011X"}),),
        6: (str(ROW_COUNTRY_INVALID % {"value": "Atlantis"}),),
        7: (str(ROW_REQUIRED % {"column": "postalCode"}),),
        8: (str(ROW_ADDRESS_REQUIRED),),
        9: (str(ROW_CUSTOMER_ID_INVALID),),
        10: (str(ROW_CUSTOMER_UNKNOWN % {"id": 99}),),
        11: (str(ROW_TOO_LONG % {"column": "name", "limit": importing.MAX_FIELD_LENGTH}),),
        12: (),
    }
    assert [row.number for row in parsed.valid_rows] == [2, 12]
    assert all(row.payload is None for row in parsed.invalid_rows)


def test_messages_name_columns_as_the_file_does() -> None:
    parsed = parse_import(
        csv_bytes("Objektname;Straße;PLZ;Ort", "Haus;Weg 1;;Berlin", ";Weg 2;10115;Berlin"), "x.csv"
    )
    assert parsed.rows[0].errors == (str(ROW_REQUIRED % {"column": "PLZ"}),)
    assert parsed.rows[1].errors == (str(ROW_REQUIRED % {"column": "Objektname"}),)


def test_a_row_collects_all_its_problems_at_once() -> None:
    (row,) = parse_import(csv_bytes(HEADER, "x;;Weg;123;Berlin;DE;;;;;y"), "x.csv").rows
    assert row.errors == (
        str(ROW_REQUIRED % {"column": "name"}),
        str(ROW_ID_INVALID),
        str(ROW_CUSTOMER_ID_INVALID),
        str(ROW_POSTAL_CODE_DE % {"value": "123"}),
    )


def test_an_update_may_leave_the_address_out_and_keeps_the_id_as_text() -> None:
    (row,) = parse_import(csv_bytes("id;name", "0042;Neuer Name"), "x.csv").rows
    assert row.payload == PropertyInput(id="42", name="Neuer Name")


def test_country_names_and_lowercase_codes_are_understood_and_empty_means_germany() -> None:
    lines = [
        "name;streetAddress;postalCode;locality;country",
        "A;Weg 1;10115;Berlin;",
        "B;Weg 1;1010;Wien;Österreich",
        "C;Weg 1;8001;Zürich;switzerland",
        "D;Weg 1;75001;Paris;fr",
    ]
    rows = parse_import(csv_bytes(*lines), "x.csv").rows
    countries = [row.payload.address.country for row in rows if row.payload and row.payload.address]
    assert countries == ["DE", "AT", "CH", "FR"]


def test_duplicates_the_first_counts_later_ones_are_errors() -> None:
    lines = [
        HEADER,
        "5;Haus A;Weg 1;10115;Berlin;DE;;;;;",
        "5;Haus A neu;Weg 1;10115;Berlin;DE;;;;;",
        ";Haus B;Weg 2;10115;Berlin;DE;;;;;",
        ";Haus B;Weg 2;10115;Berlin;DE;;;;;",
        ";Haus B;Weg 2;10117;Berlin;DE;;;;;",
    ]
    rows = parse_import(csv_bytes(*lines), "x.csv").rows
    assert [row.errors for row in rows] == [
        (),
        (str(ROW_DUPLICATE_ID % {"id": "5", "row": 2}),),
        (),
        (str(ROW_DUPLICATE % {"row": 4}),),
        (),
    ]


def test_blank_lines_and_excel_separator_only_lines_are_skipped_but_counted() -> None:
    data = csv_bytes("", HEADER, ";;;;;;;;;;", GOOD, "", ";;;;")
    parsed = parse_import(data, "x.csv")
    assert [row.number for row in parsed.rows] == [4]


def test_unknown_columns_are_reported_and_ignored() -> None:
    parsed = parse_import(
        csv_bytes("name;Bemerkung;streetAddress;postalCode;locality", "H;egal;W 1;10115;B"), "x.csv"
    )
    assert parsed.ignored_columns == ["Bemerkung"]
    assert parsed.rows[0].ok


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", FILE_EMPTY),
        (b"\r\n;;;\r\n", FILE_EMPTY),
        (b"street;city\nWeg 1;Berlin\n", FILE_NO_NAME_COLUMN),
    ],
    ids=["empty", "only-blank", "no-name-column"],
)
def test_files_that_cannot_be_imported_say_why(data: bytes, message: object) -> None:
    with pytest.raises(ImportFileError) as caught:
        parse_import(data, "x.csv")
    assert str(caught.value) == str(message)


def test_two_columns_meaning_the_same_field_are_refused() -> None:
    with pytest.raises(ImportFileError) as caught:
        parse_import(csv_bytes("name;PLZ;postalCode", "a;1;2"), "x.csv")
    assert str(caught.value) == str(
        FILE_DUPLICATE_COLUMN % {"first": "PLZ", "second": "postalCode", "field": "postalCode"}
    )


def test_too_many_rows_are_refused() -> None:
    lines = ["name;streetAddress;postalCode;locality"] + [f"H{i};W;10115;B" for i in range(4)]
    assert len(parse_import(csv_bytes(*lines), "x.csv", max_rows=4).rows) == 4
    with pytest.raises(ImportFileError) as caught:
        parse_import(csv_bytes(*lines), "x.csv", max_rows=3)
    assert str(caught.value) == str(FILE_TOO_MANY_ROWS % {"limit": "3"})


def test_the_template_has_the_api_headers_and_imports_as_one_good_row() -> None:
    data = importing.template_csv()
    assert data.startswith("\ufeff".encode())
    assert data.decode("utf-8-sig").splitlines()[0] == ";".join(importing.API_COLUMNS)
    parsed = parse_import(data, "template.csv")
    assert [row.ok for row in parsed.rows] == [True]
    assert parsed.rows[0].payload is not None
    assert parsed.rows[0].payload.name == importing.TEMPLATE_EXAMPLE["name"]
