"""The list's reads over the order index: filter, search, count, sort, page.

Each case stores hand-built records in the index (as a write through relaydash does)
and reads them back through the list's selectors, so the database does the work."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db.models import QuerySet

from relaydash.orderindex.models import IndexedCustomer, IndexedOrder
from relaydash.orderindex.rows import last_comment_at
from relaydash.orderindex.sync import index_refresh_order
from relaydash.orders.selectors import (
    OrderFilters,
    TabCounts,
    filter_and_count,
    paginate,
    sort_orders,
)
from relaydash.relay.records import Address, Comment, ContactPerson, Order, OrderStatus

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=BERLIN)


def order(id: int, **fields: object) -> Order:
    return Order(id=id, **fields)  # type: ignore[arg-type]


def store(orders: list[Order]) -> QuerySet[IndexedOrder]:
    IndexedCustomer.objects.get_or_create(id=7, defaults={"name": "Hausverwaltung Kühn GmbH"})
    for o in orders:
        index_refresh_order(order=o)
    return IndexedOrder.objects.all()


def ids(rows: QuerySet[IndexedOrder]) -> list[int]:
    return list(rows.values_list("id", flat=True))


def run(orders: list[Order], **filters: object) -> tuple[QuerySet[IndexedOrder], TabCounts]:
    store(orders)
    selected, counts = filter_and_count(filters=OrderFilters(**filters), now=NOW)  # type: ignore[arg-type]
    return selected.order_by("id"), counts


def test_one_pass_counts_every_tab_and_overdue_skips_closed_orders() -> None:
    yesterday = "2026-11-27T10:00:00+01:00"
    orders = [
        order(1, status_text="OPEN", due_date=yesterday),
        order(2, status_text="FINISHED", due_date=yesterday),
        order(3, status_text="DECLINED", due_date=yesterday),
        order(4, status_text="NULL", due_date=yesterday),
        order(5, status_text="IN_PROGRESS", due_date="2026-12-24T10:00:00+01:00"),
        order(6, status_text="SOMETHING_NEW"),
    ]
    selected, counts = run(orders)
    assert ids(selected) == [1, 2, 3, 4, 5, 6]
    assert counts.all == 6
    assert counts.overdue == 2
    assert counts.by_status[OrderStatus.OPEN] == 1
    assert counts.by_status[OrderStatus.PREPARE] == 0
    overdue, _ = run(orders, overdue=True)
    assert ids(overdue) == [1, 4]


def test_due_today_is_open_work_due_on_the_local_date() -> None:
    orders = [
        order(1, status_text="OPEN", due_date="2026-11-28T00:00:00+01:00"),  # first minute today
        order(2, status_text="IN_PROGRESS", due_date="2026-11-27T23:30:00+00:00"),  # 00:30 today in Berlin
        order(3, status_text="NULL", due_date="2026-11-28T23:59:00+01:00"),  # later today
        order(4, status_text="FINISHED", due_date="2026-11-28T15:00:00+01:00"),  # closed
        order(5, status_text="DECLINED", due_date="2026-11-28T15:00:00+01:00"),  # closed
        order(6, status_text="OPEN", due_date="2026-11-27T23:59:00+01:00"),  # yesterday
        order(7, status_text="OPEN", due_date="2026-11-28T23:30:00+00:00"),  # 00:30 tomorrow in Berlin
        order(8, status_text="OPEN"),  # no due date
    ]
    selected, counts = run(orders, due_today=True)
    assert ids(selected) == [1, 2, 3]
    assert counts.due_today == 3
    assert counts.all == 8
    # Due earlier today (before NOW, 12:00) is overdue too; both quick filters narrow.
    assert counts.overdue == 3
    assert ids(run(orders, due_today=True, overdue=True)[0]) == [1, 2]
    assert ids(run(orders, due_today=True, status=OrderStatus.OPEN)[0]) == [1]


def test_status_tab_keeps_counts_of_the_other_tabs() -> None:
    orders = [order(1, status_text="OPEN"), order(2, status_text="FINISHED")]
    selected, counts = run(orders, status=OrderStatus.FINISHED)
    assert ids(selected) == [2]
    assert counts.all == 2


def test_search_needs_every_word_and_ignores_case_and_sharp_s() -> None:
    orders = [
        order(
            1,
            title="Heizung ausgefallen",
            address=Address(street_address="Schloßstraße 4", locality="Berlin"),
            customer_id=7,
            contact_persons=(ContactPerson(name="Jörg Meier"),),
        ),
        order(2, title="Heizung Wartung", address=Address(locality="Köln")),
    ]
    assert ids(run(orders, q="HEIZUNG berlin")[0]) == [1]
    assert ids(run(orders, q="schlossstrasse")[0]) == [1]
    assert ids(run(orders, q="kühn")[0]) == [1]
    assert ids(run(orders, q="jörg")[0]) == [1]
    assert ids(run(orders, q="heizung")[0]) == [1, 2]


def test_due_range_is_whole_local_days() -> None:
    orders = [
        order(1, due_date="2026-12-01T00:00:00+01:00"),  # first minute of the 1st in Berlin
        order(2, due_date="2026-11-30T23:30:00+00:00"),  # 00:30 on the 1st in Berlin
        order(3, due_date="2026-12-02T23:59:00+01:00"),
        order(4, due_date="2026-12-03T00:00:00+01:00"),
        order(5),
    ]
    selected, _ = run(orders, due_from=dt.date(2026, 12, 1), due_to=dt.date(2026, 12, 2))
    assert ids(selected) == [1, 2, 3]


@pytest.mark.parametrize("sort", ["due", "-due", "created", "-created", "updated", "-updated"])
def test_date_sorts_put_orders_without_a_date_last(sort: str) -> None:
    field = {"due": "due_date", "created": "created_at", "updated": "updated_at"}[sort.lstrip("-")]
    orders = [
        order(1, **{field: "2026-11-02T10:00:00+01:00"}),
        order(2),
        order(3, **{field: "2026-11-01T10:00:00+01:00"}),
        order(4, **{field: "not a date"}),
        order(5, **{field: "2026-11-03T10:00:00+01:00"}),
    ]
    result = ids(sort_orders(store(orders), sort=sort))
    expected_dated = [3, 1, 5] if not sort.startswith("-") else [5, 1, 3]
    assert result[:3] == expected_dated
    assert sorted(result[3:]) == [2, 4]


def test_title_sort_ignores_case_both_ways() -> None:
    orders = [order(1, title="beta"), order(2, title="Alpha"), order(3), order(4, title="Gamma")]
    rows = store(orders)
    assert ids(sort_orders(rows, sort="title")) == [2, 1, 4, 3]
    assert ids(sort_orders(rows, sort="-title")) == [4, 1, 2, 3]


def test_last_comment_is_the_newest_whatever_the_order() -> None:
    o = order(
        1,
        comments=(
            Comment(id=1, created_at="2026-11-20T10:00:00+01:00"),
            Comment(id=2, created_at="2026-11-25T10:00:00+01:00"),
            Comment(id=3, created_at="2026-11-22T10:00:00+01:00"),
        ),
    )
    assert last_comment_at(o) == dt.datetime(2026, 11, 25, 10, 0, tzinfo=BERLIN)


def test_bad_page_numbers_fall_back_to_a_page_that_exists() -> None:
    orders = [order(i) for i in range(1, 121)]
    assert paginate(orders=orders, page="abc").number == 1
    assert paginate(orders=orders, page="99").number == 3
    assert len(paginate(orders=orders, page="3").object_list) == 20
    assert paginate(orders=[], page="2").number == 1


def test_canonical_query_leaves_defaults_out() -> None:
    filters = OrderFilters(q="heizung", status=OrderStatus.OPEN, sort="due")
    assert filters.query() == "q=heizung&status=OPEN"
    assert filters.query(page=1) == "q=heizung&status=OPEN"
    assert filters.query(page=2) == "q=heizung&status=OPEN&page=2"
    assert OrderFilters(sort="-title").narrowing is False
    assert OrderFilters(overdue=True).narrowing is True
    assert OrderFilters(due_today=True, sort="-due").query() == "due=today&sort=-due"
    assert OrderFilters(due_today=True).narrowing is True
