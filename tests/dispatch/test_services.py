"""Assigning, planning, taking and handing back: the rules, the versions, the audit."""

import datetime as dt
from typing import Any

import pytest

from relaydash.accounts.audit import Operation
from relaydash.accounts.models import AuditEntry
from relaydash.accounts.permissions import Role
from relaydash.accounts.selectors import audit_entries_for_order
from relaydash.dispatch import services
from relaydash.dispatch.models import Assignment
from relaydash.dispatch.services import Plan, Result

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 12, 7)


def test_plan_saves_audits_and_bumps_the_version(make_user: Any) -> None:
    office = make_user(Role.BACKOFFICE, username="office")
    field = make_user(Role.FIELD, username="anna")
    outcome = services.order_plan(
        actor=office,
        order_id=17,
        plan=Plan(person_id=field.pk, day=DAY, starts=dt.time(8), ends=dt.time(10)),
        seen_version=0,
    )
    assert outcome.result is Result.SAVED
    saved = Assignment.objects.get(order_id=17)
    assert (saved.person_id, saved.day, saved.starts, saved.ends, saved.version) == (
        field.pk,
        DAY,
        dt.time(8),
        dt.time(10),
        1,
    )
    [entry] = audit_entries_for_order(order_id=17)
    assert entry.operation == Operation.PLAN_ORDER
    assert entry.user_email == office.email
    assert entry.before["person"] is None
    assert entry.after["person_email"] == field.email
    assert entry.after["day"] == "2026-12-07"


def test_a_stale_version_is_refused_as_moved(make_user: Any) -> None:
    office = make_user(Role.BACKOFFICE, username="office")
    anna = make_user(Role.FIELD, username="anna")
    ben = make_user(Role.FIELD, username="ben")
    services.order_plan(actor=office, order_id=5, plan=Plan(person_id=anna.pk, day=DAY), seen_version=0)
    # A second person still looks at version 0 and drags the order to Ben.
    second = services.order_plan(
        actor=office, order_id=5, plan=Plan(person_id=ben.pk, day=DAY), seen_version=0
    )
    assert second.result is Result.MOVED
    assert second.message == str(services.MOVED)
    assert Assignment.objects.get(order_id=5).person_id == anna.pk
    assert AuditEntry.objects.filter(operation=Operation.PLAN_ORDER).count() == 1


@pytest.mark.parametrize(
    ("plan", "message"),
    [
        (Plan(starts=dt.time(8)), services.WINDOW_WITHOUT_DAY),
        (Plan(day=DAY, starts=dt.time(10), ends=dt.time(8)), services.WINDOW_ORDER),
    ],
)
def test_bad_windows_are_refused(make_user: Any, plan: Plan, message: Any) -> None:
    office = make_user(Role.BACKOFFICE, username="office")
    outcome = services.order_plan(actor=office, order_id=1, plan=plan, seen_version=None)
    assert (outcome.result, outcome.message) == (Result.REFUSED, str(message))
    assert not Assignment.objects.filter(order_id=1, version__gt=0).exists()


def test_only_visible_field_staff_can_be_planned(make_user: Any) -> None:
    office = make_user(Role.BACKOFFICE, username="office")
    left = make_user(Role.FIELD, username="left")
    left.profile.hidden = True
    left.profile.save()
    for person in (office, left):
        outcome = services.order_plan(
            actor=office, order_id=2, plan=Plan(person_id=person.pk, day=DAY), seen_version=None
        )
        assert outcome.message == str(services.NOT_ASSIGNABLE)


def test_take_puts_an_unassigned_order_into_today_and_hand_back_releases_it(make_user: Any) -> None:
    anna = make_user(Role.FIELD, username="anna")
    ben = make_user(Role.FIELD, username="ben")
    taken = services.order_take(actor=anna, order_id=9, seen_version=0, today=DAY)
    assert taken.result is Result.SAVED
    assert (taken.assignment.person_id, taken.assignment.day) == (anna.pk, DAY)
    assert services.order_take(actor=ben, order_id=9, seen_version=None).message == str(services.TAKEN)
    assert services.order_hand_back(actor=ben, order_id=9).message == str(services.NOT_YOURS)
    back = services.order_hand_back(actor=anna, order_id=9)
    assert back.result is Result.SAVED
    assert Assignment.objects.get(order_id=9).person_id is None
    hows = [e.summary["how"] for e in audit_entries_for_order(order_id=9)]
    assert hows == ["hand_back", "take"]


def test_reorder_and_move_keep_the_persons_order(make_user: Any) -> None:
    office = make_user(Role.BACKOFFICE, username="office")
    anna = make_user(Role.FIELD, username="anna")
    for order_id in (1, 2, 3):
        services.order_plan(
            actor=office, order_id=order_id, plan=Plan(person_id=anna.pk, day=DAY), seen_version=0
        )

    def order() -> list[int]:
        return list(
            Assignment.objects.filter(person=anna, day=DAY)
            .order_by("position")
            .values_list("order_id", flat=True)
        )

    assert order() == [1, 2, 3]
    assert services.day_reorder(actor=anna, person_id=anna.pk, day=DAY, order_ids=[3, 1, 2])
    assert order() == [3, 1, 2]
    assert services.day_move(actor=anna, person_id=anna.pk, day=DAY, order_id=2, step=-1)
    assert order() == [3, 2, 1]
    assert not services.day_move(actor=anna, person_id=anna.pk, day=DAY, order_id=3, step=-1)
    assert AuditEntry.objects.filter(operation=Operation.REORDER_DAY).count() == 2


def test_bulk_assign_keeps_the_day_and_bulk_plan_keeps_the_person(make_user: Any) -> None:
    office = make_user(Role.BACKOFFICE, username="office")
    anna = make_user(Role.FIELD, username="anna")
    services.order_plan(actor=office, order_id=1, plan=Plan(day=DAY), seen_version=0)
    services.orders_plan_many(actor=office, order_ids=[1, 2], person_id=anna.pk, set_person=True)
    assert {(a.order_id, a.person_id, a.day) for a in Assignment.objects.all()} == {
        (1, anna.pk, DAY),
        (2, anna.pk, None),
    }
    services.orders_plan_many(actor=office, order_ids=[2], day=DAY, set_day=True)
    assert Assignment.objects.get(order_id=2).day == DAY
