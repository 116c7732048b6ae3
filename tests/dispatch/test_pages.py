"""The board, My day and the order page's assignment card over the order index."""

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from relaydash.accounts.permissions import Role
from relaydash.dispatch import services
from relaydash.dispatch.links import route_url
from relaydash.dispatch.models import Assignment
from relaydash.dispatch.services import Plan
from relaydash.orderindex.models import IndexedOrder
from relaydash.orderindex.sync import index_sync
from relaydash.relay.client import RelayClient
from relaydash.relay.records import OrderPatch, OrderStatus

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def indexed(seeded: RelayClient) -> list[IndexedOrder]:
    index_sync(client=seeded, force=True)
    return list(IndexedOrder.objects.order_by("id"))


def _open(rows: list[IndexedOrder]) -> list[IndexedOrder]:
    return [r for r in rows if r.status not in ("FINISHED", "DECLINED") and r.locality]


def test_board_shows_planned_orders_in_their_cell_and_moves_by_form(
    indexed: list[IndexedOrder], client_as: Any, make_user: Any
) -> None:
    office: Client = client_as(Role.BACKOFFICE)
    anna = make_user(Role.FIELD, username="anna", first_name="Anna", last_name="Feld")
    today = timezone.localdate()
    first, second = _open(indexed)[:2]
    services.order_plan(
        actor=anna,
        order_id=first.id,
        plan=Plan(person_id=anna.pk, day=today, starts=dt.time(8), ends=dt.time(10)),
        seen_version=0,
    )
    page = office.get(reverse("dispatch:board")).content.decode()
    cell = page.split(f'data-person="{anna.pk}" data-day="{today.isoformat()}"')[1].split("</ol>")[0]
    assert f'id="card-{first.id}"' in cell
    assert "08:00–10:00" in cell and first.locality in cell
    assert f'id="card-{second.id}"' in page.split("board-cell--unplanned")[1].split("</ol>")[0]

    # The no-JavaScript form: order number, person, day.
    response = office.post(
        reverse("dispatch:board_move"),
        {"order": second.id, "person": anna.pk, "day": today.isoformat(), "seen": "0"},
    )
    assert response.status_code == 302
    assert Assignment.objects.get(order_id=second.id).person_id == anna.pk

    # A second person still showing version 0 of the first order is told it moved.
    stale = office.post(
        reverse("dispatch:board_move"),
        {"order": first.id, "person": "", "day": "", "seen": "0"},
        headers={"HX-Request": "true"},
    )
    assert escape(str(services.MOVED)) in stale.content.decode()
    assert Assignment.objects.get(order_id=first.id).person_id == anna.pk


def test_a_planned_order_relay_dropped_shows_as_gone(
    indexed: list[IndexedOrder], client_as: Any, make_user: Any
) -> None:
    anna = make_user(Role.FIELD, username="anna")
    today = timezone.localdate()
    services.order_plan(actor=anna, order_id=987654, plan=Plan(person_id=anna.pk, day=today), seen_version=0)
    field = Client()
    field.force_login(anna)
    page = field.get(reverse("dispatch:my_day")).content.decode()
    assert "Order 987654" in page and "gone: relay no longer returns it" in page
    office = client_as(Role.BACKOFFICE)
    assert "gone: relay no longer returns it" in office.get(reverse("dispatch:board")).content.decode()


def test_my_day_lists_today_in_order_then_tomorrow_and_routes_them(
    indexed: list[IndexedOrder], make_user: Any
) -> None:
    anna = make_user(Role.FIELD, username="anna")
    today = timezone.localdate()
    a, b, c = _open(indexed)[:3]
    for row in (a, b):
        services.order_plan(
            actor=anna, order_id=row.id, plan=Plan(person_id=anna.pk, day=today), seen_version=0
        )
    services.order_plan(
        actor=anna,
        order_id=c.id,
        plan=Plan(person_id=anna.pk, day=today + dt.timedelta(days=1)),
        seen_version=0,
    )
    client = Client()
    client.force_login(anna)
    client.post(reverse("dispatch:my_day_reorder"), {"order": b.id, "step": "-1"})
    page = client.get(reverse("dispatch:my_day")).content.decode()
    today_part, tomorrow_part = page.split('id="my-day-tomorrow"')
    assert today_part.index(f'id="stop-{b.id}"') < today_part.index(f'id="stop-{a.id}"')
    assert f'id="stop-{c.id}"' in tomorrow_part
    route = route_url(addresses=[b.as_order().address.one_line, a.as_order().address.one_line])  # type: ignore[union-attr]
    assert route.replace("&", "&amp;") in page


def test_an_empty_day_says_so_and_links_to_unassigned_orders(
    indexed: list[IndexedOrder], client_as: Any
) -> None:
    page = client_as(Role.FIELD).get(reverse("dispatch:my_day")).content.decode()
    assert "Nothing is planned for you today." in page
    assert "?assigned=none" in page


def test_the_order_page_assigns_and_field_staff_take(
    indexed: list[IndexedOrder], client_as: Any, make_user: Any
) -> None:
    row = _open(indexed)[0]
    office: Client = client_as(Role.BACKOFFICE)
    anna = make_user(Role.FIELD, username="anna", first_name="Anna", last_name="Feld")
    detail = reverse("orders:detail", args=[row.id])
    assert 'id="order-assignment"' in office.get(detail).content.decode()
    office.post(
        reverse("dispatch:plan", args=[row.id]),
        {
            "person": anna.pk,
            "day": "2026-12-08",
            "starts": "08:00",
            "ends": "10:00",
            "seen": "0",
            "next": detail,
        },
    )
    page = office.get(detail).content.decode()
    assert "Anna Feld" in page.split('id="order-assigned-to"')[1][:200]
    assert "Assignment or plan changed" in page  # on the order's history

    ben = make_user(Role.FIELD, username="ben")
    other = _open(indexed)[1]
    field = Client()
    field.force_login(ben)
    assert "I'll do it" in field.get(reverse("orders:detail", args=[other.id])).content.decode()
    field.post(reverse("dispatch:take", args=[other.id]), {"seen": "0"})
    assert Assignment.objects.get(order_id=other.id).person_id == ben.pk
    assert f'id="stop-{other.id}"' in field.get(reverse("dispatch:my_day")).content.decode()


def test_the_list_shows_assigned_and_planned_and_filters_unassigned_and_mine(
    indexed: list[IndexedOrder], make_user: Any
) -> None:
    office_user = make_user(Role.BACKOFFICE, username="office")
    anna = make_user(Role.FIELD, username="anna", first_name="Anna", last_name="Feld")
    office = Client()
    office.force_login(office_user)
    a, b = indexed[0], indexed[1]
    # Select two orders on the list: assign them to Anna, then plan them for a day.
    response = office.post(
        reverse("dispatch:plan_many"), {"order": [a.id, b.id], "person": anna.pk, "set_person": "1"}
    )
    assert response.status_code == 302
    office.post(reverse("dispatch:plan_many"), {"order": [a.id, b.id], "day": "2026-12-09", "set_day": "1"})
    assert {(x.person_id, x.day) for x in Assignment.objects.all()} == {(anna.pk, dt.date(2026, 12, 9))}

    page = office.get(reverse("orders:list")).content.decode()
    assert 'id="order-bulk"' in page and f'id="order-select-{a.id}"' in page
    row = page.split(f'id="order-link-{a.id}"')[1].split("</tr>")[0]
    assert "Anna Feld" in row and "12/09/2026" in row

    unassigned = office.get(reverse("orders:list"), {"assigned": "none"}).content.decode()
    assert f'id="order-link-{a.id}"' not in unassigned
    assert f'id="order-link-{indexed[2].id}"' in unassigned
    assert f'>Unassigned <span class="order-tab__count">{len(indexed) - 2}</span>' in unassigned

    field = Client()
    field.force_login(anna)
    mine = field.get(reverse("orders:list"), {"assigned": "mine"}).content.decode()
    shown = {r.id for r in indexed if f'id="order-link-{r.id}"' in mine}
    assert shown == {a.id, b.id}
    assert 'id="order-bulk"' not in mine  # field staff do not plan others
    planned = office.get(reverse("orders:list"), {"planned": "2026-12-09"}).content.decode()
    assert {r.id for r in indexed if f'id="order-link-{r.id}"' in planned} == {a.id, b.id}


def test_an_assignment_survives_the_order_changing_in_relay(
    indexed: list[IndexedOrder], seeded: RelayClient, client_as: Any, make_user: Any
) -> None:
    anna = make_user(Role.FIELD, username="anna")
    row = next(r for r in _open(indexed) if r.status == "OPEN")
    today = timezone.localdate()
    services.order_plan(actor=anna, order_id=row.id, plan=Plan(person_id=anna.pk, day=today), seen_version=0)
    seeded.patch_order(row.id, OrderPatch(status=OrderStatus.FINISHED))  # changed in relay, not here
    index_sync(client=seeded, force=True)
    assert Assignment.objects.get(order_id=row.id).person_id == anna.pk
    board = client_as(Role.BACKOFFICE).get(reverse("dispatch:board")).content.decode()
    card = board.split(f'id="card-{row.id}"')[1].split("</li>")[0]
    assert "Finished" in card and "done" in card  # the board shows relay's new status, in words


def test_the_unplanned_column_filters_and_puts_the_most_overdue_first(
    indexed: list[IndexedOrder], client_as: Any
) -> None:
    office = client_as(Role.BACKOFFICE)
    open_rows = _open(indexed)
    city = open_rows[0].locality
    page = office.get(reverse("dispatch:board"), {"city": city}).content.decode()
    column = page.split("board-cell--unplanned")[1].split("</ol>")[0]
    shown = [r for r in indexed if f'id="card-{r.id}"' in column]
    assert shown and {r.locality for r in shown} == {city}
    dues = [r.due for r in shown if r.due is not None]
    assert dues == sorted(dues)  # earliest due (most overdue) first
    overdue = office.get(reverse("dispatch:board"), {"due": "overdue"}).content.decode()
    column = overdue.split("board-cell--unplanned")[1].split("</ol>")[0]
    now = timezone.now()
    assert all(r.due is not None and r.due < now for r in indexed if f'id="card-{r.id}"' in column)
    assert "overdue" in column


def test_my_day_calls_the_contact_in_one_tap_and_isolates_relay_text(
    seeded: RelayClient, make_user: Any, client_as: Any
) -> None:
    """The stop dials whom the order page's Call rings (the first contact with a number,
    their mobile before their landline); a stop without a number links to the contacts;
    relay's text cannot reorder the page, on My day or on the board."""
    from relaydash.orderindex.sync import index_refresh_order
    from relaydash.relay.records import Address, ContactPerson, Order

    anna = make_user(Role.FIELD, username="anna")
    today = timezone.localdate()
    callable_order = Order(
        id=900001,
        title="Rauchmelder \u202efdp.exe",
        status_text="OPEN",
        address=Address(street_address="Hauptstraße 5", postal_code="80331", locality="München"),
        contact_persons=(
            ContactPerson(name="Frau Kühn", telephone="089 1111"),
            ContactPerson(name="Herr Roth", mobile="+49 (0)171 2345678"),
        ),
    )
    silent_order = Order(id=900002, title="Zählerablesung", status_text="OPEN")
    for order in (callable_order, silent_order):
        index_refresh_order(order=order)
        services.order_plan(
            actor=anna, order_id=order.id or 0, plan=Plan(person_id=anna.pk, day=today), seen_version=0
        )
    field = Client()
    field.force_login(anna)
    page = field.get(reverse("dispatch:my_day"), headers={"Accept-Language": "en"}).content.decode()
    # Frau Kühn comes first and has a number: her landline is dialled.
    assert 'href="tel:0891111" aria-label="Call Frau Kühn"' in page
    assert "\u202e" not in page  # the override is gone, the title reads as stored: ".exe" last
    assert "<bdi>Rauchmelder fdp.exe</bdi>" in page
    stop = page.split('id="stop-900002"')[1].split("</li>\n</ul>")[0]
    assert "tel:" not in stop.split("my-stop__order")[0]
    assert f"{reverse('orders:detail', args=[900002])}#contacts-heading" in stop

    board = client_as(Role.BACKOFFICE).get(reverse("dispatch:board")).content.decode()
    assert "\u202e" not in board and "<bdi>Rauchmelder fdp.exe</bdi>" in board
