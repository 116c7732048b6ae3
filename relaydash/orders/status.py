"""What an order's status and due date mean to people, in one place.

The list, the detail page and the CSV export all say "Offen" for OPEN and "überfällig"
for the same orders; keeping the words and the due-date rule here means they cannot
drift apart. Plain functions over records, no Django request involved.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from relaydash.relay.records import Moment, Order, OrderStatus, moment_end

# Human labels for relay's status enum (German and English through the catalog).
# NULL is a real value relay sends for "no status set", not a missing field.
ORDER_STATUS_LABELS: Final[dict[OrderStatus, Promise]] = {
    OrderStatus.OPEN: _("Open"),
    OrderStatus.IN_PROGRESS: _("In progress"),
    OrderStatus.PREPARE: _("In preparation"),
    OrderStatus.FINISHED: _("Finished"),
    OrderStatus.DECLINED: _("Declined"),
    OrderStatus.NULL: _("No status"),
}

# Shown when relay sent no status at all (JSON null or the field missing).
STATUS_MISSING_LABEL: Final = _("Unknown")

# Work on these is over: they are never overdue or due soon.
CLOSED_STATUSES: Final = frozenset({OrderStatus.FINISHED, OrderStatus.DECLINED})

# "Due soon" means: due within this much time from now.
DUE_SOON_WINDOW: Final = dt.timedelta(days=2)


def status_of(value: Order | OrderStatus | str | None) -> OrderStatus | None:
    """The enum member behind an order, an enum member or relay's text (None if unknown)."""
    if isinstance(value, Order):
        return value.status
    if value is None:
        return None
    try:
        return OrderStatus(value)
    except ValueError:
        return None


def status_label(value: Order | OrderStatus | str | None) -> str:
    """The word people read for a status. A value relay sends that we do not know yet is
    shown as relay's own text rather than hidden."""
    status = status_of(value)
    if status is not None:
        return str(ORDER_STATUS_LABELS[status])
    raw = value.status_text if isinstance(value, Order) else value
    return str(raw) if raw else str(STATUS_MISSING_LABEL)


def status_css_class(value: Order | OrderStatus | str | None) -> str:
    """CSS classes for a status badge: `badge status-badge status-badge--open` etc.
    (the modifier is the enum value in lowercase with dashes; `--unknown` otherwise)."""
    status = status_of(value)
    modifier = status.value.lower().replace("_", "-") if status is not None else "unknown"
    return f"badge status-badge status-badge--{modifier}"


class DueState(StrEnum):
    """Where an order stands against its due date. The label is the text that goes
    next to the date, so the state is never told by colour alone."""

    NONE = "none"  # no due date (or one relay sent that does not parse)
    NORMAL = "normal"
    SOON = "soon"
    TODAY = "today"
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        return str(DUE_STATE_LABELS.get(self, ""))

    @property
    def css_class(self) -> str:
        return f"due due--{self.value}"


DUE_STATE_LABELS: Final[dict[DueState, Promise]] = {
    DueState.SOON: _("due soon"),
    DueState.TODAY: _("due today"),
    DueState.OVERDUE: _("overdue"),
}


@dataclass(frozen=True, slots=True)
class DueClock:
    """`now` and today's local day (Europe/Berlin), worked out once for a whole list."""

    now: dt.datetime
    today: dt.date
    today_start: dt.datetime
    tomorrow_start: dt.datetime


def due_clock(now: dt.datetime) -> DueClock:
    zone = timezone.get_default_timezone()
    today = timezone.localtime(now, zone).date()
    start = dt.datetime.combine(today, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return DueClock(now=now, today=today, today_start=start, tomorrow_start=end)


def due_overdue_today(*, due: Moment, status: OrderStatus | None, clock: DueClock) -> tuple[bool, bool]:
    """(overdue, due today) of open work: a moment is overdue once it has passed, a bare
    date once its day has ended; due today is due on today's local date, overdue or not.
    Finished and declined orders are neither. The list counts thousands of orders with
    this, so it compares against `clock` instead of converting every date."""
    if status in CLOSED_STATUSES:
        return False, False
    if isinstance(due, dt.datetime):
        return due < clock.now, clock.today_start <= due < clock.tomorrow_start
    if isinstance(due, dt.date):
        return due < clock.today, due == clock.today
    return False, False


def is_due_today(*, due: Moment, status: OrderStatus | None, now: dt.datetime) -> bool:
    """Open work due on today's local date (the "due today" tab), overdue or not."""
    return due_overdue_today(due=due, status=status, clock=due_clock(now))[1]


def due_state(*, due: Moment, status: OrderStatus | None, now: dt.datetime) -> DueState:
    """overdue: the due date has passed and the order is not finished or declined (a bare
    date passes at the end of its day in Europe/Berlin); today: due later today; soon:
    due within the next two days (same rule for open work only); else normal."""
    deadline = moment_end(due)
    if deadline is None:
        return DueState.NONE
    if status in CLOSED_STATUSES:
        return DueState.NORMAL
    overdue, today = due_overdue_today(due=due, status=status, clock=due_clock(now))
    if overdue:
        return DueState.OVERDUE
    if today:
        return DueState.TODAY
    if deadline <= now + DUE_SOON_WINDOW:
        return DueState.SOON
    return DueState.NORMAL


def order_due_state(order: Order, *, now: dt.datetime) -> DueState:
    return due_state(due=order.due, status=order.status, now=now)
