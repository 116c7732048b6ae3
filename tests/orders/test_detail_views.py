"""The order detail page over the sandbox relay: what it shows, what each role may do,
and every page state (unknown order, relay down, customer list down).

The actions (patch, comments, fields) have their own files next to this one."""

import datetime as dt
import html
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from relaydash.accounts.permissions import Role
from relaydash.display.phone import tel_href
from relaydash.orders.status import status_label
from relaydash.relay.client import RelayClient
from relaydash.relay.records import OrderFieldInput, OrderStatus
from relaydash.sandbox import faults
from relaydash.web import RELAY_FAILED, RELAY_UNAVAILABLE
from tests.orders.detail_support import (
    HTMX,
    detail_url,
    english,
    get,
    pick,
)

BERLIN = ZoneInfo("Europe/Berlin")
COMMENT_IDS = re.compile(r'data-comment-id="(\d+)"')
FIELD_NAMES = re.compile(
    r'<span class="order-fields__position">[^<]*</span> (?:<bdi>)?([^<]*)(?:</bdi>)?</dt>'
)


def test_header_shows_the_order_facts(seeded: RelayClient, backoffice: Client) -> None:
    order = pick(seeded, lambda o: bool(o.internal_id and o.type and o.follow_up_date and o.title))
    page = get(backoffice, detail_url(order.id)).content.decode()
    title = html.escape(order.title or "")
    assert f'<h1 id="order-title" class="order-title"><bdi>{title}</bdi></h1>' in page
    assert status_label(order) in page
    assert html.escape(order.internal_id or "") in page
    assert html.escape(order.type or "") in page
    assert isinstance(order.due, dt.datetime) and isinstance(order.follow_up, dt.datetime)
    for moment in (order.due, order.follow_up, order.created, order.updated):
        assert isinstance(moment, dt.datetime)
        assert moment.astimezone(BERLIN).strftime("%m/%d/%Y") in page
    assert ("Yes, not from a property manager" if order.is_internal else "<dd>No</dd>") in page


def test_internal_orders_say_so(seeded: RelayClient, backoffice: Client) -> None:
    order = pick(seeded, lambda o: o.is_internal is True)
    assert "Yes, not from a property manager" in get(backoffice, detail_url(order.id)).content.decode()


def test_address_links_to_the_map_and_can_be_copied(seeded: RelayClient, backoffice: Client) -> None:
    order = pick(seeded, lambda o: o.address is not None)
    assert order.address is not None
    page = get(backoffice, detail_url(order.id)).content.decode()
    one_line = order.address.one_line
    assert f'href="https://www.openstreetmap.org/search?query={quote(one_line, safe="")}"' in page
    assert f'data-copy="{html.escape(one_line)}"' in page
    assert html.escape(order.address.street_address or "") in page


def test_contact_persons_can_be_called_and_mailed(seeded: RelayClient, backoffice: Client) -> None:
    order = pick(
        seeded, lambda o: any(p.telephone and p.mobile and p.email_address for p in o.contact_persons)
    )
    page = get(backoffice, detail_url(order.id)).content.decode()
    for person in order.contact_persons:
        assert html.escape(person.name or "") in page
        for number in (person.telephone, person.mobile):
            if number:
                assert f'href="{tel_href(number)}"' in page
        if person.email_address:
            assert f'href="mailto:{quote(person.email_address, safe="@")}"' in page


QUICK_ACTIONS = re.compile(r'<nav class="order-quick".*?</nav>', re.S)


def quick_actions(page: str) -> str:
    """The row of quick actions under the title (one per page)."""
    [found] = QUICK_ACTIONS.findall(page)
    return found


@pytest.mark.parametrize("first_has_mobile", [True, False], ids=["mobile", "telephone only"])
def test_quick_actions_map_call_status_comment(
    seeded: RelayClient, client_as: Callable[..., Client], first_has_mobile: bool
) -> None:
    """At the door: the map, a call to the first contact person (the mobile if they have
    one, else the landline), and jumps to the status and the comment form."""
    order = pick(
        seeded,
        lambda o: (
            o.address is not None
            and bool(o.contact_persons)
            and bool(o.contact_persons[0].telephone)
            and bool(o.contact_persons[0].mobile) is first_has_mobile
        ),
    )
    assert order.address is not None
    person = order.contact_persons[0]
    number = (person.mobile if first_has_mobile else person.telephone) or ""
    page = get(client_as(Role.FIELD), detail_url(order.id)).content.decode()
    quick = quick_actions(page)
    map_url = f"https://www.openstreetmap.org/search?query={quote(order.address.one_line, safe='')}"
    assert f'href="{map_url}" target="_blank" rel="noopener noreferrer"' in quick
    assert "Map<span" in quick and "(OpenStreetMap, opens in a new tab)" in quick
    call = f'href="{tel_href(number)}" aria-label="Call {html.escape(person.name or "")}"'
    assert call in quick and quick.count('href="tel:') == 1
    assert '<a class="order-quick__action" href="#order-status">' in quick
    assert '<a class="order-quick__action" href="#comments" data-quick-comment>' in quick
    # The anchors exist on the page they jump to.
    assert 'id="order-status"' in page and 'id="comments"' in page


def test_quick_actions_offer_only_what_the_role_may_do(
    seeded: RelayClient, client_as: Callable[..., Client]
) -> None:
    order = pick(seeded, lambda o: o.address is not None and bool(o.contact_persons))
    quick = quick_actions(get(client_as(Role.VIEWER), detail_url(order.id)).content.decode())
    assert "openstreetmap.org" in quick and 'href="tel:' in quick
    assert "#order-status" not in quick and "#comments" not in quick


def test_quick_actions_in_german(seeded: RelayClient, client_as: Callable[..., Client]) -> None:
    order = pick(seeded, lambda o: o.address is not None and bool(o.contact_persons))
    name = html.escape(order.contact_persons[0].name or "")
    page = client_as(Role.FIELD).get(detail_url(order.id), headers={"Accept-Language": "de"})
    quick = quick_actions(page.content.decode())
    assert 'aria-label="Schnellzugriff"' in quick
    assert f'aria-label="{name} anrufen"' in quick
    for label in ("Karte<span", "Anrufen</a>", "Status</a>", "Kommentar</a>"):
        assert label in quick


def test_fields_are_listed_by_position(seeded: RelayClient, backoffice: Client) -> None:
    order = pick(seeded, lambda o: len(o.fields) >= 2)
    # A field added with a position before all others must come first.
    seeded.create_order_field(
        OrderFieldInput(name="Zuerst", content="vorne", position=0, order_id=order.id or 0)
    )
    page = get(backoffice, detail_url(order.id)).content.decode()
    expected = ["Zuerst"] + [f.name for f in sorted(order.fields, key=lambda f: (f.position, f.id))]
    assert FIELD_NAMES.findall(page) == [html.escape(name or "") for name in expected]


def test_attachments_show_name_type_and_date(seeded: RelayClient, backoffice: Client) -> None:
    order = pick(seeded, lambda o: bool(o.attachments))
    page = get(backoffice, detail_url(order.id)).content.decode()
    for attachment in order.attachments:
        assert html.escape(attachment.name or "") in page
    kinds = {"image/": "Image:", "pdf": "PDF document:", "word": "Document:"}
    for fragment, label in kinds.items():
        if any(fragment in (a.item_type or "") for a in order.attachments):
            assert label in page


def test_customer_comes_from_get_customers(seeded: RelayClient, backoffice: Client) -> None:
    order = pick(seeded, lambda o: o.customer_id is not None)
    customer = next(c for c in seeded.get_customers() if c.id == order.customer_id)
    page = get(backoffice, detail_url(order.id)).content.decode()
    assert html.escape(customer.name or "") in page
    assert f'href="mailto:{quote(customer.email_address or "", safe="@")}"' in page
    assert html.escape(customer.telephone or "") in page


def test_customer_list_down_still_shows_the_order(seeded: RelayClient, backoffice: Client) -> None:
    order = pick(seeded, lambda o: o.customer_id is not None)
    faults.fail_next(status=500, operation="GetCustomers")
    response = get(backoffice, detail_url(order.id))
    assert response.status_code == 200
    page = response.content.decode()
    assert html.escape(order.title or "") in page
    assert "The customer could not be loaded from relay right now." in page


def test_comments_newest_first_escaped_with_line_breaks(seeded: RelayClient, backoffice: Client) -> None:
    order = pick(seeded, lambda o: len(o.comments) >= 2)
    text = '<script>alert("x")</script>\nZweite Zeile & mehr'
    new_id = seeded.create_order_comment(order.id or 0, text=text, author_name="Max <Mustermann>")
    page = get(backoffice, detail_url(order.id)).content.decode()
    ids = [int(i) for i in COMMENT_IDS.findall(page)]
    comments = seeded.get_order_comments(order.id or 0)
    expected = [c.id for c in sorted(comments, key=lambda c: (c.created, c.id or 0), reverse=True)]
    assert ids == expected
    assert ids[0] == new_id
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;\nZweite Zeile &amp; mehr" in page
    assert "Max &lt;Mustermann&gt;" in page


def test_comment_attachments_are_listed_with_the_comment(seeded: RelayClient, backoffice: Client) -> None:
    order = pick(seeded, lambda o: any(c.attachments for c in o.comments))
    page = get(backoffice, detail_url(order.id)).content.decode()
    comment = next(c for c in order.comments if c.attachments)
    item = page[page.index(f'id="comment-{comment.id}"') :]
    item = item[: item.index("</article>")]
    for attachment in comment.attachments:
        assert html.escape(attachment.name or "") in item


def test_unknown_order_is_a_404_page(seeded: RelayClient, backoffice: Client) -> None:
    response = get(backoffice, detail_url(987654))
    assert response.status_code == 404
    assert "There is nothing at this address" in response.content.decode()


def test_relay_down_says_so(seeded: RelayClient, backoffice: Client, settings: Any) -> None:
    settings.RELAY_API_URL = "http://127.0.0.1:9/api"
    settings.RELAY_RETRIES = 0
    response = get(backoffice, detail_url(1))
    assert response.status_code == 503
    page = response.content.decode()
    assert english(RELAY_UNAVAILABLE) in page
    assert 'role="alert"' in page
    assert ">Try again</a>" in page


def test_relay_failing_with_500_says_so(seeded: RelayClient, backoffice: Client) -> None:
    order = seeded.get_orders()[0]
    faults.fail_next(status=500, operation="GetOrder")
    response = get(backoffice, detail_url(order.id))
    assert response.status_code == 503
    assert english(RELAY_FAILED, status=500) in response.content.decode()


def test_the_page_changes_are_listed(seeded: RelayClient, backoffice: Client) -> None:
    order = pick(seeded, lambda o: o.status is OrderStatus.OPEN)
    page = get(backoffice, detail_url(order.id)).content.decode()
    assert "Changes made through relaydash" in page
    assert "No changes have been made to this order through relaydash yet." in page


# --- Roles: each sees only the controls it may use ----------------------------------------

CONTROLS = {
    "status": 'name="part" value="status"',
    "due_date": "parts/due_date/?edit=1",
    "internal_id": "parts/internal_id/?edit=1",
    "address": "parts/address/?edit=1",
    "comment": 'id="comment-form"',
    "field": "parts/field/?edit=1",
}


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        (Role.VIEWER, set()),
        (Role.FIELD, {"status", "comment", "field"}),
        (Role.BACKOFFICE, set(CONTROLS)),
        (Role.ADMIN, set(CONTROLS)),
    ],
)
def test_controls_follow_the_role(
    seeded: RelayClient, client_as: Callable[..., Client], role: Role, visible: set[str]
) -> None:
    order = seeded.get_orders()[0]
    page = get(client_as(role), detail_url(order.id)).content.decode()
    assert {name for name, marker in CONTROLS.items() if marker in page} == visible
    assert html.escape(order.title or "") in page


@pytest.mark.parametrize("part", ["due_date", "internal_id", "address", "field"])
def test_edit_forms_open_on_demand(seeded: RelayClient, backoffice: Client, part: str) -> None:
    order = seeded.get_orders()[0]
    page = get(backoffice, detail_url(order.id)).content.decode()
    assert f'name="part" value="{part}"' not in page and 'id="field-form"' not in page
    # With htmx the part comes back as a form with the current values, focused.
    opened = get(backoffice, f"{detail_url(order.id, 'parts/' + part)}?edit=1", **HTMX)
    assert opened.status_code == 200
    body = opened.content.decode()
    assert body.lstrip().startswith(f'<div id="order-{part}"')
    assert "<form" in body and "data-focus-after-swap" in body
    # "Cancel" reads it again without the form.
    closed = get(backoffice, detail_url(order.id, "parts/" + part), **HTMX).content.decode()
    assert "<form" not in closed and f"parts/{part}/?edit=1" in closed
    # Without JavaScript the link opens the page with that part's form.
    plain = get(backoffice, f"{detail_url(order.id, 'parts/' + part)}?edit=1")
    assert plain.status_code == 302
    assert plain["Location"] == f"/orders/{order.id}/?edit={part}#order-{part}"
    page = get(backoffice, plain["Location"]).content.decode()
    assert "<form" in page[page.index(f'id="order-{part}"') :]


def test_current_values_fill_the_opened_form(seeded: RelayClient, backoffice: Client) -> None:
    order = pick(seeded, lambda o: bool(o.internal_id))
    body = get(backoffice, f"{detail_url(order.id, 'parts/internal_id')}?edit=1", **HTMX).content.decode()
    assert f'value="{html.escape(order.internal_id or "")}"' in body
    assert f'name="seen_updated_at" value="{order.updated_at}"' in body


def test_field_worker_cannot_open_back_office_forms(
    seeded: RelayClient, client_as: Callable[..., Client]
) -> None:
    order = seeded.get_orders()[0]
    field = client_as(Role.FIELD)
    assert get(field, f"{detail_url(order.id, 'parts/due_date')}?edit=1", **HTMX).status_code == 403
    page = get(field, f"{detail_url(order.id)}?edit=due_date").content.decode()
    assert 'name="part" value="due_date"' not in page


def test_opening_a_form_while_relay_fails_says_so(seeded: RelayClient, backoffice: Client) -> None:
    order = seeded.get_orders()[0]
    faults.fail_next(status=500, operation="GetOrder")
    response = get(backoffice, f"{detail_url(order.id, 'parts/address')}?edit=1", **HTMX)
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == html.unescape(english(RELAY_FAILED, status=500))


def test_no_role_is_refused(seeded: RelayClient, client_as: Callable[..., Client]) -> None:
    order = seeded.get_orders()[0]
    assert get(client_as(None), detail_url(order.id)).status_code == 403


def test_page_needs_login(seeded: RelayClient) -> None:
    order = seeded.get_orders()[0]
    response = Client().get(detail_url(order.id))
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_page_loads_no_inline_script(seeded: RelayClient, backoffice: Client) -> None:
    order = seeded.get_orders()[0]
    page = get(backoffice, detail_url(order.id)).content.decode()
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts and all("src=" in tag and "nonce=" in tag for tag in scripts)
    assert "/static/js/order-detail.js" in page
    assert " style=" not in page and "hx-on" not in page


def test_history_restore_gets_the_full_page(seeded: RelayClient, backoffice: Client) -> None:
    order = seeded.get_orders()[0]
    response = get(backoffice, detail_url(order.id), **HTMX, **{"HX-History-Restore-Request": "true"})
    assert response.status_code == 200
    assert "<html" in response.content.decode()
