"""The order list over the sandbox relay: tabs, filters, search, sorting, paging, the
htmx partial and history rules, the states (empty, no match, relay down) and refresh.

Expected results are computed here from the client's own records (`seeded.get_orders()`),
not through the list's selectors."""

import datetime as dt
import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation

from relaydash.accounts.permissions import Role
from relaydash.orders.list_forms import (
    DUE_RANGE_REVERSED,
    INVALID_CUSTOMER,
    INVALID_DATE,
    INVALID_DUE,
    INVALID_SORT,
    INVALID_STATUS,
)
from relaydash.relay.client import RelayClient
from relaydash.relay.records import Order, OrderPatch, OrderStatus
from relaydash.web import RELAY_FAILED, RELAY_UNAVAILABLE

ROW_LINK = re.compile(r'id="order-link-(\d+)"')
TAB = re.compile(r'order-tab--(\w+)"[^>]*>[^<]*<span class="order-tab__count[^"]*">(\d+)</span>')
REFRESH = re.compile(r'id="order-refresh" hidden hx-get="([^"]+)"')
CLOSED = (OrderStatus.FINISHED, OrderStatus.DECLINED)


def get(client: Client, url: str, **headers: str) -> Any:
    """A GET in English, so assertions on words do not depend on the German catalog."""
    return client.get(url, headers={"Accept-Language": "en", **headers})


def english(message: object, /, **values: object) -> str:
    with translation.override("en"):
        return html.escape(str(message) % values if values else str(message))


def shown_ids(response: Any) -> list[int]:
    return [int(i) for i in ROW_LINK.findall(response.content.decode())]


def tab_counts(response: Any) -> dict[str, int]:
    return {key: int(count) for key, count in TAB.findall(response.content.decode())}


def by_id(relay: RelayClient) -> dict[int, Order]:
    return {o.id: o for o in relay.get_orders() if o.id is not None}


def overdue(order: Order, now: dt.datetime) -> bool:
    return isinstance(order.due, dt.datetime) and order.due < now and order.status not in CLOSED


def due_today(order: Order, now: dt.datetime) -> bool:
    """Open and due on today's date in Berlin (the site's time zone)."""
    return (
        isinstance(order.due, dt.datetime)
        and timezone.localtime(order.due).date() == timezone.localtime(now).date()
        and order.status not in CLOSED
    )


def haystack(order: Order, customers: dict[int, str]) -> str:
    a = order.address
    parts = [order.title, order.internal_id, order.type, customers.get(order.customer_id or 0)]
    if a is not None:
        parts += [a.street_address, a.postal_code, a.locality, a.additional_info]
    parts += [p.name for p in order.contact_persons]
    return " ".join(p or "" for p in parts).casefold()


@pytest.fixture
def viewer(client_as: Callable[..., Client]) -> Client:
    return client_as(Role.VIEWER)


# --- Tabs, filters, search -------------------------------------------------------------


def test_tab_counts_match_relay(seeded: RelayClient, backoffice: Client) -> None:
    orders = seeded.get_orders()
    response = get(backoffice, "/orders/")
    now = timezone.now()
    assert response.status_code == 200
    counts = tab_counts(response)
    assert counts["all"] == len(orders)
    assert counts["overdue"] == sum(overdue(o, now) for o in orders)
    assert counts["due_today"] == sum(due_today(o, now) for o in orders)
    for status in OrderStatus:
        assert counts[status.value.lower()] == sum(o.status_text == status.value for o in orders), status
    assert sorted(shown_ids(response)) == sorted(o.id for o in orders)


def test_tabs_show_human_labels(seeded: RelayClient, backoffice: Client) -> None:
    page = get(backoffice, "/orders/").content.decode()
    for label in (
        "All",
        "Overdue",
        "Due today",
        "Open",
        "In progress",
        "In preparation",
        "Finished",
        "Declined",
        "No status",
    ):
        assert f'>{label} <span class="order-tab__count' in page


def test_home_page_is_the_order_list(seeded: RelayClient, backoffice: Client) -> None:
    home = get(backoffice, "/")
    assert home.status_code == 200
    assert sorted(shown_ids(home)) == sorted(o.id for o in seeded.get_orders())


@pytest.mark.parametrize("status", list(OrderStatus))
def test_status_tab_lists_only_that_status(
    seeded: RelayClient, backoffice: Client, status: OrderStatus
) -> None:
    expected = {o.id for o in seeded.get_orders() if o.status_text == status.value}
    response = get(backoffice, f"/orders/?status={status.value}")
    assert set(shown_ids(response)) == expected
    assert f'class="order-tab order-tab--{status.value.lower()}"' in response.content.decode()


def test_overdue_tab(seeded: RelayClient, backoffice: Client) -> None:
    response = get(backoffice, "/orders/?overdue=1")
    now = timezone.now()
    expected = {o.id for o in seeded.get_orders() if overdue(o, now)}
    assert expected
    assert set(shown_ids(response)) == expected
    assert "overdue</span>" in response.content.decode()


def test_due_today_tab_lists_open_orders_due_today(seeded: RelayClient, backoffice: Client) -> None:
    now = timezone.now()
    # A closed order due today must not be listed: make sure the sandbox has one.
    closed = next(o for o in seeded.get_orders() if due_today(o, now))
    assert closed.id is not None
    seeded.patch_order(closed.id, OrderPatch(status=OrderStatus.FINISHED))
    orders = seeded.get_orders()
    expected = {o.id for o in orders if due_today(o, now)}
    assert expected
    response = get(backoffice, "/orders/?due=today")
    assert response.status_code == 200
    assert set(shown_ids(response)) == expected
    assert closed.id not in shown_ids(response)
    page = response.content.decode()
    assert 'class="order-tab order-tab--due_today" href="/orders/?due=today"' in page
    assert re.search(r'order-tab--due_today"[^>]*aria-current="page"', page)
    assert not re.search(r'order-tab--all"[^>]*aria-current="page"', page)
    assert tab_counts(response)["due_today"] == len(expected)
    # Searching from this tab keeps it (the form carries it along).
    assert '<input type="hidden" name="due" value="today" form="order-filter">' in page


def test_due_today_keeps_the_search_and_counts_under_it(seeded: RelayClient, backoffice: Client) -> None:
    now = timezone.now()
    orders = seeded.get_orders()
    kind = next(o.type for o in orders if due_today(o, now))
    expected = {o.id for o in orders if due_today(o, now) and o.type == kind}
    listing = get(backoffice, f"/orders/?type={kind}")
    assert f'href="/orders/?due=today&amp;type={html.escape(kind or "")}"' in listing.content.decode()
    response = get(backoffice, f"/orders/?due=today&type={kind}")
    assert set(shown_ids(response)) == expected
    assert tab_counts(response)["due_today"] == len(expected)


def test_due_today_is_swapped_in_with_htmx(seeded: RelayClient, backoffice: Client) -> None:
    now = timezone.now()
    response = get(
        backoffice,
        "/orders/?q=&due=today&due_from=&due_to=&customer=&type=&sort=due",
        **{"HX-Request": "true", "HX-Current-URL": "http://testserver/orders/"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert response["HX-Push-Url"] == "/orders/?due=today"
    assert set(shown_ids(response)) == {o.id for o in seeded.get_orders() if due_today(o, now)}
    assert re.search(r'order-tab--due_today"[^>]*aria-current="page"', body)
    # The export links beside the heading follow the swapped list (out of band).
    assert re.search(r'id="order-export"[^>]*hx-swap-oob="true"', body)
    assert body.count('href="/orders/export.csv?due=today"') == 2  # beside the heading and below the list
    assert re.search(r'id="order-stamp"[^>]*hx-swap-oob="true">As of \d\d:\d\d</p>', body)


def test_due_today_tab_in_german(seeded: RelayClient, backoffice: Client) -> None:
    page = backoffice.get("/orders/", headers={"Accept-Language": "de"}).content.decode()
    assert '>Heute fällig <span class="order-tab__count' in page


def test_due_date_range_uses_local_days(seeded: RelayClient, backoffice: Client) -> None:
    today = timezone.localdate()
    start, end = today, today + dt.timedelta(days=10)
    expected = {
        o.id
        for o in seeded.get_orders()
        if isinstance(o.due, dt.datetime) and start <= timezone.localtime(o.due).date() <= end
    }
    assert expected
    response = get(backoffice, f"/orders/?due_from={start.isoformat()}&due_to={end.isoformat()}")
    assert set(shown_ids(response)) == expected


def test_customer_filter_is_a_select_of_customers(seeded: RelayClient, backoffice: Client) -> None:
    customer = next(
        c for c in seeded.get_customers() if any(o.customer_id == c.id for o in seeded.get_orders())
    )
    expected = {o.id for o in seeded.get_orders() if o.customer_id == customer.id}
    response = get(backoffice, f"/orders/?customer={customer.id}")
    assert set(shown_ids(response)) == expected
    page = response.content.decode()
    assert f'<option value="{customer.id}" selected>{html.escape(customer.name or "")}</option>' in page


def test_type_filter(seeded: RelayClient, backoffice: Client) -> None:
    kind = seeded.get_orders()[0].type
    assert kind
    expected = {o.id for o in seeded.get_orders() if o.type == kind}
    assert set(shown_ids(get(backoffice, f"/orders/?type={kind}"))) == expected


SEARCHES: dict[str, Callable[[Order, dict[int, str]], str]] = {
    "title": lambda o, c: max((o.title or "").split(), key=len),
    "internal id": lambda o, c: o.internal_id or "",
    "type": lambda o, c: o.type or "",
    "street": lambda o, c: o.address.street_address if o.address and o.address.street_address else "",
    "city": lambda o, c: o.address.locality if o.address and o.address.locality else "",
    "customer name": lambda o, c: c.get(o.customer_id or 0, ""),
    "contact name": lambda o, c: o.contact_persons[0].name if o.contact_persons else "",
}


@pytest.mark.parametrize("attribute", list(SEARCHES))
def test_search_covers_each_attribute(seeded: RelayClient, backoffice: Client, attribute: str) -> None:
    customers = {c.id: c.name or "" for c in seeded.get_customers() if c.id is not None}
    orders = seeded.get_orders()
    target = next(o for o in orders if SEARCHES[attribute](o, customers))
    term = SEARCHES[attribute](target, customers)
    response = backoffice.get("/orders/", {"q": term.upper()}, headers={"Accept-Language": "en"})
    ids = shown_ids(response)
    assert target.id in ids
    words = term.casefold().split()
    expected = {o.id for o in orders if all(w in haystack(o, customers) for w in words)}
    assert set(ids) == expected


def test_search_finds_the_order_number(seeded: RelayClient, backoffice: Client) -> None:
    target = seeded.get_orders()[3]
    assert target.id in shown_ids(get(backoffice, f"/orders/?q={target.id}"))


# --- Sorting and paging -----------------------------------------------------------------


SORT_VALUES: dict[str, Callable[[Order], object]] = {
    "due": lambda o: o.due,
    "created": lambda o: o.created,
    "updated": lambda o: o.updated,
    "title": lambda o: (o.title or "").casefold() or None,
}


@pytest.mark.parametrize("sort", [*SORT_VALUES, *(f"-{k}" for k in SORT_VALUES)])
def test_sort_both_directions(seeded: RelayClient, backoffice: Client, sort: str) -> None:
    orders = by_id(seeded)
    ids = shown_ids(get(backoffice, f"/orders/?sort={sort}"))
    assert sorted(ids) == sorted(orders)
    values = [SORT_VALUES[sort.lstrip("-")](orders[i]) for i in ids]
    present = [v for v in values if v is not None]
    assert values[: len(present)] == present, "orders without the value come last"
    assert present == sorted(present, reverse=sort.startswith("-"))  # type: ignore[type-var]
    assert len(set(present)) > 1


def test_sorting_by_created_or_updated_shows_that_time_in_the_rows(
    seeded: RelayClient, backoffice: Client
) -> None:
    by_updated = get(backoffice, "/orders/?sort=-updated").content.decode()
    assert by_updated.count('<span class="order-row__when"> · updated ') == len(seeded.get_orders())
    by_created = get(backoffice, "/orders/?sort=created").content.decode()
    assert by_created.count('<span class="order-row__when"> · created ') == len(seeded.get_orders())
    assert "order-row__when" not in get(backoffice, "/orders/").content.decode()


def test_sort_header_links_toggle_direction(seeded: RelayClient, backoffice: Client) -> None:
    page = get(backoffice, "/orders/?sort=title").content.decode()
    assert 'aria-sort="ascending"' in page
    assert 'href="/orders/?sort=-title"' in page
    page = get(backoffice, "/orders/?sort=-title").content.decode()
    assert 'aria-sort="descending"' in page
    assert 'href="/orders/?sort=title"' in page


@pytest.fixture
def many_orders(relay: RelayClient) -> RelayClient:
    call_command("seed_sandbox", orders=120, seed=3, verbosity=0)
    return relay


def test_fifty_per_page(many_orders: RelayClient, backoffice: Client) -> None:
    pages = [shown_ids(get(backoffice, f"/orders/?page={n}")) for n in (1, 2, 3)]
    assert [len(p) for p in pages] == [50, 50, 20]
    every = [i for p in pages for i in p]
    assert len(set(every)) == 120
    assert sorted(every) == sorted(o.id for o in many_orders.get_orders())
    first = get(backoffice, "/orders/").content.decode()
    assert 'href="/orders/?page=2"' in first
    assert "(showing 1–50)" in first


def test_paging_keeps_the_filters(many_orders: RelayClient, backoffice: Client) -> None:
    expected = {o.id for o in many_orders.get_orders() if isinstance(o.due, dt.datetime)}
    assert 50 < len(expected) < 120
    first = get(backoffice, "/orders/?due_from=2000-01-01&sort=-created")
    assert 'href="/orders/?due_from=2000-01-01&amp;sort=-created&amp;page=2"' in first.content.decode()
    second = get(backoffice, "/orders/?due_from=2000-01-01&sort=-created&page=2")
    rest = get(backoffice, "/orders/?due_from=2000-01-01&sort=-created&page=3")
    assert set(shown_ids(first)) | set(shown_ids(second)) | set(shown_ids(rest)) == expected


# --- Bad query values -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("sort=bogus", INVALID_SORT),
        ("due=tomorrow", INVALID_DUE),
        ("due_from=not-a-date", INVALID_DATE),
        ("status=BOGUS", INVALID_STATUS),
        ("customer=abc", INVALID_CUSTOMER),
        ("due_from=2026-12-10&due_to=2026-12-01", DUE_RANGE_REVERSED),
    ],
)
def test_bad_query_values_are_ignored_with_a_message(
    seeded: RelayClient, backoffice: Client, query: str, message: object
) -> None:
    response = get(backoffice, f"/orders/?{query}")
    assert response.status_code == 200
    assert english(message) in response.content.decode()
    # The bad filter is ignored, not applied: every order still shows (30 < one page).
    if "due_to" not in query:
        assert len(shown_ids(response)) == len(seeded.get_orders())


def test_bad_date_marks_the_field_invalid(seeded: RelayClient, backoffice: Client) -> None:
    page = get(backoffice, "/orders/?due_from=not-a-date").content.decode()
    assert 'aria-invalid="true" aria-describedby="order-due_from_error" id="order-due_from"' in page
    assert 'id="order-due_from_error"' in page


@pytest.mark.parametrize("page", ["abc", "0", "-3", "999"])
def test_bad_page_numbers_show_a_page(seeded: RelayClient, backoffice: Client, page: str) -> None:
    response = get(backoffice, f"/orders/?page={page}")
    assert response.status_code == 200
    assert len(shown_ids(response)) == len(seeded.get_orders())


# --- htmx, history, states ----------------------------------------------------------------


def test_htmx_request_gets_only_the_results(seeded: RelayClient, backoffice: Client) -> None:
    response = get(
        backoffice,
        "/orders/?q=&status=OPEN&due_from=&due_to=&customer=&type=&sort=-due",
        **{"HX-Request": "true", "HX-Current-URL": "http://testserver/orders/"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'id="order-filter"' not in body
    assert 'id="order-tabs" class="order-tabs" aria-label="Order status" hx-swap-oob="true"' in body
    assert "HX-Request" in response["Vary"]
    # The short canonical URL goes into the address bar, not every empty field.
    assert response["HX-Push-Url"] == "/orders/?status=OPEN&sort=-due"
    assert set(shown_ids(response)) == {o.id for o in seeded.get_orders() if o.status_text == "OPEN"}


def test_full_page_also_varies_on_hx_request(seeded: RelayClient, backoffice: Client) -> None:
    response = get(backoffice, "/orders/?status=OPEN")
    assert "<html" in response.content.decode()
    assert "HX-Request" in response["Vary"]


def test_history_restore_gets_the_full_page(seeded: RelayClient, backoffice: Client) -> None:
    response = get(
        backoffice, "/orders/?status=OPEN", **{"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    body = response.content.decode()
    assert "<html" in body
    assert 'id="order-filter"' in body


def test_tab_links_work_without_javascript(seeded: RelayClient, backoffice: Client) -> None:
    page = get(backoffice, "/orders/?q=heizung").content.decode()
    assert 'href="/orders/?q=heizung&amp;status=OPEN" hx-get="/orders/?q=heizung&amp;status=OPEN"' in page
    assert '<form id="order-filter" class="order-filter card" method="get" action="/orders/"' in page


def test_empty_state_when_relay_has_no_orders(relay: RelayClient, backoffice: Client) -> None:
    assert relay.get_orders() == []
    response = get(backoffice, "/orders/")
    assert response.status_code == 200
    assert "No orders yet" in response.content.decode()


def test_no_match_state_offers_reset(seeded: RelayClient, backoffice: Client) -> None:
    response = get(backoffice, "/orders/?q=zzzzqqq&sort=title")
    page = response.content.decode()
    assert shown_ids(response) == []
    assert "No orders match these filters" in page
    assert '<a class="btn btn-primary" href="/orders/?sort=title">Reset filters</a>' in page


def test_relay_failure_says_relay_is_unavailable(seeded: RelayClient, backoffice: Client) -> None:
    from relaydash.sandbox import faults

    faults.fail_next(status=500, count=5, operation="GetOrders")
    response = get(backoffice, "/orders/?status=OPEN")
    assert response.status_code == 503
    page = response.content.decode()
    assert english(RELAY_FAILED, status=500) in page
    assert 'role="alert"' in page
    assert 'id="order-filter"' in page  # the form is still there to try again


def test_relay_unreachable_is_not_a_500(backoffice: Client, settings: Any) -> None:
    settings.RELAY_API_URL = "http://127.0.0.1:9/api"
    settings.RELAY_RETRIES = 0
    response = get(backoffice, "/orders/")
    assert response.status_code == 503
    assert english(RELAY_UNAVAILABLE) in response.content.decode()


def test_relay_text_is_escaped(seeded: RelayClient, backoffice: Client) -> None:
    target = seeded.get_orders()[0]
    assert target.id is not None
    seeded.patch_order(target.id, OrderPatch(internal_id='<script>alert("x")</script>'))
    response = backoffice.get("/orders/", {"q": "<script>"}, headers={"Accept-Language": "en"})
    page = response.content.decode()
    assert shown_ids(response) == [target.id]
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert '<script>alert("x")' not in page


def test_rows_show_what_the_issue_asks_for(seeded: RelayClient, backoffice: Client) -> None:
    customers = {c.id: c.name for c in seeded.get_customers()}
    target = next(o for o in seeded.get_orders() if o.comments and o.address and o.customer_id)
    page = get(backoffice, f"/orders/?q={target.id}").content.decode()
    row = page[page.index(f'id="order-link-{target.id}"') :]
    row = row[: row.index("</tr>")]
    assert f'href="/orders/{target.id}/"' in page
    assert html.escape(target.title or "") in row
    assert f"status-badge--{(target.status_text or '').lower().replace('_', '-')}" in row
    assert html.escape(target.address.locality or "") in row  # type: ignore[union-attr]
    assert html.escape(customers[target.customer_id] or "") in row
    assert f'{len(target.comments)} <span class="muted">· last ' in row
    assert " ago</span>" in row


# --- Roles ----------------------------------------------------------------------------


def test_viewer_can_see_the_list(seeded: RelayClient, viewer: Client) -> None:
    response = get(viewer, "/orders/")
    assert response.status_code == 200
    assert len(shown_ids(response)) == len(seeded.get_orders())


def test_user_without_role_is_refused(seeded: RelayClient, client_as: Callable[..., Client]) -> None:
    assert get(client_as(None), "/orders/").status_code == 403


def test_anonymous_is_sent_to_sign_in(seeded: RelayClient) -> None:
    response = Client().get("/orders/")
    assert response.status_code == 302
    assert "/orders/" in response["Location"]


# --- Refresh ------------------------------------------------------------------------------


def refresh_url(response: Any) -> str:
    match = REFRESH.search(response.content.decode())
    assert match, "the results carry their refresh URL"
    return html.unescape(match.group(1))


def test_refresh_swaps_rows_in_place_when_the_page_holds_the_same_orders(
    seeded: RelayClient, backoffice: Client
) -> None:
    page = get(backoffice, "/orders/?status=OPEN")
    target = shown_ids(page)[0]
    seeded.patch_order(target, OrderPatch(internal_id="AUF-NEU-4711"))
    response = get(backoffice, refresh_url(page), **{"HX-Request": "true", "HX-Trigger": "order-refresh"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "HX-Reswap" not in response
    assert "AUF-NEU-4711" in body
    assert shown_ids(response) == shown_ids(page)
    assert "data-focus-after-swap" not in body


def test_refresh_offers_new_orders_instead_of_moving_rows(seeded: RelayClient, backoffice: Client) -> None:
    page = get(backoffice, "/orders/?status=OPEN")
    newcomer = next(o for o in seeded.get_orders() if o.status_text == "IN_PROGRESS")
    assert newcomer.id is not None
    seeded.patch_order(newcomer.id, OrderPatch(status=OrderStatus.OPEN))
    response = get(backoffice, refresh_url(page), **{"HX-Request": "true"})
    body = response.content.decode()
    assert response["HX-Reswap"] == "none"
    assert "1 new order" in body
    assert 'href="/orders/?status=OPEN"' in body
    assert shown_ids(response) == []  # no rows: the page stays as it is
    counts = tab_counts(response)
    assert counts["open"] == len(shown_ids(page)) + 1


def test_refresh_when_relay_is_down_keeps_the_page(seeded: RelayClient, backoffice: Client) -> None:
    from relaydash.sandbox import faults

    page = get(backoffice, "/orders/")
    faults.fail_next(status=503, count=5, operation="GetOrders")
    response = get(backoffice, refresh_url(page), **{"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Reswap"] == "none"
    assert "could not be refreshed" in response.content.decode()


def test_refresh_opened_directly_leads_to_the_list(seeded: RelayClient, backoffice: Client) -> None:
    response = get(backoffice, "/orders/refresh/?status=OPEN&shown=1%2C2&total=2")
    assert response.status_code == 302
    assert response["Location"] == "/orders/?status=OPEN"
