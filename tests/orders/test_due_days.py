"""Bare due dates are days: due until the end of that day in Europe/Berlin."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from relaydash.orders.selectors import OrderFilters, filter_and_count, order_rows, sort_orders
from relaydash.orders.status import DueState, due_state, is_due_today
from relaydash.relay.records import Order, OrderStatus

BERLIN = ZoneInfo("Europe/Berlin")


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
    today, counts = filter_and_count(orders=orders, filters=OrderFilters(due_today=True), names={}, now=now)
    overdue, _ = filter_and_count(orders=orders, filters=OrderFilters(overdue=True), names={}, now=now)
    rows = order_rows(orders=orders, names={}, now=now)
    assert counts.due_today == len(today) and counts.overdue == len(overdue)
    return (
        [o.id for o in today],
        [o.id for o in overdue],
        [r.order.id for r in rows if r.due_state is DueState.OVERDUE],
    )


def test_list_tabs_use_the_same_rule_as_the_rows() -> None:
    today, overdue, overdue_rows = tabs(at(2, 7))
    assert today == [1, 2]
    assert overdue == overdue_rows == [2]
    today, overdue, overdue_rows = tabs(at(3, 7))
    assert today == [3]
    assert overdue == overdue_rows == [1, 2]


def test_due_range_filter_takes_days_and_moments() -> None:
    orders = [
        Order(id=1, due_date="2026-12-02"),
        Order(id=2, due_date="2026-12-02T23:30:00+01:00"),
        Order(id=3, due_date="2026-12-03"),
        Order(id=4, due_date="2026-12-01T23:30:00+00:00"),  # 00:30 on the 2nd in Berlin
    ]
    filters = OrderFilters(due_from=dt.date(2026, 12, 2), due_to=dt.date(2026, 12, 2))
    selected, _ = filter_and_count(orders=orders, filters=filters, names={}, now=at(1, 12))
    assert [o.id for o in selected] == [1, 2, 4]


def test_sorting_by_due_puts_a_day_after_the_moments_within_it() -> None:
    orders = [
        Order(id=1, due_date="2026-12-02"),
        Order(id=2, due_date="2026-12-02T15:00:00+01:00"),
        Order(id=3, due_date="2026-12-01"),
        Order(id=4, due_date="2026-12-03T08:00:00+01:00"),
        Order(id=5),
    ]
    assert [o.id for o in sort_orders(orders=orders, sort="due")] == [3, 2, 1, 4, 5]
    assert [o.id for o in sort_orders(orders=orders, sort="-due")] == [4, 1, 2, 3, 5]
    created = [Order(id=1, created_at="2026-12-02"), Order(id=2, created_at="2026-12-01T08:00:00+01:00")]
    assert [o.id for o in sort_orders(orders=created, sort="created")] == [2, 1]
