"""ACCEPTANCE: a write whose outcome is unknown is checked in relay, never guessed.

Every write relaydash sends × the four faults that leave its outcome unknown, over real
HTTP (the sandbox behind the live server) and through the pages (Django's test client,
with htmx and without JavaScript where the page offers both):

- cut: relay ran the write, its answer is cut in half (the connection closes);
- drop: relay ran the write, the connection closes without an answer;
- stall: relay ran the write, its answer comes after the client stopped waiting;
- garbage: relay did NOT run the write and answered 200 with a maintenance page.

Each case runs twice: once with relay readable right after the fault (relaydash looks
and knows at once) and once with that look failing too (the page says relay may have
saved it, and the retry looks first). In every case, after at most one retry relay holds
exactly one copy (or the patched values, patched once), and the person was never told
"nothing was changed" when relay had it, nor "saved" when it did not.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from relaydash.accounts.models import AuditEntry
from relaydash.directory.views import ADDRESS_UNKNOWN
from relaydash.orders.detail_views import COMMENT_POSTED, FIELD_ADDED, STATUS_SAVED
from relaydash.relay.client import RelayClient
from relaydash.sandbox import faults
from relaydash.sandbox.faults import After
from relaydash.sandbox.models import Address as SandboxAddress
from relaydash.sandbox.models import Comment as SandboxComment
from relaydash.sandbox.models import Customer as SandboxCustomer
from relaydash.sandbox.models import Order as SandboxOrder
from relaydash.sandbox.models import OrderField as SandboxOrderField
from relaydash.sandbox.models import Property as SandboxProperty
from relaydash.web import WRITE_NOT_SAVED, WRITE_UNKNOWN

pytestmark = pytest.mark.django_db(transaction=True)

FAULTS = ("cut", "drop", "stall", "garbage")
APPLIED = frozenset({"cut", "drop", "stall"})  # relay ran the write
# The client waits this long for a write's answer in these tests; a stall is longer.
WRITE_WAIT = 0.5
STALL_SECONDS = 1.5
RETRY = re.compile(r'name="retry_of" value="([^"]+)"')
HTMX = {"HX-Request": "true"}
# What a person must never read when relay may have the write.
NOTHING_CHANGED = ("nothing was changed", "es wurde nichts geändert")


def english(message: object, **values: object) -> str:
    with translation.override("en"):
        text = str(message) % values if values else str(message)
    return html.escape(text)


def arrange(fault: str, operation: str) -> None:
    if fault == "garbage":
        faults.garbage_next(operation=operation)
    elif fault == "stall":
        faults.after_next(kind=After.STALL, operation=operation, seconds=STALL_SECONDS)
    else:
        faults.after_next(kind=After(fault), operation=operation)


def never_says_nothing_changed(page: str) -> None:
    folded = html.unescape(page).casefold()
    assert not any(words in folded for words in NOTHING_CHANGED), "told 'nothing was changed'"


def retry_mark(page: str) -> str:
    found = RETRY.findall(page)
    assert found, "the form sent back after an unknown outcome carries no retry mark"
    return html.unescape(found[0])


@pytest.fixture
def quick_writes(settings: Any) -> None:
    settings.RELAY_TIMEOUT_WRITE = WRITE_WAIT
    settings.RELAY_TIMEOUT_UPLOAD = WRITE_WAIT


@dataclass
class Write:
    """One write as a person sends it through a page, and how to count it in relay."""

    operation: str
    look: str  # the read that tells whether relay has it
    send: Callable[[Client, dict[str, str]], Any]
    copies: Callable[[], int]
    saved: Callable[[Any], bool]


def _order_id(relay: RelayClient) -> int:
    order = next(o for o in relay.get_orders() if o.id is not None)
    assert order.id is not None
    return order.id


def _comment(relay: RelayClient, htmx: bool) -> Write:
    order_id = _order_id(relay)
    text = "Zähler abgelesen, Foto anbei. (Prüfung 7)"

    def send(client: Client, extra: dict[str, str]) -> Any:
        photo = SimpleUploadedFile("zaehler.jpg", b"\xff\xd8" + b"x" * 2000, content_type="image/jpeg")
        data = {"text": text, "attachments": [photo], **extra}
        headers = {"Accept-Language": "en", **(HTMX if htmx else {})}
        return client.post(f"/orders/{order_id}/comments/new/", data, headers=headers)

    def saved(response: Any) -> bool:
        if htmx:
            return response.status_code == 200 and english(COMMENT_POSTED) in response.content.decode()
        return response.status_code == 302

    def copies() -> int:
        found = SandboxComment.objects.filter(order_id=order_id, text=text)
        assert all(c.attachments.count() == 1 for c in found)  # each with its file
        return found.count()

    return Write("CreateOrderComment", "GetOrderComments", send, copies, saved)


def _field(relay: RelayClient, htmx: bool) -> Write:
    order_id = _order_id(relay)
    data = {"name": "Zählerstand Prüfung", "content": "4711 kWh", "position": "5"}

    def send(client: Client, extra: dict[str, str]) -> Any:
        headers = {"Accept-Language": "en", **(HTMX if htmx else {})}
        return client.post(f"/orders/{order_id}/fields/new/", {**data, **extra}, headers=headers)

    def saved(response: Any) -> bool:
        if htmx:
            note = english(FIELD_ADDED, name=data["name"])
            return response.status_code == 200 and note in response.content.decode()
        return response.status_code == 302

    def copies() -> int:
        return SandboxOrderField.objects.filter(order_id=order_id, name=data["name"], position=5).count()

    return Write("CreateOrderField", "GetOrder", send, copies, saved)


def _customer(relay: RelayClient, htmx: bool) -> Write:
    name = "Hausverwaltung Prüfstand GmbH"
    data = {
        "name": name,
        "email_address": "pruef@stand.example",
        "telephone": "",
        "internal_id": "K-7777",
        "external_id": "",
        "casavi_account_id": "",
        "address-street_address": "Prüfweg 1",
        "address-postal_code": "10969",
        "address-locality": "Berlin",
        "address-country": "DE",
        "address-additional_info": "",
    }

    def send(client: Client, extra: dict[str, str]) -> Any:
        return client.post("/customers/new/", {**data, **extra}, headers={"Accept-Language": "en"})

    return Write(
        "CreateCustomer",
        "GetCustomers",
        send,
        lambda: SandboxCustomer.objects.filter(name=name).count(),
        lambda response: response.status_code == 302,
    )


def _property(relay: RelayClient, htmx: bool) -> Write:
    name = "Wohnanlage Prüfstand"
    data = {
        "name": name,
        "customer_id": "",
        "msc_number": "MSC-7777",
        "internal_id": "O-7777",
        "external_id": "E-7777",
        "address-street_address": "Prüfweg 2",
        "address-postal_code": "10969",
        "address-locality": "Berlin",
        "address-country": "DE",
        "address-additional_info": "",
    }

    def send(client: Client, extra: dict[str, str]) -> Any:
        return client.post("/properties/new/", {**data, **extra}, headers={"Accept-Language": "en"})

    return Write(
        "CreateProperties",
        "GetProperties",
        send,
        lambda: SandboxProperty.objects.filter(name=name).count(),
        lambda response: response.status_code == 302,
    )


CREATES: dict[str, Callable[[RelayClient, bool], Write]] = {
    "comment": _comment,
    "comment-nojs": _comment,
    "field": _field,
    "field-nojs": _field,
    "customer": _customer,
    "property": _property,
}


@pytest.mark.usefixtures("quick_writes")
@pytest.mark.parametrize("look", ["readable", "unreadable"])
@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("write", sorted(CREATES))
def test_a_create_with_a_lost_answer_ends_with_exactly_one_copy_after_one_retry(
    seeded: RelayClient, backoffice: Client, write: str, fault: str, look: str
) -> None:
    case = CREATES[write](seeded, not write.endswith("-nojs"))
    arrange(fault, case.operation)
    if look == "unreadable":
        faults.fail_next(status=500, operation=case.look)

    first = case.send(backoffice, {})
    page = first.content.decode()
    never_wrong = fault in APPLIED
    if never_wrong:
        never_says_nothing_changed(page)
    assert case.copies() == (1 if fault in APPLIED else 0)

    if look == "readable" and fault in APPLIED:
        # relaydash looked at once and found it: the person reads "saved".
        assert case.saved(first), page
        assert AuditEntry.objects.get(operation=case.operation).outcome == AuditEntry.Outcome.CHECKED
        assert case.copies() == 1
        return
    assert not case.saved(first), "told 'saved' before relaydash knew"
    if look == "readable":  # garbage: relay does not have it, and says so; a plain retry is safe
        assert english(WRITE_NOT_SAVED) in page
        assert not RETRY.findall(page)
        extra: dict[str, str] = {}
        assert AuditEntry.objects.get(operation=case.operation).outcome == AuditEntry.Outcome.FAILED
    else:  # relay could not be read either: it may have it, and the retry looks first
        assert english(WRITE_UNKNOWN) in page
        extra = {"retry_of": retry_mark(page)}
        assert AuditEntry.objects.get(operation=case.operation).outcome == AuditEntry.Outcome.UNKNOWN

    second = case.send(backoffice, extra)
    assert case.saved(second), second.content.decode()
    assert case.copies() == 1
    outcomes = list(
        AuditEntry.objects.filter(operation=case.operation).order_by("id").values_list("outcome", flat=True)
    )
    expected_last = AuditEntry.Outcome.CHECKED if fault in APPLIED else AuditEntry.Outcome.OK
    assert outcomes[-1] == expected_last


@pytest.mark.usefixtures("quick_writes")
@pytest.mark.parametrize("look", ["readable", "unreadable"])
@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "nojs"])
def test_a_status_change_with_a_lost_answer_is_patched_once_and_told_truthfully(
    seeded: RelayClient, backoffice: Client, htmx: bool, fault: str, look: str
) -> None:
    order = next(o for o in seeded.get_orders() if o.status_text == "OPEN")
    assert order.id is not None
    page = backoffice.get(f"/orders/{order.id}/", headers={"Accept-Language": "en"}).content.decode()
    seen = {
        "seen_updated_at": html.unescape(re.findall(r'name="seen_updated_at" value="([^"]*)"', page)[0]),
        "seen_values": re.findall(r'name="seen_values" value="([^"]*)"', page)[0],
    }
    headers = {"Accept-Language": "en", **(HTMX if htmx else {})}

    def send(extra: dict[str, str]) -> Any:
        data = {"part": "status", "status": "IN_PROGRESS", **seen, **extra}
        return backoffice.post(f"/orders/{order.id}/patch/", data, headers=headers)

    def saved(response: Any) -> bool:
        if htmx:
            note = english(STATUS_SAVED, status="In progress")
            return response.status_code == 200 and note in response.content.decode()
        return response.status_code == 302

    def stamp() -> tuple[str, Any]:
        row = SandboxOrder.objects.get(pk=order.id)
        return row.status, row.updated_at

    before = stamp()
    arrange(fault, "PatchOrder")
    if look == "unreadable":
        faults.fail_next(status=500, operation="GetOrder", skip=1)  # the look, not the check before
    first = send({})
    after_first = stamp()
    body = first.content.decode()
    assert (after_first != before) == (fault in APPLIED)
    if fault in APPLIED:
        never_says_nothing_changed(body)
    if look == "readable" and fault in APPLIED:
        assert saved(first), body
        assert AuditEntry.objects.get(operation="PatchOrder").outcome == AuditEntry.Outcome.CHECKED
        return
    assert not saved(first), "told 'saved' before relaydash knew"
    if look == "readable":
        assert english(WRITE_NOT_SAVED) in body
        extra: dict[str, str] = {}
    else:
        assert english(WRITE_UNKNOWN) in body
        extra = {"retry_of": retry_mark(body)}
    second = send(extra)
    assert saved(second), second.content.decode()
    final = stamp()
    assert final[0] == "IN_PROGRESS"
    if fault in APPLIED:
        assert final == after_first  # the retry found it done and sent nothing
    else:
        assert final != before  # patched by the retry, once
    assert AuditEntry.objects.filter(operation="PatchOrder").last() is not None


@pytest.mark.usefixtures("quick_writes")
@pytest.mark.parametrize("fault", FAULTS)
def test_an_address_with_a_lost_answer_is_not_called_saved_and_its_id_must_be_checked(
    relay: RelayClient, backoffice: Client, fault: str
) -> None:
    data = {
        "street_address": "Unikatweg 9",
        "postal_code": "10969",
        "locality": "Berlin",
        "country": "DE",
        "additional_info": "",
    }
    arrange(fault, "CreateAddress")
    response = backoffice.post("/addresses/new/", data, headers={"Accept-Language": "en"})
    page = response.content.decode()

    assert response.status_code != 302  # never "created with id ..."
    assert english(ADDRESS_UNKNOWN) in page
    never_says_nothing_changed(page)
    copies = SandboxAddress.objects.filter(street_address="Unikatweg 9").count()
    assert copies == (1 if fault in APPLIED else 0)
    assert AuditEntry.objects.get(operation="CreateAddress").outcome == AuditEntry.Outcome.UNKNOWN
    if fault not in APPLIED:
        # Checked in relay (it has none): sending it again creates exactly one.
        again = backoffice.post("/addresses/new/", data, headers={"Accept-Language": "en"})
        assert again.status_code == 302
        assert SandboxAddress.objects.filter(street_address="Unikatweg 9").count() == 1


# --- Not done: relay refused or failed, and the page says nothing was changed ----------


@pytest.mark.parametrize("status", [500, 502, 503, 401, 404])
@pytest.mark.parametrize("write", sorted(CREATES))
def test_a_create_relay_refuses_or_fails_is_not_done_and_says_so(
    seeded: RelayClient, backoffice: Client, write: str, status: int
) -> None:
    case = CREATES[write](seeded, not write.endswith("-nojs"))
    faults.fail_next(status=status, operation=case.operation)
    response = case.send(backoffice, {})
    page = html.unescape(response.content.decode())
    assert not case.saved(response)
    assert case.copies() == 0
    assert ("does not know" in page) if status == 404 else ("Nothing was changed." in page)
    assert not RETRY.findall(response.content.decode())  # not done: a plain retry is safe
    assert AuditEntry.objects.get(operation=case.operation).outcome == AuditEntry.Outcome.FAILED
    again = case.send(backoffice, {})
    assert case.saved(again) and case.copies() == 1


@pytest.mark.parametrize("status", [500, 502, 503, 401, 404])
def test_a_status_change_relay_refuses_or_fails_is_not_done_and_says_so(
    seeded: RelayClient, backoffice: Client, status: int
) -> None:
    order = next(o for o in seeded.get_orders() if o.status_text == "OPEN")
    page = backoffice.get(f"/orders/{order.id}/", headers={"Accept-Language": "en"}).content.decode()
    data = {
        "part": "status",
        "status": "IN_PROGRESS",
        "seen_updated_at": html.unescape(re.findall(r'name="seen_updated_at" value="([^"]*)"', page)[0]),
        "seen_values": re.findall(r'name="seen_values" value="([^"]*)"', page)[0],
    }
    faults.fail_next(status=status, operation="PatchOrder")
    response = backoffice.post(f"/orders/{order.id}/patch/", data, headers={"Accept-Language": "en", **HTMX})
    body = html.unescape(response.content.decode())
    assert response.status_code >= 400
    assert ("does not know" in body) if status == 404 else ("Nothing was changed." in body)
    assert SandboxOrder.objects.get(pk=order.id).status == "OPEN"
    assert AuditEntry.objects.get(operation="PatchOrder").outcome == AuditEntry.Outcome.FAILED


@pytest.mark.parametrize("status", [500, 502, 503, 401, 404])
def test_an_address_relay_refuses_or_fails_is_not_done_and_says_so(
    relay: RelayClient, backoffice: Client, status: int
) -> None:
    data = {"street_address": "Unikatweg 10", "postal_code": "10969", "locality": "Berlin", "country": "DE"}
    faults.fail_next(status=status, operation="CreateAddress")
    response = backoffice.post("/addresses/new/", data, headers={"Accept-Language": "en"})
    body = html.unescape(response.content.decode())
    assert response.status_code >= 400
    assert "Nothing was changed." in body or "does not know" in body
    assert not SandboxAddress.objects.filter(street_address="Unikatweg 10").exists()
