"""`make run`'s demo plan: both demo field people have today's and tomorrow's stops."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from relaydash.accounts.demo import DEMO_USERS
from relaydash.accounts.permissions import Role
from relaydash.dispatch.models import Assignment


@pytest.mark.django_db
def test_the_first_seed_plans_today_and_tomorrow_for_the_demo_field_people() -> None:
    call_command("seed_sandbox", orders=40, seed=7, plan_demo=True, verbosity=0)
    today = timezone.localdate()
    field_emails = [d.email for d in DEMO_USERS if d.role is Role.FIELD]
    assert field_emails == ["field@example.com", "field2@example.com"]
    for email in field_emails:
        for day in (today, today + dt.timedelta(days=1)):
            stops = Assignment.objects.filter(person__email=email, day=day)
            assert stops.count() == 4, (email, day)
            assert stops.exclude(starts=None).count() == 3  # windows for three of the four
    # Seeding again (make run does it each time with --if-empty) plans nothing twice.
    call_command("seed_sandbox", if_empty=True, plan_demo=True, verbosity=0)
    assert Assignment.objects.count() == 16
