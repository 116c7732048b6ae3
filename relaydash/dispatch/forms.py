"""Forms of the dispatch pages: plan one order, plan several, add a person, the board's
week and its unplanned-orders filter. Rules live in services; forms only parse."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from relaydash.accounts.models import Profile
from relaydash.accounts.selectors import people_field
from relaydash.dispatch.services import Plan, plan_problem

BAD_ORDER_IDS = _("Select at least one order.")


class DateInput(forms.DateInput):
    input_type = "date"


class TimeInput(forms.TimeInput):
    input_type = "time"


def person_label(profile: Profile) -> str:
    user = profile.user
    return user.get_full_name() or user.email or user.get_username()


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Profile) -> str:
        return person_label(obj)


def _person_field(*, label: Any, required: bool = False) -> PersonChoiceField:
    return PersonChoiceField(
        queryset=people_field(),
        to_field_name="user_id",
        required=required,
        label=label,
        empty_label=str(_("nobody")),
    )


class PlanForm(forms.Form):
    """One order's person, day and window; `seen` is the version the page showed."""

    person = _person_field(label=_("Assigned to"))
    day = forms.DateField(label=_("Planned for"), required=False, widget=DateInput(format="%Y-%m-%d"))
    starts = forms.TimeField(label=_("From"), required=False, widget=TimeInput(format="%H:%M"))
    ends = forms.TimeField(label=_("Until"), required=False, widget=TimeInput(format="%H:%M"))
    seen = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args: Any, prefix_id: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if prefix_id:
            self.auto_id = f"{prefix_id}-%s"

    def plan(self) -> Plan:
        data = self.cleaned_data
        person: Profile | None = data.get("person")
        return Plan(
            person_id=person.user_id if person is not None else None,
            day=data.get("day"),
            starts=data.get("starts"),
            ends=data.get("ends"),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            problem = plan_problem(plan=self.plan())
            if problem:
                raise forms.ValidationError(problem)
        return data


class BulkPlanForm(forms.Form):
    """The list's selected orders: "assign to" and/or "plan for"."""

    order = forms.TypedMultipleChoiceField(coerce=int, choices=(), label=_("Orders"))
    person = _person_field(label=_("Assign to"))
    set_person = forms.BooleanField(required=False, label=_("Change the assignment"))
    day = forms.DateField(label=_("Plan for"), required=False, widget=DateInput(format="%Y-%m-%d"))
    set_day = forms.BooleanField(required=False, label=_("Change the planned day"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        posted = self.data.getlist("order") if hasattr(self.data, "getlist") else []
        self.fields["order"].choices = [(value, value) for value in posted if str(value).isdigit()]  # type: ignore[attr-defined]
        self.fields["order"].error_messages["required"] = BAD_ORDER_IDS


class PersonAddForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
    name = forms.CharField(label=_("Name"), max_length=300)


class WeekForm(forms.Form):
    """The board's week (any day in it) and the unplanned column's filters."""

    week = forms.DateField(required=False, widget=DateInput(format="%Y-%m-%d"))
    city = forms.CharField(required=False, max_length=100, label=_("City"))
    type = forms.CharField(required=False, max_length=100, label=_("Type"))
    customer = forms.IntegerField(required=False, min_value=1, label=_("Customer"))
    due = forms.ChoiceField(
        required=False,
        label=_("Due"),
        choices=[("", _("any")), ("overdue", _("overdue")), ("week", _("due this week"))],
    )

    def monday(self, *, today: dt.date) -> dt.date:
        day = (self.cleaned_data.get("week") if self.is_valid() else None) or today
        return day - dt.timedelta(days=day.weekday())
