"""The property import through its pages over the sandbox relay: upload → preview →
confirm → steps (as the progress page's htmx requests drive them) → report and its CSVs;
relay failures, relay refusing single rows, re-import, stopping, ownership, 2,000 rows."""

import csv
import io
import re
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from relaydash.accounts.models import AuditEntry
from relaydash.accounts.permissions import Role
from relaydash.directory import import_jobs, importing
from relaydash.directory.import_views import IMPORT_NOT_FOUND
from relaydash.directory.importing import FILE_NO_NAME_COLUMN, ROW_POSTAL_CODE_DE, ROW_REQUIRED
from relaydash.relay.client import RelayClient
from relaydash.sandbox import faults
from relaydash.web import RELAY_REJECTED

from .support import all_properties, english, get, text

HEADER = "name;streetAddress;postalCode;locality;country;mscNumber"
HTMX = {"HX-Request": "true"}


def csv_file(*lines: str, name: str = "objekte.csv") -> SimpleUploadedFile:
    content = "\ufeff" + "\r\n".join(lines) + "\r\n"
    return SimpleUploadedFile(name, content.encode(), content_type="text/csv")


def upload(client: Client, file: SimpleUploadedFile) -> Any:
    return client.post("/properties/import/", {"file": file}, headers={"Accept-Language": "en"})


def token_of(response: Any) -> str:
    match = re.fullmatch(r"/properties/import/([\w-]+)/", response["Location"])
    assert match, response["Location"]
    return match.group(1)


def run_import(client: Client, token: str, *, max_steps: int = 500, confirm: bool = True) -> list[Any]:
    """Confirm and take steps as the progress page does, until the server sends the
    browser to the report (or the paused run). Returns the step responses."""
    if confirm:
        assert (
            client.post(f"/properties/import/{token}/confirm/")["Location"] == f"/properties/import/{token}/"
        )
    steps = []
    for _ in range(max_steps):
        response = client.post(f"/properties/import/{token}/step/", headers={"Accept-Language": "en", **HTMX})
        steps.append(response)
        if "HX-Redirect" in response:
            assert response["HX-Redirect"] == f"/properties/import/{token}/"
            return steps
    raise AssertionError("the import did not finish")


def backoffice_user_id(client: Client) -> int:
    return int(client.session["_auth_user_id"])


def csv_rows(response: Any, delimiter: str = ";") -> list[list[str]]:
    assert response.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=delimiter))


MIXED = [
    HEADER,
    "Haus Eins;Weg 1;10115;Berlin;DE;MSC-1",
    ";Weg 2;10115;Berlin;DE;",
    "Haus Drei;Weg 3;1011X;Berlin;DE;",
    "Haus Vier;Weg 4;01067;Dresden;;MSC-4",
]


# --- Upload and preview -----------------------------------------------------------------


def test_upload_shows_a_preview_and_sends_nothing(seeded: RelayClient, backoffice: Client) -> None:
    count = len(all_properties(seeded))
    response = upload(backoffice, csv_file(*MIXED))
    assert response.status_code == 302
    preview = get(backoffice, response["Location"])
    page = text(preview)

    assert preview.status_code == 200
    assert "Import preview" in page
    assert re.search(r"<strong>4</strong> rows read", page)
    assert re.search(r"<strong>2</strong> ready to import", page)
    assert re.search(r"<strong>2</strong> with errors, will be skipped", page)
    assert english(ROW_REQUIRED % {"column": "name"}) in page
    assert english(ROW_POSTAL_CODE_DE % {"value": "1011X"}) in page
    assert "Import 2 properties" in page
    assert len(all_properties(seeded)) == count
    assert not AuditEntry.objects.exists()


def test_preview_can_show_only_the_rows_with_problems(seeded: RelayClient, backoffice: Client) -> None:
    location = upload(backoffice, csv_file(*MIXED))["Location"]
    page = text(get(backoffice, location + "?show=problems", **HTMX))
    assert "<html" not in page
    assert "Rows 1–2 of 2" in page
    assert "Haus Eins" not in page and "Haus Drei" in page


def test_xlsx_upload_with_german_headers(seeded: RelayClient, backoffice: Client) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Objektname", "Straße", "PLZ", "Ort", "Land"])
    sheet.append(["Haus Excel", "Altmarkt 1", 1067, "Dresden", "Deutschland"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    file = SimpleUploadedFile("objekte.xlsx", buffer.getvalue())

    token = token_of(upload(backoffice, file))
    run_import(backoffice, token)

    created = [p for p in all_properties(seeded) if p.name == "Haus Excel"]
    assert [(p.address.postal_code, p.address.country) for p in created] == [("01067", "DE")]


def test_a_file_that_cannot_be_read_is_refused_on_the_upload_page(
    seeded: RelayClient, backoffice: Client
) -> None:
    response = upload(backoffice, csv_file("Straße;PLZ", "Weg 1;10115"))
    assert response.status_code == 422
    assert english(FILE_NO_NAME_COLUMN) in text(response)
    assert 'aria-invalid="true"' in text(response)


def test_other_file_types_are_refused(seeded: RelayClient, backoffice: Client) -> None:
    response = upload(backoffice, SimpleUploadedFile("scan.pdf", b"%PDF-1.7"))
    assert response.status_code == 422
    assert "Choose a CSV file (.csv) or an Excel workbook (.xlsx)." in text(response)


def test_customer_ids_are_checked_against_relay(seeded: RelayClient, backoffice: Client) -> None:
    known = seeded.get_customers()[0].id
    lines = [
        "name;streetAddress;postalCode;locality;customerId",
        f"A;W 1;10115;B;{known}",
        "B;W 2;10115;B;987654",
    ]
    page = text(get(backoffice, upload(backoffice, csv_file(*lines))["Location"]))
    assert "relay has no customer with id 987654." in page
    assert re.search(r"<strong>1</strong> ready to import", page)


def test_customer_ids_are_left_to_relay_when_the_customer_list_is_unavailable(
    seeded: RelayClient, backoffice: Client
) -> None:
    faults.fail_next(status=503, count=3, operation="GetCustomers")
    lines = ["name;streetAddress;postalCode;locality;customerId", "B;W 2;10115;B;987654"]
    page = text(get(backoffice, upload(backoffice, csv_file(*lines))["Location"]))
    assert "customer ids were not checked" in page
    assert re.search(r"<strong>1</strong> ready to import", page)


# --- Sending and the report ---------------------------------------------------------------


def test_import_creates_the_good_rows_and_reports_every_row(seeded: RelayClient, backoffice: Client) -> None:
    before = {p.id for p in all_properties(seeded)}
    token = token_of(upload(backoffice, csv_file(*MIXED)))
    run_import(backoffice, token)

    new = {p.name: p for p in all_properties(seeded) if p.id not in before}
    assert sorted(new) == ["Haus Eins", "Haus Vier"]
    assert new["Haus Vier"].msc_number == "MSC-4" and new["Haus Vier"].address.country == "DE"

    page = text(get(backoffice, f"/properties/import/{token}/"))
    assert "Import report" in page
    assert re.search(r"<strong>2</strong> created", page)
    assert re.search(r"<strong>2</strong> not sent \(errors in the file\)", page)
    assert f'href="/properties/{new["Haus Eins"].id}/"' in page

    report = csv_rows(get(backoffice, f"/properties/import/{token}/report.csv"))
    assert report == [
        ["Row", "id", "name", "Outcome", "Message"],
        ["2", str(new["Haus Eins"].id), "Haus Eins", "created", ""],
        ["3", "", "", "not sent (invalid)", str(ROW_REQUIRED % {"column": "name"})],
        ["4", "", "Haus Drei", "not sent (invalid)", str(ROW_POSTAL_CODE_DE % {"value": "1011X"})],
        ["5", str(new["Haus Vier"].id), "Haus Vier", "created", ""],
    ]
    comma = csv_rows(get(backoffice, f"/properties/import/{token}/report.csv?delimiter=comma"), ",")
    assert comma == report


def test_one_audit_entry_per_batch_names_the_file_and_rows(seeded: RelayClient, backoffice: Client) -> None:
    lines = [HEADER] + [f"Haus {i};Weg {i};10115;Berlin;DE;" for i in range(import_jobs.BATCH_SIZE + 5)]
    token = token_of(upload(backoffice, csv_file(*lines, name="Bestand 2026.csv")))
    run_import(backoffice, token)

    entries = list(AuditEntry.objects.filter(operation="CreateProperties").order_by("id"))
    assert [e.summary["rows"] for e in entries] == [import_jobs.BATCH_SIZE, 5]
    assert {e.summary["import"] for e in entries} == {"Bestand 2026.csv"}
    assert [e.summary["rowNumbers"] for e in entries] == [f"2-{import_jobs.BATCH_SIZE + 1}", "102-106"]
    assert all(e.outcome == AuditEntry.Outcome.OK for e in entries)


def test_reimporting_the_rows_with_ids_updates_instead_of_duplicating(
    seeded: RelayClient, backoffice: Client
) -> None:
    token = token_of(upload(backoffice, csv_file(*MIXED)))
    run_import(backoffice, token)
    count = len(all_properties(seeded))
    with_ids = get(backoffice, f"/properties/import/{token}/rows.csv")
    rows = csv_rows(with_ids)
    assert rows[0] == list(importing.API_COLUMNS)
    edited = "\r\n".join(";".join(r) for r in rows).replace("Haus Eins", "Haus Eins (neu)")

    again = token_of(upload(backoffice, csv_file(edited, name="again.csv")))
    run_import(backoffice, again)

    assert len(all_properties(seeded)) == count
    assert "Haus Eins (neu)" in {p.name for p in all_properties(seeded)}
    assert re.search(r"<strong>2</strong> updated", text(get(backoffice, f"/properties/import/{again}/")))


@pytest.mark.parametrize("status", [500, 503, 401, 404])
def test_relay_failing_pauses_the_run_with_one_message_and_continue_resumes_it(
    seeded: RelayClient, backoffice: Client, status: int
) -> None:
    size = import_jobs.BATCH_SIZE
    lines = [HEADER] + [f"Haus {i};Weg {i};10115;Berlin;DE;" for i in range(size + 3)]
    token = token_of(upload(backoffice, csv_file(*lines)))
    faults.fail_next(status=status, count=50, operation="CreateProperties")
    run_import(backoffice, token)

    job = import_jobs.load_job(token, user_id=backoffice_user_id(backoffice))
    assert job is not None and job.state == "halted"
    assert job.calls == 1  # no splitting: the next batch would fail the same way
    page = text(get(backoffice, f"/properties/import/{token}/"))
    assert "Import paused" in page and "The import paused at row 2:" in page
    assert re.search(rf"<strong>{size + 3}</strong> not attempted yet", page)
    assert re.search(r"<strong>0</strong> refused by relay", page)
    assert not {f"Haus {i}" for i in range(size + 3)} & {p.name for p in all_properties(seeded)}

    faults.clear()
    resumed = backoffice.post(f"/properties/import/{token}/step/", {"resume": "1"})
    assert resumed.status_code == 302
    run_import(backoffice, token, confirm=False)
    names = [p.name for p in all_properties(seeded)]
    assert all(names.count(f"Haus {i}") == 1 for i in range(size + 3))
    assert re.search(
        rf"<strong>{size + 3}</strong> created", text(get(backoffice, f"/properties/import/{token}/"))
    )


@pytest.mark.parametrize("fault", ["cut", "drop", "stall", "garbage"])
@pytest.mark.parametrize("look", ["readable", "unreadable"])
def test_a_batch_whose_answer_was_lost_is_checked_row_by_row_and_never_duplicated(
    seeded: RelayClient, backoffice: Client, settings: Any, fault: str, look: str
) -> None:
    settings.RELAY_TIMEOUT_WRITE = 0.5
    lines = [HEADER] + [f"Objekt {i};Weg {i};10115;Berlin;DE;MSC-{i}" for i in range(8)]
    token = token_of(upload(backoffice, csv_file(*lines)))
    if fault == "garbage":
        faults.garbage_next(operation="CreateProperties")
    elif fault == "stall":
        faults.after_next(kind=faults.After.STALL, operation="CreateProperties", seconds=1.5)
    else:
        faults.after_next(kind=faults.After(fault), operation="CreateProperties")
    if look == "unreadable":
        faults.fail_next(status=500, operation="GetProperties")
    run_import(backoffice, token)

    job = import_jobs.load_job(token, user_id=backoffice_user_id(backoffice))
    assert job is not None
    if look == "unreadable":
        assert job.state == "halted"
        page = text(get(backoffice, f"/properties/import/{token}/"))
        assert english(import_jobs.IMPORT_CHECK_HALTED % {"row": 2}) in page
        assert backoffice.post(f"/properties/import/{token}/step/", {"resume": "1"}).status_code == 302
        run_import(backoffice, token, confirm=False)
    names = [p.name for p in all_properties(seeded)]
    assert all(names.count(f"Objekt {i}") == 1 for i in range(8)), names
    report = csv_rows(get(backoffice, f"/properties/import/{token}/report.csv"))[1:]
    assert [row[3] for row in report] == ["created"] * 8
    by_name = {p.name: p.id for p in all_properties(seeded)}
    assert all(row[1] == str(by_name[row[2]]) for row in report)


def test_relay_refusing_one_row_fails_only_that_row(seeded: RelayClient, backoffice: Client) -> None:
    lines = ["id;name;streetAddress;postalCode;locality"] + [
        f";Haus {i};Weg {i};10115;Berlin" for i in range(9)
    ]
    lines.insert(5, "999999;Gibt es nicht;Weg 0;10115;Berlin")
    token = token_of(upload(backoffice, csv_file(*lines)))
    run_import(backoffice, token)

    assert {f"Haus {i}" for i in range(9)} <= {p.name for p in all_properties(seeded)}
    report = csv_rows(get(backoffice, f"/properties/import/{token}/report.csv"))[1:]
    outcomes = {row[2]: (row[3], row[4]) for row in report}
    assert outcomes["Gibt es nicht"] == (
        "failed",
        str(RELAY_REJECTED % {"message": "property 999999 not found"}),
    )
    assert all(outcomes[f"Haus {i}"] == ("created", "") for i in range(9))


def test_progress_is_shown_between_steps(
    seeded: RelayClient, backoffice: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_jobs, "STEP_SECONDS_HTMX", 0.0)  # one batch per step
    lines = [HEADER] + [f"Haus {i};Weg {i};10115;Berlin;DE;" for i in range(250)]
    token = token_of(upload(backoffice, csv_file(*lines)))
    backoffice.post(f"/properties/import/{token}/confirm/")

    page = text(get(backoffice, f"/properties/import/{token}/"))
    assert "Import running" in page and 'hx-trigger="load delay:50ms, every 2s"' in page
    assert "0 of 250 rows sent" in page

    first = backoffice.post(f"/properties/import/{token}/step/", headers={"Accept-Language": "en", **HTMX})
    step = text(first)
    assert first.status_code == 200 and "<html" not in step
    assert "100 of 250 rows sent (40 %)" in step
    assert '<progress id="import-progress-bar" max="250" value="100">' in step


def test_without_javascript_continue_sends_and_returns_to_the_page(
    seeded: RelayClient, backoffice: Client
) -> None:
    token = token_of(upload(backoffice, csv_file(*MIXED)))
    backoffice.post(f"/properties/import/{token}/confirm/")
    assert "Continue sending" in text(get(backoffice, f"/properties/import/{token}/"))
    response = backoffice.post(f"/properties/import/{token}/step/")
    assert response.status_code == 302 and response["Location"] == f"/properties/import/{token}/"
    assert "Import report" in text(get(backoffice, response["Location"]))


def test_confirming_twice_sends_once(seeded: RelayClient, backoffice: Client) -> None:
    token = token_of(upload(backoffice, csv_file(*MIXED)))
    run_import(backoffice, token)
    count = len(all_properties(seeded))
    backoffice.post(f"/properties/import/{token}/confirm/")
    backoffice.post(f"/properties/import/{token}/step/", headers=HTMX)
    assert len(all_properties(seeded)) == count


def test_stopping_reports_the_rows_not_sent(
    seeded: RelayClient, backoffice: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_jobs, "STEP_SECONDS_HTMX", 0.0)
    lines = [HEADER] + [f"Haus {i};Weg {i};10115;Berlin;DE;" for i in range(150)]
    token = token_of(upload(backoffice, csv_file(*lines)))
    backoffice.post(f"/properties/import/{token}/confirm/")
    backoffice.post(f"/properties/import/{token}/step/", headers=HTMX)
    response = backoffice.post(f"/properties/import/{token}/stop/")
    assert response["Location"] == f"/properties/import/{token}/"

    page = text(get(backoffice, response["Location"]))
    assert re.search(r"<strong>100</strong> created", page)
    assert re.search(r"<strong>50</strong> not sent \(stopped\)", page)
    report = csv_rows(get(backoffice, f"/properties/import/{token}/report.csv"))[1:]
    assert sum(1 for row in report if row[3] == "not sent (stopped)") == 50


def test_an_import_belongs_to_the_person_who_uploaded_it(
    seeded: RelayClient, backoffice: Client, client_as: Callable[..., Client]
) -> None:
    token = token_of(upload(backoffice, csv_file(*MIXED)))
    other = client_as(Role.ADMIN, username="someone-else")
    for response in (
        get(other, f"/properties/import/{token}/"),
        get(other, f"/properties/import/{token}/report.csv"),
        other.post(f"/properties/import/{token}/confirm/"),
    ):
        assert response.status_code == 404
    assert english(IMPORT_NOT_FOUND) in text(get(other, f"/properties/import/{token}/"))


def test_the_upload_page_offers_to_continue_the_last_import(seeded: RelayClient, backoffice: Client) -> None:
    token = token_of(upload(backoffice, csv_file(*MIXED)))
    page = text(get(backoffice, "/properties/import/"))
    assert f'href="/properties/import/{token}/"' in page and "Show its preview" in page


def test_templates_download_and_import_cleanly(seeded: RelayClient, backoffice: Client) -> None:
    as_csv = get(backoffice, "/properties/import/template.csv")
    assert csv_rows(as_csv)[0] == list(importing.API_COLUMNS)
    assert csv_rows(get(backoffice, "/properties/import/template.csv?delimiter=comma"), ",")[0] == list(
        importing.API_COLUMNS
    )
    as_xlsx = get(backoffice, "/properties/import/template.xlsx")
    assert "spreadsheetml" in as_xlsx["Content-Type"]
    for data, name in ((as_csv.content, "t.csv"), (as_xlsx.content, "t.xlsx")):
        parsed = importing.parse_import(data, name)
        assert [row.ok for row in parsed.rows] == [True]
    assert get(backoffice, "/properties/import/template.pdf").status_code == 404


def test_viewer_cannot_import(seeded: RelayClient, client_as: Callable[..., Client]) -> None:
    viewer = client_as(Role.VIEWER)
    assert get(viewer, "/properties/import/").status_code == 403
    assert upload(viewer, csv_file(*MIXED)).status_code == 403
    assert get(viewer, "/properties/import/template.csv").status_code == 403


def test_two_thousand_rows_complete_with_progress_and_per_row_errors(
    seeded: RelayClient, backoffice: Client
) -> None:
    lines = [HEADER]
    bad = set()
    for i in range(2000):
        if i % 100 == 7:
            lines.append(f"Haus {i};Weg {i};123;Berlin;DE;")
            bad.add(i + 2)
        else:
            lines.append(f"Haus {i};Weg {i};{10000 + i:05d};Berlin;DE;MSC-{i}")
    before = len(all_properties(seeded))

    token = token_of(upload(backoffice, csv_file(*lines, name="gross.csv")))
    steps = run_import(backoffice, token)

    progress = [re.search(r"(\d+) of 1980 rows sent", text(s)) for s in steps[:-1]]
    sent = [int(m.group(1)) for m in progress if m]
    assert sent == sorted(sent) and all(0 < n < 1980 for n in sent)
    assert len(all_properties(seeded)) == before + 1980
    report = csv_rows(get(backoffice, f"/properties/import/{token}/report.csv"))[1:]
    assert len(report) == 2000
    assert {int(row[0]) for row in report if row[3] != "created"} == bad
    assert all(row[4] == str(ROW_POSTAL_CODE_DE % {"value": "123"}) for row in report if int(row[0]) in bad)
    assert AuditEntry.objects.filter(operation="CreateProperties").count() == 20


def test_rows_the_cache_dropped_are_reported_not_lost_silently(
    seeded: RelayClient, backoffice: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.cache import cache

    monkeypatch.setattr(import_jobs, "CHUNK_SIZE", 100)
    lines = [HEADER] + [f"Haus {i};Weg {i};10115;Berlin;DE;" for i in range(150)]
    token = token_of(upload(backoffice, csv_file(*lines)))
    backoffice.post(f"/properties/import/{token}/confirm/")
    cache.delete(import_jobs._chunk_key(token, 1))  # evicted while the job runs
    run_import(backoffice, token, max_steps=50)

    page = text(get(backoffice, f"/properties/import/{token}/"))
    assert re.search(r"<strong>100</strong> created", page)
    assert "50 rows were no longer held by relaydash" in page
    assert len([p for p in all_properties(seeded) if (p.name or "").startswith("Haus ")]) == 100


def test_confirming_after_the_rows_expired_says_the_import_is_gone(
    seeded: RelayClient, backoffice: Client
) -> None:
    from django.core.cache import cache

    token = token_of(upload(backoffice, csv_file(*MIXED)))
    cache.delete(import_jobs._chunk_key(token, 0))
    response = backoffice.post(f"/properties/import/{token}/confirm/", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert english(IMPORT_NOT_FOUND) in text(response)
