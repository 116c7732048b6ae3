"""Bare due dates are days: due until the end of that day in Europe/Berlin, on the order
rows and in the list's tabs, filters and sorting (which the order index answers)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db.models import QuerySet
from django.utils import translation

from relaydash.orderindex.models import IndexedOrder
from relaydash.orderindex.sync import index_refresh_order
from relaydash.orders.selectors import OrderFilters, filter_and_count, order_rows, sort_orders
from relaydash.orders.status import DueState, due_state, is_due_today
from relaydash.relay.records import Order, OrderStatus

BERLIN = ZoneInfo("Europe/Berlin")


def store(orders: list[Order]) -> QuerySet[IndexedOrder]:
    for order in orders:
        index_refresh_order(order=order)
    return IndexedOrder.objects.all()


def ids(rows: QuerySet[IndexedOrder]) -> list[int]:
    return list(rows.values_list("id", flat=True))


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("now", "state"),
    [
        (at(1, 23, 59), DueState.SOON),
        (at(2, 0, 0), DueState.TODAY),
        (at(2, 7, 0), DueState.TODAY),
        (at(2, 23, 59), DueState.TODAY),
        (at(3, 0, 0), DueState.OVERDUE),
        (at(3, 7, 0), DueState.OVERDUE),
        (dt.datetime(2026, 12, 2, 22, 30, tzinfo=dt.UTC), DueState.TODAY),  # 23:30 in Berlin
        (dt.datetime(2026, 12, 2, 23, 30, tzinfo=dt.UTC), DueState.OVERDUE),  # 00:30 next day
    ],
)
def test_a_bare_date_is_due_all_that_day(now: dt.datetime, state: DueState) -> None:
    assert due_state(due=dt.date(2026, 12, 2), status=OrderStatus.OPEN, now=now) is state


def test_closed_orders_are_never_overdue_or_due_today() -> None:
    day = dt.date(2026, 12, 2)
    for status in (OrderStatus.FINISHED, OrderStatus.DECLINED):
        assert due_state(due=day, status=status, now=at(3, 7)) is DueState.NORMAL
        assert not is_due_today(due=day, status=status, now=at(2, 7))


def test_a_moment_due_later_today_says_due_today() -> None:
    assert due_state(due=at(2, 15), status=OrderStatus.OPEN, now=at(2, 7)) is DueState.TODAY
    assert due_state(due=at(2, 6), status=OrderStatus.OPEN, now=at(2, 7)) is DueState.OVERDUE
    with translation.override("de"):
        assert DueState.TODAY.label == "heute fällig"


def tabs(now: dt.datetime) -> tuple[list[int | None], list[int | None], list[int | None]]:
    orders = [
        Order(id=1, status_text="OPEN", due_date="2026-12-02"),
        Order(id=2, status_text="OPEN", due_date="2026-12-02T06:00:00+01:00"),
        Order(id=3, status_text="OPEN", due_date="2026-12-03"),
    ]
    everything = store(orders)
    today, counts = filter_and_count(filters=OrderFilters(due_today=True), now=now)
    overdue, _ = filter_and_count(filters=OrderFilters(overdue=True), now=now)
    rows = order_rows(rows=everything.order_by("id"), now=now)
    assert counts.due_today == today.count() and counts.overdue == overdue.count()
    return (
        sorted(ids(today)),
        sorted(ids(overdue)),
        [r.order.id for r in rows if r.due_state is DueState.OVERDUE],
    )


@pytest.mark.django_db
def test_list_tabs_use_the_same_rule_as_the_rows() -> None:
    today, overdue, overdue_rows = tabs(at(2, 7))
    assert today == [1, 2]
    assert overdue == overdue_rows == [2]
    today, overdue, overdue_rows = tabs(at(3, 7))
    assert today == [3]
    assert overdue == overdue_rows == [1, 2]


@pytest.mark.django_db
def test_due_range_filter_takes_days_and_moments() -> None:
    orders = [
        Order(id=1, due_date="2026-12-02"),
        Order(id=2, due_date="2026-12-02T23:30:00+01:00"),
        Order(id=3, due_date="2026-12-03"),
        Order(id=4, due_date="2026-12-01T23:30:00+00:00"),  # 00:30 on the 2nd in Berlin
    ]
    filters = OrderFilters(due_from=dt.date(2026, 12, 2), due_to=dt.date(2026, 12, 2))
    store(orders)
    selected, _ = filter_and_count(filters=filters, now=at(1, 12))
    assert sorted(ids(selected)) == [1, 2, 4]


@pytest.mark.django_db
def test_sorting_by_due_puts_a_day_after_the_moments_within_it() -> None:
    orders = [
        Order(id=1, due_date="2026-12-02"),
        Order(id=2, due_date="2026-12-02T15:00:00+01:00"),
        Order(id=3, due_date="2026-12-01"),
        Order(id=4, due_date="2026-12-03T08:00:00+01:00"),
        Order(id=5),
    ]
    rows = store(orders)
    assert ids(sort_orders(rows, sort="due")) == [3, 2, 1, 4, 5]
    assert ids(sort_orders(rows, sort="-due")) == [4, 1, 2, 3, 5]
    IndexedOrder.objects.all().delete()
    created = [Order(id=1, created_at="2026-12-02"), Order(id=2, created_at="2026-12-01T08:00:00+01:00")]
    assert ids(sort_orders(store(created), sort="created")) == [2, 1]
