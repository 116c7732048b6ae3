"""Changing an order's status, due date, internal id and address from its detail page:
htmx swaps and plain POST → redirect → GET, per-field permissions, the lost-update
guard with its one-click re-apply, and every way relay can fail."""

import datetime as dt
import html
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from relaydash.accounts.models import AuditEntry
from relaydash.accounts.permissions import Role
from relaydash.directory.forms import POSTAL_CODE_DE_INVALID
from relaydash.orders.detail_views import (
    ADDRESS_SAVED,
    DUE_DATE_SAVED,
    INTERNAL_ID_SAVED,
    NOTHING_CHANGED,
    ORDER_CHANGED,
    ORDER_GONE,
    STATUS_SAVED,
)
from relaydash.orders.forms import DUE_DATE_INVALID, SEEN_MISSING, STATUS_INVALID, unsign_seen
from relaydash.relay.client import RelayClient
from relaydash.relay.records import OrderPatch, OrderStatus
from relaydash.sandbox import faults
from relaydash.web import NOTHING_CHANGED as NOT_DONE
from relaydash.web import RELAY_FAILED, RELAY_REJECTED, RELAY_UNAVAILABLE
from tests.orders.detail_support import (
    detail_url,
    english,
    get,
    pick,
    post,
    seen_of,
)

BERLIN = ZoneInfo("Europe/Berlin")
REAPPLY = re.compile(
    r'<form method="post" action="[^"]+/patch/"[^>]*>\s*'
    r'<input type="hidden" name="csrfmiddlewaretoken"[^>]*>'
    r'<input type="hidden" name="part" value="(\w+)">(.*?)</form>',
    re.S,
)
HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')


def patch(client: Client, order_id: int, data: dict[str, Any], **kwargs: Any) -> Any:
    return post(client, detail_url(order_id, "patch"), data, **kwargs)


def open_order(relay: RelayClient) -> Any:
    return pick(relay, lambda o: o.status is OrderStatus.OPEN and o.address is not None)


# --- Status --------------------------------------------------------------------------------


def test_status_change_swaps_its_part(seeded: RelayClient, backoffice: Client) -> None:
    order = open_order(seeded)
    seen = seen_of(seeded, order.id, backoffice)
    response = patch(backoffice, order.id, {"part": "status", "status": "IN_PROGRESS", **seen})
    assert response.status_code == 200
    assert response["HX-Trigger"] == "orderPatched"
    body = response.content.decode()
    assert english(STATUS_SAVED, status="In progress") in body
    assert body.lstrip().startswith('<div id="order-status"')
    assert "<html" not in body
    assert seeded.get_order(order.id).status is OrderStatus.IN_PROGRESS
    # The header badge and the other forms' "what I saw" follow out of band.
    assert (
        'id="order-head-status" class="badge status-badge status-badge--in-progress" hx-swap-oob="true"'
        in body
    )
    # relay's answer was the documented 0: not read back, the page keeps the updatedAt
    # its patch started from, and its signed snapshot says the patch was its own.
    oob = '<div hx-swap-oob="innerHTML:.seen-inputs">'
    assert f'{oob}<input type="hidden" name="seen_updated_at" value="{order.updated_at}">' in body
    assert (
        unsign_seen(html.unescape(re.findall(r'name="seen_values" value="([^"]*)"', body)[0]))[
            "own_patch_from"
        ]
        == order.updated_at
    )


def test_status_change_is_audited_before_and_after(seeded: RelayClient, backoffice: Client) -> None:
    order = open_order(seeded)
    patch(
        backoffice,
        order.id,
        {"part": "status", "status": "FINISHED", **seen_of(seeded, order.id, backoffice)},
    )
    entry = AuditEntry.objects.get(operation="PatchOrder", target_id=str(order.id))
    assert entry.outcome == "ok"
    assert entry.before == {"status": "OPEN"}
    assert entry.after == {"status": "FINISHED"}
    assert entry.user_email == "backoffice-user@example.com"
    # The page lists it under "Changes made through relaydash".
    page = get(backoffice, detail_url(order.id)).content.decode()
    assert "No changes have been made to this order through relaydash yet." not in page


def test_status_change_without_javascript_redirects(seeded: RelayClient, backoffice: Client) -> None:
    order = open_order(seeded)
    seen = seen_of(seeded, order.id, backoffice)
    response = patch(backoffice, order.id, {"part": "status", "status": "DECLINED", **seen}, htmx=False)
    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.id}/#order-status"
    page = get(backoffice, response["Location"]).content.decode()
    assert english(STATUS_SAVED, status="Declined") in page
    assert seeded.get_order(order.id).status is OrderStatus.DECLINED


def test_same_status_sends_nothing(seeded: RelayClient, backoffice: Client) -> None:
    order = open_order(seeded)
    response = patch(
        backoffice, order.id, {"part": "status", "status": "OPEN", **seen_of(seeded, order.id, backoffice)}
    )
    assert response.status_code == 200
    assert english(NOTHING_CHANGED) in response.content.decode()
    assert seeded.get_order(order.id).updated_at == order.updated_at
    assert not AuditEntry.objects.filter(target_id=str(order.id)).exists()


def test_unknown_status_is_refused(seeded: RelayClient, backoffice: Client) -> None:
    order = open_order(seeded)
    response = patch(
        backoffice, order.id, {"part": "status", "status": "NULL", **seen_of(seeded, order.id, backoffice)}
    )
    assert response.status_code == 422
    assert english(STATUS_INVALID) in response.content.decode()
    assert seeded.get_order(order.id).status is OrderStatus.OPEN


# --- Due date, internal id, address ---------------------------------------------------------


def test_due_date_is_local_time_sent_as_rfc3339(seeded: RelayClient, backoffice: Client) -> None:
    order = open_order(seeded)
    seen = seen_of(seeded, order.id, backoffice)
    response = patch(backoffice, order.id, {"part": "due_date", "due_date": "2027-07-01T08:30", **seen})
    assert response.status_code == 200
    assert english(DUE_DATE_SAVED) in response.content.decode()
    assert seeded.get_order(order.id).due == dt.datetime(2027, 7, 1, 8, 30, tzinfo=BERLIN)
    entry = AuditEntry.objects.get(operation="PatchOrder", target_id=str(order.id))
    assert entry.after == {"due_date": "2027-07-01T08:30:00+02:00"}


def test_due_date_in_winter_uses_the_winter_offset(seeded: RelayClient, backoffice: Client) -> None:
    order = open_order(seeded)
    seen = seen_of(seeded, order.id, backoffice)
    patch(backoffice, order.id, {"part": "due_date", "due_date": "2027-01-15T16:00", **seen})
    due = seeded.get_order(order.id).due
    assert isinstance(due, dt.datetime)
    assert due.astimezone(dt.UTC) == dt.datetime(2027, 1, 15, 15, 0, tzinfo=dt.UTC)


def test_invalid_due_date_comes_back_with_the_input(seeded: RelayClient, backoffice: Client) -> None:
    order = open_order(seeded)
    seen = seen_of(seeded, order.id, backoffice)
    response = patch(backoffice, order.id, {"part": "due_date", "due_date": "morgen früh", **seen})
    assert response.status_code == 422
    body = response.content.decode()
    assert english(DUE_DATE_INVALID) in body
    assert 'value="morgen früh"' in body
    assert 'aria-invalid="true"' in body
    assert seeded.get_order(order.id).due_date == order.due_date


def test_internal_id_can_be_set_and_cleared(seeded: RelayClient, backoffice: Client) -> None:
    order = open_order(seeded)
    seen = seen_of(seeded, order.id, backoffice)
    response = patch(backoffice, order.id, {"part": "internal_id", "internal_id": " WO-77 ", **seen})
    assert english(INTERNAL_ID_SAVED) in response.content.decode()
    assert seeded.get_order(order.id).internal_id == "WO-77"
    seen = seen_of(seeded, order.id, backoffice)
    patch(backoffice, order.id, {"part": "internal_id", "internal_id": "", **seen})
    assert not seeded.get_order(order.id).internal_id


ADDRESS = {
    "street_address": "Kastanienallee 12",
    "postal_code": "10435",
    "locality": "Berlin",
    "country": "DE",
    "additional_info": "Seitenflügel",
}


def test_address_uses_the_address_form(seeded: RelayClient, backoffice: Client) -> None:
    order = open_order(seeded)
    seen = seen_of(seeded, order.id, backoffice)
    response = patch(backoffice, order.id, {"part": "address", **ADDRESS, **seen})
    assert response.status_code == 200
    assert english(ADDRESS_SAVED) in response.content.decode()
    address = seeded.get_order(order.id).address
    assert address is not None
    assert (address.street_address, address.postal_code, address.locality, address.country) == (
        "Kastanienallee 12",
        "10435",
        "Berlin",
        "DE",
    )
    assert address.additional_info == "Seitenflügel"
    entry = AuditEntry.objects.get(operation="PatchOrder", target_id=str(order.id))
    assert entry.after == {"address": "Kastanienallee 12, 10435 Berlin, DE, Seitenflügel"}
    # The phone's quick "Map" link follows the new address at once (out of band).
    body = response.content.decode()
    quick_map = re.search(r'<li id="order-quick-map" hx-swap-oob="true">.*?</li>', body, re.S)
    assert quick_map is not None
    assert f"query={quote(address.one_line, safe='')}" in quick_map.group(0)


def test_address_errors_come_back_linked(seeded: RelayClient, backoffice: Client) -> None:
    order = open_order(seeded)
    seen = seen_of(seeded, order.id, backoffice)
    response = patch(backoffice, order.id, {"part": "address", **ADDRESS, "postal_code": "123", **seen})
    assert response.status_code == 422
    body = response.content.decode()
    assert english(POSTAL_CODE_DE_INVALID) in body
    assert 'value="Kastanienallee 12"' in body
    assert 'name="part" value="address"' in body and 'aria-invalid="true"' in body


# --- Permissions per changed field -----------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "data", "allowed"),
    [
        (Role.FIELD, {"part": "status", "status": "IN_PROGRESS"}, True),
        (Role.FIELD, {"part": "due_date", "due_date": "2027-01-01T10:00"}, False),
        (Role.FIELD, {"part": "internal_id", "internal_id": "X"}, False),
        (Role.FIELD, {"part": "address", **ADDRESS}, False),
        (Role.FIELD, {"part": "status", "status": "IN_PROGRESS", "due_date": "2027-01-01T10:00"}, False),
        (Role.FIELD, {"part": "status", "status": "IN_PROGRESS", "locality": "Bonn"}, False),
        (Role.VIEWER, {"part": "status", "status": "IN_PROGRESS"}, False),
        (Role.BACKOFFICE, {"part": "due_date", "due_date": "2027-01-01T10:00"}, True),
    ],
)
def test_each_changed_field_needs_its_permission(
    seeded: RelayClient, client_as: Callable[..., Client], role: Role, data: dict[str, str], allowed: bool
) -> None:
    order = open_order(seeded)
    client = client_as(role)
    seen = {"seen_updated_at": order.updated_at or ""}
    response = patch(client, order.id, {**data, **seen})
    if allowed:
        assert response.status_code == 200
        assert seeded.get_order(order.id).updated_at != order.updated_at
    else:
        assert response.status_code == 403
        assert seeded.get_order(order.id).updated_at == order.updated_at


def test_two_parts_at_once_are_refused(seeded: RelayClient, backoffice: Client) -> None:
    order = open_order(seeded)
    data = {"status": "FINISHED", "internal_id": "X", "seen_updated_at": order.updated_at or ""}
    assert patch(backoffice, order.id, data).status_code == 400
    assert seeded.get_order(order.id).updated_at == order.updated_at


def test_patch_needs_a_post(seeded: RelayClient, backoffice: Client) -> None:
    order = open_order(seeded)
    assert get(backoffice, detail_url(order.id, "patch")).status_code == 405


def test_form_without_what_the_user_saw_is_refused(seeded: RelayClient, backoffice: Client) -> None:
    order = open_order(seeded)
    response = patch(backoffice, order.id, {"part": "status", "status": "FINISHED"})
    assert response.status_code == 422
    assert english(SEEN_MISSING) in response.content.decode()
    assert seeded.get_order(order.id).status is OrderStatus.OPEN


# --- No lost updates -----------------------------------------------------------------------------


def test_stale_form_is_not_patched_and_shows_what_changed(seeded: RelayClient, backoffice: Client) -> None:
    order = open_order(seeded)
    seen = seen_of(seeded, order.id, backoffice)
    # Someone else (another user, or the property manager through relay) sets a due date and status.
    seeded.patch_order(
        order.id,
        OrderPatch(status=OrderStatus.IN_PROGRESS, due_date=dt.datetime(2027, 3, 3, 9, 0, tzinfo=BERLIN)),
    )
    response = patch(backoffice, order.id, {"part": "status", "status": "FINISHED", **seen})
    assert response.status_code == 409
    body = response.content.decode()
    assert english(ORDER_CHANGED) in body
    assert "Status: Open → <strong>In progress</strong>" in body
    assert "03/03/2027 9 a.m.</strong>" in body
    current = seeded.get_order(order.id)
    assert current.status is OrderStatus.IN_PROGRESS
    assert not AuditEntry.objects.filter(target_id=str(order.id)).exists()
    # The page now shows the order as it is, and its forms know that state.
    assert 'id="order-due_date" class="order-fact order-part" hx-swap-oob="true"' in body
    oob = '<div hx-swap-oob="innerHTML:.seen-inputs">'
    assert f'{oob}<input type="hidden" name="seen_updated_at" value="{current.updated_at}">' in body

    # One click applies the user's change against the order as it is now.
    part, hidden = REAPPLY.search(body).groups()  # type: ignore[union-attr]
    values = dict(HIDDEN.findall(hidden))
    assert part == "status"
    assert values["status"] == "FINISHED"
    assert html.unescape(values["seen_updated_at"]) == current.updated_at
    again = patch(backoffice, order.id, {"part": part, **{k: html.unescape(v) for k, v in values.items()}})
    assert again.status_code == 200
    assert seeded.get_order(order.id).status is OrderStatus.FINISHED
    # The other change was kept.
    assert seeded.get_order(order.id).due == dt.datetime(2027, 3, 3, 9, 0, tzinfo=BERLIN)


def test_conflict_without_javascript_shows_the_full_page(seeded: RelayClient, backoffice: Client) -> None:
    order = open_order(seeded)
    seen = seen_of(seeded, order.id, backoffice)
    seeded.patch_order(order.id, OrderPatch(internal_id="FREMD-1"))
    response = patch(
        backoffice, order.id, {"part": "internal_id", "internal_id": "MEINS-2", **seen}, htmx=False
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "<html" in body
    assert "Internal ID: " in body and "<strong><bdi>FREMD-1</bdi></strong>" in body
    assert "Apply my change again: MEINS-2" in body
    assert seeded.get_order(order.id).internal_id == "FREMD-1"


def test_second_patch_from_the_same_page_is_not_a_conflict(seeded: RelayClient, backoffice: Client) -> None:
    order = open_order(seeded)
    first = patch(
        backoffice,
        order.id,
        {"part": "status", "status": "IN_PROGRESS", **seen_of(seeded, order.id, backoffice)},
    )
    # Every open form's hidden values were refreshed out of band by the first answer.
    oob = re.search(r'<div hx-swap-oob="innerHTML:.seen-inputs">(.*?)</div>', first.content.decode())
    assert oob is not None
    values = {k: html.unescape(v) for k, v in re.findall(r'name="(\w+)" value="([^"]*)"', oob.group(1))}
    second = patch(backoffice, order.id, {"part": "due_date", "due_date": "2027-02-02T07:15", **values})
    assert second.status_code == 200
    assert seeded.get_order(order.id).due == dt.datetime(2027, 2, 2, 7, 15, tzinfo=BERLIN)


# --- Relay failures keep the input ---------------------------------------------------------------


def test_relay_error_keeps_the_input_and_says_unavailable(seeded: RelayClient, backoffice: Client) -> None:
    order = open_order(seeded)
    seen = seen_of(seeded, order.id, backoffice)
    faults.fail_next(status=500, operation="PatchOrder")
    response = patch(backoffice, order.id, {"part": "due_date", "due_date": "2027-05-05T12:00", **seen})
    assert response.status_code == 503
    assert response["X-Relaydash-Form"] == "error"
    body = response.content.decode()
    assert english(RELAY_FAILED, status=500) in body
    assert english(NOT_DONE) in body
    assert 'value="2027-05-05T12:00"' in body
    assert ">Try again</button>" in body
    assert seeded.get_order(order.id).due_date == order.due_date
    failed = AuditEntry.objects.get(operation="PatchOrder", target_id=str(order.id))
    assert failed.outcome == "failed" and failed.relay_status == 500
    # Retrying the same form works once relay is back.
    again = patch(backoffice, order.id, {"part": "due_date", "due_date": "2027-05-05T12:00", **seen})
    assert again.status_code == 200


def test_relay_refusal_shows_relays_reason(seeded: RelayClient, backoffice: Client) -> None:
    order = open_order(seeded)
    seen = seen_of(seeded, order.id, backoffice)
    faults.fail_next(status=400, operation="PatchOrder", body=b'{"message":"internalId is too long"}')
    response = patch(backoffice, order.id, {"part": "internal_id", "internal_id": "WO-1", **seen})
    assert response.status_code == 422
    body = response.content.decode()
    assert english(RELAY_REJECTED, message="internalId is too long") in body
    assert 'value="WO-1"' in body


def test_order_gone_says_not_found(seeded: RelayClient, backoffice: Client) -> None:
    order = open_order(seeded)
    seen = seen_of(seeded, order.id, backoffice)
    faults.fail_next(status=404, operation="GetOrder")
    response = patch(backoffice, order.id, {"part": "status", "status": "FINISHED", **seen})
    assert response.status_code == 404
    assert english(ORDER_GONE) in response.content.decode()


def test_relay_down_keeps_the_input(seeded: RelayClient, backoffice: Client, settings: Any) -> None:
    order = open_order(seeded)
    seen = seen_of(seeded, order.id, backoffice)
    settings.RELAY_API_URL = "http://127.0.0.1:9/api"
    settings.RELAY_RETRIES = 0
    response = patch(backoffice, order.id, {"part": "internal_id", "internal_id": "WO-9", **seen})
    assert response.status_code == 503
    body = response.content.decode()
    assert english(RELAY_UNAVAILABLE) in body
    assert 'value="WO-9"' in body
    # Without JavaScript the page says so too, with the form and what was typed.
    plain = patch(backoffice, order.id, {"part": "internal_id", "internal_id": "WO-9", **seen}, htmx=False)
    assert plain.status_code == 503
    page = plain.content.decode()
    assert "<html" in page and 'value="WO-9"' in page and english(RELAY_UNAVAILABLE) in page


def test_failure_without_javascript_shows_the_whole_page(seeded: RelayClient, backoffice: Client) -> None:
    order = open_order(seeded)
    seen = seen_of(seeded, order.id, backoffice)
    faults.fail_next(status=503, operation="PatchOrder")
    response = patch(backoffice, order.id, {"part": "status", "status": "FINISHED", **seen}, htmx=False)
    assert response.status_code == 503
    body = response.content.decode()
    assert "Your change was not saved." in body and 'href="#order-status"' in body
    assert html.escape(order.title or "") in body
