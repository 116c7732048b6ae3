"""The audit trail: an entry for every write (failed ones too), nothing ever changed or
deleted, the audit page with its filters and CSV, and the order page's history."""

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from relaydash.accounts.audit import Operation, Target, audit_write, file_summary
from relaydash.accounts.audit_export import BOM
from relaydash.accounts.errors import NO_ACCESS
from relaydash.accounts.forms import DATES_REVERSED
from relaydash.accounts.models import AuditEntry
from relaydash.accounts.permissions import Role
from relaydash.accounts.selectors import audit_entries_for_order
from relaydash.relay.errors import Unavailable, ValidationFailed
from relaydash.relay.records import OrderPatch, UploadFile

pytestmark = pytest.mark.django_db

BERLIN = dt.timezone(dt.timedelta(hours=1))


@contextmanager
def _at(moment: dt.datetime) -> Iterator[None]:
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@pytest.fixture
def field_user(make_user: Callable[..., Any]) -> Any:
    return make_user(
        Role.FIELD, username="frieda", email="frieda@example.com", first_name="Frieda", last_name="Feld"
    )


def _record(actor: Any, **overrides: Any) -> AuditEntry:
    arguments: dict[str, Any] = {
        "actor": actor,
        "operation": Operation.PATCH_ORDER,
        "target_type": Target.ORDER,
        "target_id": 4711,
        "summary": {"status": "FINISHED"},
        "before": {"status": "OPEN"},
        "after": {"status": "FINISHED"},
    }
    arguments.update(overrides)
    with audit_write(**arguments):
        pass
    return AuditEntry.objects.latest("id")


# Recording ----------------------------------------------------------------------------


def test_a_successful_write_is_recorded(field_user: Any) -> None:
    with audit_write(
        actor=field_user,
        operation=Operation.PATCH_ORDER,
        target_type=Target.ORDER,
        target_id=4711,
        summary={"status": "FINISHED"},
        before={"status": "OPEN"},
    ) as note:
        note.after = {"status": "FINISHED"}
    entry = AuditEntry.objects.get()
    assert entry.user == field_user
    assert entry.user_email == "frieda@example.com"
    assert entry.user_name == "Frieda Feld"
    assert entry.operation == "PatchOrder"
    assert (entry.target_type, entry.target_id) == ("order", "4711")
    assert entry.summary == {"status": "FINISHED"}
    assert (entry.before, entry.after) == ({"status": "OPEN"}, {"status": "FINISHED"})
    assert entry.outcome == AuditEntry.Outcome.OK
    assert entry.relay_status is None
    assert entry.relay_message == ""
    assert abs(entry.created_at - timezone.now()) < dt.timedelta(seconds=5)


def test_a_write_relay_refuses_is_recorded_with_relays_status_and_message(field_user: Any) -> None:
    with (
        pytest.raises(ValidationFailed),
        audit_write(
            actor=field_user,
            operation=Operation.CREATE_ORDER_COMMENT,
            target_type=Target.ORDER,
            target_id=7,
            summary={"text": "Done"},
        ),
    ):
        raise ValidationFailed("text must not be empty", status=422, operation="CreateOrderComment")
    entry = AuditEntry.objects.get()
    assert entry.outcome == AuditEntry.Outcome.FAILED
    assert entry.relay_status == 422
    assert entry.relay_message == "text must not be empty"


def test_a_write_that_never_reached_relay_is_recorded_as_failed(field_user: Any) -> None:
    with (
        pytest.raises(Unavailable),
        audit_write(
            actor=field_user,
            operation=Operation.CREATE_ORDER_FIELD,
            target_type=Target.ORDER,
            target_id=7,
            summary={},
        ),
    ):
        raise Unavailable("relay cannot be reached")
    entry = AuditEntry.objects.get()
    assert (entry.outcome, entry.relay_status, entry.relay_message) == (
        "failed",
        None,
        "relay cannot be reached",
    )


def test_a_new_id_learned_during_the_write_is_the_target(make_user: Callable[..., Any]) -> None:
    office = make_user(Role.BACKOFFICE)
    with audit_write(
        actor=office,
        operation=Operation.CREATE_CUSTOMER,
        target_type=Target.CUSTOMER,
        target_id=None,
        summary={"name": "Hausverwaltung Nord"},
    ) as note:
        note.target_id = "981"
    assert AuditEntry.objects.get().target_id == "981"


def test_summaries_name_files_and_sizes_never_contents(field_user: Any) -> None:
    secret = b"%PDF-1.7 contents nobody may find in the audit trail"
    upload = UploadFile(name="plan.pdf", stream=io.BytesIO(secret), size=len(secret))
    django_upload = SimpleUploadedFile("photo.jpg", secret, content_type="image/jpeg")
    entry = _record(
        field_user,
        operation=Operation.CREATE_ORDER_COMMENT,
        summary={
            "text": "x" * 2000,
            "files": [upload, django_upload],
            "raw": secret,
            "listed": file_summary(files=[django_upload]),
        },
        before=None,
        after=None,
    )
    assert entry.summary["files"] == [
        {"name": "plan.pdf", "size": len(secret)},
        {"name": "photo.jpg", "size": len(secret)},
    ]
    assert entry.summary["raw"] == {"bytes": len(secret)}
    assert entry.summary["listed"] == [{"name": "photo.jpg", "size": len(secret)}]
    assert len(entry.summary["text"]) <= 501
    assert "contents nobody" not in str(AuditEntry.objects.values().get())


def test_relay_records_and_dates_are_stored_as_plain_json(field_user: Any) -> None:
    due = dt.datetime(2026, 12, 24, 9, 0, tzinfo=BERLIN)
    entry = _record(field_user, before={"due": due}, after=OrderPatch(internal_id="A-17"))
    assert entry.before == {"due": "2026-12-24T09:00:00+01:00"}
    assert entry.after["internal_id"] == "A-17"


# Append-only ----------------------------------------------------------------------------


def test_entries_cannot_be_changed_or_deleted(field_user: Any) -> None:
    entry = _record(field_user)
    entry.outcome = AuditEntry.Outcome.FAILED
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(outcome="failed")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().outcome == AuditEntry.Outcome.OK


def test_deleting_a_user_keeps_their_entries(field_user: Any) -> None:
    _record(field_user)
    field_user.delete()
    entry = AuditEntry.objects.get()
    assert entry.user is None
    assert entry.user_email == "frieda@example.com"


def test_the_django_admin_shows_the_trail_read_only(make_user: Callable[..., Any], field_user: Any) -> None:
    entry = _record(field_user)
    admin = Client()
    admin.force_login(make_user(Role.ADMIN, is_staff=True))
    changelist = admin.get(reverse("admin:accounts_auditentry_changelist"))
    assert changelist.status_code == 200
    assert "frieda@example.com" in changelist.content.decode()
    assert admin.get(reverse("admin:accounts_auditentry_add")).status_code == 403
    assert (
        admin.post(reverse("admin:accounts_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code
        == 403
    )
    detail = admin.post(reverse("admin:accounts_auditentry_change", args=[entry.pk]), {"outcome": "failed"})
    assert detail.status_code == 403
    assert AuditEntry.objects.get().outcome == "ok"


# The audit page ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "for_backoffice", "status"),
    [
        (Role.ADMIN, False, 200),
        (Role.BACKOFFICE, False, 403),
        (Role.BACKOFFICE, True, 200),
        (Role.FIELD, True, 403),
        (Role.VIEWER, False, 403),
    ],
)
def test_who_may_open_the_audit_page(
    client_as: Callable[..., Client], settings: Any, role: Role, for_backoffice: bool, status: int
) -> None:
    settings.RELAYDASH_AUDIT_FOR_BACKOFFICE = for_backoffice
    client = client_as(role)
    assert client.get(reverse("accounts:audit")).status_code == status
    assert client.get(reverse("accounts:audit_csv")).status_code == status


def test_people_without_a_role_get_the_no_access_page(client_as: Callable[..., Client]) -> None:
    page = client_as(None).get(reverse("accounts:audit"))
    assert page.status_code == 403
    assert str(NO_ACCESS) in page.content.decode()


@pytest.fixture
def trail(make_user: Callable[..., Any]) -> dict[str, Any]:
    """Entries by two people over three days (local time, Europe/Berlin)."""
    frieda = make_user(
        Role.FIELD, username="frieda", email="frieda@example.com", first_name="Frieda", last_name="Feld"
    )
    otto = make_user(
        Role.BACKOFFICE, username="otto", email="otto@example.com", first_name="Otto", last_name="Office"
    )
    with _at(dt.datetime(2026, 11, 26, 23, 30, tzinfo=BERLIN)):
        _record(frieda, target_id=1, summary={"status": "IN_PROGRESS"})
    with _at(dt.datetime(2026, 11, 27, 0, 15, tzinfo=BERLIN)):
        _record(
            otto, target_id=2, operation=Operation.CREATE_ORDER_COMMENT, summary={"text": "=HYPERLINK(1)"}
        )
    with _at(dt.datetime(2026, 11, 28, 10, 0, tzinfo=BERLIN)):
        _record(
            otto, target_id=55, target_type=Target.CUSTOMER, operation=Operation.CREATE_CUSTOMER, before=None
        )
        _record(
            frieda, target_id=1, operation=Operation.CREATE_ORDER_FIELD, before=None, after={"key": "floor"}
        )
    return {"frieda": frieda, "otto": otto}


def _listed(page: Any) -> list[tuple[str, str, str]]:
    return [(entry.user_email, entry.operation, entry.target_id) for entry in page.context["entries"]]


def test_the_audit_page_lists_newest_first(client_as: Callable[..., Client], trail: dict[str, Any]) -> None:
    page = client_as(Role.ADMIN).get(reverse("accounts:audit"))
    assert _listed(page) == [
        ("frieda@example.com", "CreateOrderField", "1"),
        ("otto@example.com", "CreateCustomer", "55"),
        ("otto@example.com", "CreateOrderComment", "2"),
        ("frieda@example.com", "PatchOrder", "1"),
    ]
    html = page.content.decode()
    assert "Frieda Feld" in html
    # The page's words: the status as the order page says it, not relay's code.
    assert "<del><bdi>Offen</bdi></del>" in html
    assert "<ins><bdi>Erledigt</bdi></ins>" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            {"user": "frieda"},
            [("frieda@example.com", "CreateOrderField", "1"), ("frieda@example.com", "PatchOrder", "1")],
        ),
        (
            {"user": "Office"},
            [("otto@example.com", "CreateCustomer", "55"), ("otto@example.com", "CreateOrderComment", "2")],
        ),
        (
            {"order": "1"},
            [("frieda@example.com", "CreateOrderField", "1"), ("frieda@example.com", "PatchOrder", "1")],
        ),
        ({"order": "55"}, []),  # a customer id is not an order id
        ({"operation": "CreateOrderComment"}, [("otto@example.com", "CreateOrderComment", "2")]),
        (
            {"date_from": "2026-11-27", "date_to": "2026-11-27"},
            [("otto@example.com", "CreateOrderComment", "2")],
        ),
        ({"date_to": "2026-11-26"}, [("frieda@example.com", "PatchOrder", "1")]),
        ({"date_from": "2026-11-28", "user": "otto"}, [("otto@example.com", "CreateCustomer", "55")]),
    ],
)
def test_audit_filters(
    client_as: Callable[..., Client], trail: dict[str, Any], query: dict[str, str], expected: list[Any]
) -> None:
    page = client_as(Role.ADMIN).get(reverse("accounts:audit"), query)
    assert _listed(page) == expected


def test_an_invalid_filter_is_explained_not_applied(
    client_as: Callable[..., Client], trail: dict[str, Any]
) -> None:
    page = client_as(Role.ADMIN).get(
        reverse("accounts:audit"), {"order": "abc", "date_from": "2026-11-28", "date_to": "2026-11-01"}
    )
    assert page.status_code == 200
    assert str(DATES_REVERSED) in page.content.decode()
    assert len(_listed(page)) == 2  # only the valid date_from filters


def test_the_audit_page_is_paged_and_pages_keep_the_filters(
    client_as: Callable[..., Client], field_user: Any
) -> None:
    for number in range(55):
        _record(field_user, target_id=number)
    client = client_as(Role.ADMIN)
    first = client.get(reverse("accounts:audit"), {"user": "frieda"})
    assert len(first.context["entries"]) == 50
    assert "?user=frieda&amp;page=2" in first.content.decode()
    second = client.get(reverse("accounts:audit"), {"user": "frieda", "page": "2"})
    assert len(second.context["entries"]) == 5


def _csv(response: Any) -> tuple[str, list[list[str]]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    delimiter = ";" if body.splitlines()[0].count(";") else ","
    return body, list(csv.reader(io.StringIO(body.removeprefix(BOM)), delimiter=delimiter))


def test_csv_export(client_as: Callable[..., Client], trail: dict[str, Any]) -> None:
    response = client_as(Role.ADMIN).get(reverse("accounts:audit_csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="relaydash-audit-')
    body, rows = _csv(response)
    assert body.startswith(BOM)  # Excel reads UTF-8 only with it
    assert body.splitlines()[0].count(";") == 11  # German Excel's separator
    header, *lines = rows
    assert len(header) == 12
    assert len(lines) == 4
    newest = lines[0]
    assert newest[:7] == [
        "2026-11-28T10:00:00+01:00",
        "Frieda Feld",
        "frieda@example.com",
        "CreateOrderField",
        "order",
        "1",
        "ok",
    ]
    assert newest[-1] == '{"key": "floor"}'
    comment = lines[2]
    assert comment[9] == '{"text": "=HYPERLINK(1)"}'
    patch = lines[3]
    assert patch[0] == "2026-11-26T23:30:00+01:00"
    assert (patch[10], patch[11]) == ('{"status": "OPEN"}', '{"status": "FINISHED"}')


def test_csv_cells_that_excel_would_run_are_defused(
    client_as: Callable[..., Client], make_user: Callable[..., Any]
) -> None:
    sneaky = make_user(Role.FIELD, username="sneaky", first_name="=cmd|' /C calc'!A0", last_name="")
    _record(sneaky)
    _, rows = _csv(client_as(Role.ADMIN).get(reverse("accounts:audit_csv")))
    assert rows[1][1] == "'=cmd|' /C calc'!A0"


def test_csv_export_uses_the_same_filters(client_as: Callable[..., Client], trail: dict[str, Any]) -> None:
    _, rows = _csv(client_as(Role.ADMIN).get(reverse("accounts:audit_csv"), {"user": "otto", "order": "2"}))
    assert [row[3] for row in rows[1:]] == ["CreateOrderComment"]


def test_csv_export_in_english_uses_commas(client_as: Callable[..., Client], trail: dict[str, Any]) -> None:
    response = client_as(Role.ADMIN).get(reverse("accounts:audit_csv"), headers={"Accept-Language": "en"})
    body, rows = _csv(response)
    assert rows[0][0] == "Time"
    assert body.splitlines()[0].count(",") == 11


def test_the_audit_page_links_its_filtered_export(
    client_as: Callable[..., Client], trail: dict[str, Any]
) -> None:
    page = client_as(Role.ADMIN).get(reverse("accounts:audit"), {"user": "otto", "page": "1"})
    assert f'href="{reverse("accounts:audit_csv")}?user=otto"' in page.content.decode()


# The order page's history ----------------------------------------------------------------


def test_an_orders_history_holds_only_that_order(trail: dict[str, Any]) -> None:
    entries = list(audit_entries_for_order(order_id=1))
    assert [entry.operation for entry in entries] == ["CreateOrderField", "PatchOrder"]
    assert list(audit_entries_for_order(order_id=55)) == []


def test_the_order_history_partial(field_user: Any) -> None:
    _record(field_user, target_id=9)
    with (
        pytest.raises(ValidationFailed),
        audit_write(
            actor=field_user,
            operation=Operation.CREATE_ORDER_COMMENT,
            target_type=Target.ORDER,
            target_id=9,
            summary={"text": "Fertig", "files": [{"name": "plan.pdf", "size": 1_258_291}]},
        ),
    ):
        raise ValidationFailed("too many files", status=413)
    with translation.override("en"):
        html = render_to_string(
            "accounts/_order_audit.html", {"entries": audit_entries_for_order(order_id=9)}
        )
    assert "Order changed" in html
    assert "Comment posted" in html
    assert "<del><bdi>Open</bdi></del>" in html  # the status as the order page says it
    assert "<ins><bdi>Finished</bdi></ins>" in html
    assert "plan.pdf (1.2" in html
    assert "Failed" in html
    assert "HTTP 413: <bdi>too many files</bdi>" in html
    assert "Frieda Feld" in html
    with translation.override("en"):
        empty = render_to_string("accounts/_order_audit.html", {"entries": []})
    assert "No changes have been made to this order through relaydash yet." in empty
