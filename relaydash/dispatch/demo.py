"""`make run`'s demo plan: the demo field people get today's and tomorrow's stops, so
My day and the board are full on first look."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from relaydash.accounts.demo import DEMO_USERS
from relaydash.accounts.permissions import Role
from relaydash.accounts.services import person_add
from relaydash.dispatch.models import Assignment
from relaydash.dispatch.services import Plan, order_plan

# Stops per person per day, and their time windows ("Termin") in the order of the day.
WINDOWS: Final = (
    (dt.time(8), dt.time(10)),
    (dt.time(10), dt.time(12)),
    (dt.time(13), dt.time(15)),
    (None, None),
)


def _demo_field_people() -> list[AbstractBaseUser]:
    """The demo field people, added ahead of their first sign-in (matched by email)."""
    user_model = get_user_model()
    people: list[AbstractBaseUser] = []
    for demo in (d for d in DEMO_USERS if d.role is Role.FIELD):
        user = user_model.objects.filter(email__iexact=demo.email).first()
        people.append(user or person_add(email=demo.email, name=demo.name))
    return people


def demo_plan(*, order_ids: Sequence[int], today: dt.date) -> int:
    """Plan up to four of `order_ids` per demo field person for today and tomorrow
    each; returns how many were planned. Does nothing when anything is planned."""
    if Assignment.objects.exists():
        return 0
    people = _demo_field_people()
    ids = iter(order_ids)
    planned = 0
    for day in (today, today + dt.timedelta(days=1)):
        for person in people:
            for starts, ends in WINDOWS:
                order_id = next(ids, None)
                if order_id is None:
                    return planned
                plan = Plan(person_id=person.pk, day=day, starts=starts, ends=ends)
                order_plan(actor=person, order_id=order_id, plan=plan, seen_version=None, how="demo")
                planned += 1
    return planned
