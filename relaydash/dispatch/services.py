"""Assigning and planning orders: every change checked, versioned and audited.

Services return an outcome the view maps to a message; none of them asks relay anything
(the assignment is relaydash's own record). A change drawn from a stale page (the
version it carries is not the current one) is refused as `MOVED`, so two people
dragging the same order never overwrite each other unseen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relaydash.accounts.audit import Operation, Target, audit_write
from relaydash.accounts.selectors import people_field
from relaydash.dispatch.models import Assignment

MOVED: Final = _(
    "Someone else changed this order's plan in the meantime. Nothing was changed: it is shown as it is now."
)
TAKEN: Final = _("Someone else took this order in the meantime. Nothing was changed.")
NOT_YOURS: Final = _("Only the person this order is assigned to can hand it back.")
NOT_ASSIGNABLE: Final = _("This person cannot be planned (not field staff, or hidden).")
WINDOW_ORDER: Final = _("The time window must end after it starts.")
WINDOW_WITHOUT_DAY: Final = _("A time window needs a planned day.")
SAVED: Final = _("The plan was saved.")
TAKEN_BY_YOU: Final = _("The order is yours: it is in your day.")
HANDED_BACK: Final = _("You handed the order back; it is unassigned again.")


class Result(StrEnum):
    SAVED = "saved"
    UNCHANGED = "unchanged"
    MOVED = "moved"
    REFUSED = "refused"


@dataclass(frozen=True, kw_only=True)
class Plan:
    """What an order should be: whose, which day, which window (all optional)."""

    person_id: int | None = None
    day: dt.date | None = None
    starts: dt.time | None = None
    ends: dt.time | None = None


@dataclass(frozen=True, kw_only=True)
class Outcome:
    result: Result
    assignment: Assignment
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.result in (Result.SAVED, Result.UNCHANGED)


def plan_problem(*, plan: Plan) -> str:
    """Why `plan` cannot be saved, or "" (the rule forms and services share)."""
    if (plan.starts or plan.ends) and plan.day is None:
        return str(WINDOW_WITHOUT_DAY)
    if plan.starts and plan.ends and plan.ends <= plan.starts:
        return str(WINDOW_ORDER)
    if plan.person_id is not None and not people_field().filter(user_id=plan.person_id).exists():
        return str(NOT_ASSIGNABLE)
    return ""


def _snapshot(assignment: Assignment) -> dict[str, Any]:
    person = assignment.person
    return {
        "person": (person.get_full_name() or person.email) if person is not None else None,
        "person_email": person.email if person is not None else None,
        "day": assignment.day,
        "starts": assignment.starts,
        "ends": assignment.ends,
    }


def _plan_of(assignment: Assignment) -> Plan:
    return Plan(
        person_id=assignment.person_id, day=assignment.day, starts=assignment.starts, ends=assignment.ends
    )


def _locked(order_id: int) -> Assignment:
    assignment, _created = Assignment.objects.select_for_update().get_or_create(order_id=order_id)
    return assignment


def _next_position(*, person_id: int | None, day: dt.date | None) -> int:
    if person_id is None or day is None:
        return 0
    top = Assignment.objects.filter(person_id=person_id, day=day).aggregate(top=Max("position"))["top"]
    return 0 if top is None else top + 1


def _save(*, actor: AbstractBaseUser | AnonymousUser, assignment: Assignment, plan: Plan, how: str) -> None:
    before = _snapshot(assignment)
    moved_place = (plan.person_id, plan.day) != (assignment.person_id, assignment.day)
    with audit_write(
        actor=actor,
        operation=Operation.PLAN_ORDER,
        target_type=Target.ORDER,
        target_id=assignment.order_id,
        summary={"how": how},
        before=before,
    ) as note:
        if moved_place:
            assignment.position = _next_position(person_id=plan.person_id, day=plan.day)
        assignment.person_id = plan.person_id
        assignment.day = plan.day
        assignment.starts = plan.starts
        assignment.ends = plan.ends
        assignment.version += 1
        assignment.changed_by_id = actor.pk if actor.is_authenticated else None
        assignment.save()
        assignment.refresh_from_db(fields=["person"])
        note.after = _snapshot(assignment)


def order_plan(
    *,
    actor: AbstractBaseUser | AnonymousUser,
    order_id: int,
    plan: Plan,
    seen_version: int | None,
    how: str = "form",
) -> Outcome:
    """Set the order's person, day and window (back office). `seen_version` is the
    version the person's page showed; None skips the check (a bulk change from the
    list says what it wants for every selected order, whatever they were)."""
    with transaction.atomic():
        assignment = _locked(order_id)
        if seen_version is not None and seen_version != assignment.version:
            return Outcome(result=Result.MOVED, assignment=assignment, message=str(MOVED))
        problem = plan_problem(plan=plan)
        if problem:
            return Outcome(result=Result.REFUSED, assignment=assignment, message=problem)
        if _plan_of(assignment) == plan:
            return Outcome(result=Result.UNCHANGED, assignment=assignment)
        _save(actor=actor, assignment=assignment, plan=plan, how=how)
    return Outcome(result=Result.SAVED, assignment=assignment, message=str(SAVED))


def orders_plan_many(
    *,
    actor: AbstractBaseUser | AnonymousUser,
    order_ids: Sequence[int],
    person_id: int | None = None,
    set_person: bool = False,
    day: dt.date | None = None,
    set_day: bool = False,
) -> list[Outcome]:
    """The list's "assign to" / "plan for" on the selected orders: each keeps what the
    change does not name (assigning keeps the day, planning keeps the person)."""
    outcomes = []
    for order_id in order_ids:
        current = _plan_of(
            Assignment.objects.filter(order_id=order_id).first() or Assignment(order_id=order_id)
        )
        plan = Plan(
            person_id=person_id if set_person else current.person_id,
            day=day if set_day else current.day,
            starts=current.starts if not set_day or day == current.day else None,
            ends=current.ends if not set_day or day == current.day else None,
        )
        outcomes.append(order_plan(actor=actor, order_id=order_id, plan=plan, seen_version=None, how="list"))
    return outcomes


def order_take(
    *,
    actor: AbstractBaseUser | AnonymousUser,
    order_id: int,
    seen_version: int | None,
    today: dt.date | None = None,
) -> Outcome:
    """ "I'll do it": an unassigned order becomes the actor's, on its planned day or,
    when it has none, today (so it is in their day at once)."""
    with transaction.atomic():
        assignment = _locked(order_id)
        if assignment.person_id is not None and assignment.person_id != actor.pk:
            return Outcome(result=Result.MOVED, assignment=assignment, message=str(TAKEN))
        if seen_version is not None and seen_version != assignment.version:
            return Outcome(result=Result.MOVED, assignment=assignment, message=str(MOVED))
        if assignment.person_id == actor.pk:
            return Outcome(result=Result.UNCHANGED, assignment=assignment, message=str(TAKEN_BY_YOU))
        day = assignment.day or today or timezone.localdate()
        plan = Plan(person_id=actor.pk, day=day, starts=assignment.starts, ends=assignment.ends)
        _save(actor=actor, assignment=assignment, plan=plan, how="take")
    return Outcome(result=Result.SAVED, assignment=assignment, message=str(TAKEN_BY_YOU))


def order_hand_back(*, actor: AbstractBaseUser | AnonymousUser, order_id: int) -> Outcome:
    """The assigned person gives their order back: unassigned, still on its day."""
    with transaction.atomic():
        assignment = _locked(order_id)
        if assignment.person_id != actor.pk:
            return Outcome(result=Result.REFUSED, assignment=assignment, message=str(NOT_YOURS))
        plan = Plan(person_id=None, day=assignment.day, starts=assignment.starts, ends=assignment.ends)
        _save(actor=actor, assignment=assignment, plan=plan, how="hand_back")
    return Outcome(result=Result.SAVED, assignment=assignment, message=str(HANDED_BACK))


def day_reorder(
    *, actor: AbstractBaseUser | AnonymousUser, person_id: int, day: dt.date, order_ids: Sequence[int]
) -> bool:
    """Keep the person's stops for `day` in the order given (My day's drag or up/down).
    Orders not theirs that day are ignored; theirs not named keep their place after the
    named ones. False when nothing changed."""
    with transaction.atomic():
        mine = list(
            Assignment.objects.select_for_update()
            .filter(person_id=person_id, day=day)
            .order_by("position", "id")
        )
        by_id = {a.order_id: a for a in mine}
        wanted = [by_id[i] for i in dict.fromkeys(order_ids) if i in by_id]
        wanted += [a for a in mine if a not in wanted]
        before = [a.order_id for a in mine]
        after = [a.order_id for a in wanted]
        if before == after:
            return False
        with audit_write(
            actor=actor,
            operation=Operation.REORDER_DAY,
            target_type=Target.PERSON,
            target_id=person_id,
            summary={"day": day},
            before=before,
            after=after,
        ):
            for position, assignment in enumerate(wanted):
                assignment.position = position
            Assignment.objects.bulk_update(wanted, ["position"])
    return True


def day_move(
    *, actor: AbstractBaseUser | AnonymousUser, person_id: int, day: dt.date, order_id: int, step: int
) -> bool:
    """Move one stop up (step -1) or down (+1) in the person's day."""
    ids = list(
        Assignment.objects.filter(person_id=person_id, day=day)
        .order_by("position", "id")
        .values_list("order_id", flat=True)
    )
    if order_id not in ids:
        return False
    index = ids.index(order_id)
    target = index + step
    if not 0 <= target < len(ids):
        return False
    ids[index], ids[target] = ids[target], ids[index]
    return day_reorder(actor=actor, person_id=person_id, day=day, order_ids=ids)
