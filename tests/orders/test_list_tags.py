"""The shared display helpers: status words, badge classes, due state, relative age."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from relaydash.orders.status import ORDER_STATUS_LABELS, DueState, due_state
from relaydash.orders.templatetags.order_tags import age_text
from relaydash.relay.records import Order, OrderStatus

BERLIN = ZoneInfo("Europe/Berlin")
NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=BERLIN)


def render(source: str, **context: object) -> str:
    with translation.override("en"):
        return Template("{% load order_tags %}" + source).render(Context(context))


def test_every_status_has_its_own_label() -> None:
    assert set(ORDER_STATUS_LABELS) == set(OrderStatus)
    with translation.override("en"):
        labels = {str(label) for label in ORDER_STATUS_LABELS.values()}
    assert len(labels) == len(OrderStatus)
    assert "NULL" not in labels


@pytest.mark.parametrize(
    ("value", "label", "modifier"),
    [
        (Order(status_text="IN_PROGRESS"), "In progress", "in-progress"),
        (OrderStatus.NULL, "No status", "null"),
        ("FINISHED", "Finished", "finished"),
        (Order(status_text="ARCHIVED"), "ARCHIVED", "unknown"),
        (Order(), "Unknown", "unknown"),
    ],
)
def test_status_label_and_class(value: object, label: str, modifier: str) -> None:
    assert render("{{ v|status_label }}", v=value) == label
    assert render("{{ v|status_class }}", v=value) == f"badge status-badge status-badge--{modifier}"


@pytest.mark.parametrize(
    ("due", "status", "expected"),
    [
        (NOW - dt.timedelta(minutes=1), OrderStatus.OPEN, DueState.OVERDUE),
        (NOW - dt.timedelta(days=3), OrderStatus.NULL, DueState.OVERDUE),
        (NOW - dt.timedelta(days=3), OrderStatus.FINISHED, DueState.NORMAL),
        (NOW - dt.timedelta(days=3), OrderStatus.DECLINED, DueState.NORMAL),
        (NOW + dt.timedelta(hours=47), OrderStatus.IN_PROGRESS, DueState.SOON),
        (NOW + dt.timedelta(days=3), OrderStatus.OPEN, DueState.NORMAL),
        (None, OrderStatus.OPEN, DueState.NONE),
        ("next week", OrderStatus.OPEN, DueState.NONE),
    ],
)
def test_due_state(due: object, status: OrderStatus, expected: DueState) -> None:
    assert due_state(due=due, status=status, now=NOW) == expected  # type: ignore[arg-type]


def test_due_state_says_it_in_words_not_only_colour() -> None:
    with translation.override("en"):
        assert DueState.OVERDUE.label == "overdue"
        assert DueState.SOON.label == "due soon"
        assert DueState.NORMAL.label == ""
    order = Order(status_text="OPEN", due_date=(timezone.now() - dt.timedelta(hours=2)).isoformat())
    html = render(
        "{% with s=o|due_state %}<span class='{{ s.css_class }}'>{{ s.label }}</span>{% endwith %}", o=order
    )
    assert html == "<span class='due due--overdue'>overdue</span>"


@pytest.mark.parametrize(
    ("ago", "text"),
    [
        (dt.timedelta(seconds=20), "just now"),
        (dt.timedelta(minutes=1), "1 minute ago"),
        (dt.timedelta(hours=3, minutes=10), "3 hours ago"),
        (dt.timedelta(days=1, hours=2), "1 day ago"),
        (dt.timedelta(days=20), "2 weeks ago"),
        (dt.timedelta(days=100), "3 months ago"),
        (dt.timedelta(days=800), "2 years ago"),
        (-dt.timedelta(days=2, hours=1), "in 2 days"),
    ],
)
def test_relative_age(ago: dt.timedelta, text: str) -> None:
    with translation.override("en"):
        assert age_text(NOW - ago, now=NOW) == text


def test_relative_age_and_moment_keep_text_relay_sent_that_is_no_date() -> None:
    assert render("{{ v|relative_age }}|{{ v|moment }}", v="gestern") == "gestern|gestern"
    assert render("{{ v|relative_age }}|{{ v|moment }}", v=None) == "|"


def test_moment_is_local_time() -> None:
    value = dt.datetime(2026, 11, 28, 8, 30, tzinfo=dt.UTC)
    assert render("{{ v|moment:'H:i' }}", v=value) == "09:30"
