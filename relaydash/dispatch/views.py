"""People, one order's plan (from the order page), "I'll do it" / hand back, and the
list's bulk "assign to / plan for". Plain POST → redirect → GET forms: they work
without JavaScript, and every change goes through a service (audited, versioned)."""

from __future__ import annotations

from typing import Final

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from relaydash.accounts.audit import Operation, Target, audit_write
from relaydash.accounts.models import Profile
from relaydash.accounts.permissions import Action, Role, require, user_role
from relaydash.accounts.responses import page_behind, safe_next
from relaydash.accounts.selectors import people_all
from relaydash.accounts.services import PersonExists, person_add, person_set_hidden
from relaydash.dispatch.forms import BulkPlanForm, PersonAddForm, PlanForm
from relaydash.dispatch.services import Result, order_hand_back, order_plan, order_take, orders_plan_many
from relaydash.web import HtmxHttpRequest

PERSON_EXISTS: Final = _("Someone with this email is already known.")
PERSON_ADDED: Final = _("%(name)s was added; their first sign-in with this email is matched to them.")
PLANNED_MANY: Final = _("%(count)s orders changed.")


def _back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    """Back to the page the form was on (next, else the page behind), else `fallback`."""
    return redirect(safe_next(request, request.POST.get("next")) or page_behind(request) or fallback)


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """Where signing in lands: field staff on their day, everyone else on the list."""
    if user_role(request.user) is Role.FIELD:
        return redirect("dispatch:my_day")
    return redirect("orders:list")


@require(Action.PEOPLE_MANAGE)
def people(request: HtmxHttpRequest) -> TemplateResponse:
    form = PersonAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email, name = form.cleaned_data["email"], form.cleaned_data["name"]
        try:
            with audit_write(
                actor=request.user,
                operation=Operation.ADD_PERSON,
                target_type=Target.PERSON,
                target_id=None,
                summary={"email": email, "name": name},
            ) as note:
                user = person_add(email=email, name=name)
                note.target_id = str(user.pk)
        except PersonExists:
            form.add_error("email", PERSON_EXISTS)
        else:
            messages.success(request, PERSON_ADDED % {"name": name})
            return redirect("dispatch:people")  # type: ignore[return-value]
    context = {"form": form, "people": people_all()}
    return TemplateResponse(request, "dispatch/people.html", context, status=400 if form.errors else 200)


@require_POST
@require(Action.PEOPLE_MANAGE)
def person_hidden(request: HttpRequest, user_id: int) -> HttpResponse:
    profile = get_object_or_404(Profile, user_id=user_id)
    hidden = request.POST.get("hidden") == "1"
    with audit_write(
        actor=request.user,
        operation=Operation.HIDE_PERSON,
        target_type=Target.PERSON,
        target_id=user_id,
        summary={"email": profile.user.email},
        before={"hidden": profile.hidden},
        after={"hidden": hidden},
    ):
        person_set_hidden(profile=profile, hidden=hidden)
    return redirect("dispatch:people")


@require_POST
@require(Action.ORDER_ASSIGN)
def plan(request: HtmxHttpRequest, order_id: int) -> HttpResponse:
    """One order's plan from the order page or the board's no-JS form."""
    form = PlanForm(request.POST)
    fallback = reverse("orders:detail", args=[order_id])
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, " ".join(str(message) for message in error))
        return _back(request, fallback)
    outcome = order_plan(
        actor=request.user,
        order_id=order_id,
        plan=form.plan(),
        seen_version=form.cleaned_data.get("seen"),
        how=request.POST.get("how", "form")[:20],
    )
    _tell(request, outcome.result, outcome.message)
    return _back(request, fallback)


def _tell(request: HttpRequest, result: Result, message: str) -> None:
    if not message:
        return
    if result in (Result.SAVED, Result.UNCHANGED):
        messages.success(request, message)
    else:
        messages.error(request, message)


@require_POST
@require(Action.ORDER_TAKE)
def take(request: HttpRequest, order_id: int) -> HttpResponse:
    seen = request.POST.get("seen", "")
    outcome = order_take(
        actor=request.user, order_id=order_id, seen_version=int(seen) if seen.isdigit() else None
    )
    _tell(request, outcome.result, outcome.message)
    return _back(request, reverse("orders:detail", args=[order_id]))


@require_POST
@require(Action.ORDER_TAKE)
def hand_back(request: HttpRequest, order_id: int) -> HttpResponse:
    outcome = order_hand_back(actor=request.user, order_id=order_id)
    _tell(request, outcome.result, outcome.message)
    return _back(request, reverse("orders:detail", args=[order_id]))


@require_POST
@require(Action.ORDER_ASSIGN)
def plan_many(request: HttpRequest) -> HttpResponse:
    """The list's "assign to" / "plan for" on the selected orders."""
    form = BulkPlanForm(request.POST)
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, " ".join(str(message) for message in error))
        return _back(request, reverse("orders:list"))
    data = form.cleaned_data
    person = data.get("person")
    outcomes = orders_plan_many(
        actor=request.user,
        order_ids=data["order"],
        person_id=person.user_id if person is not None else None,
        set_person=data["set_person"],
        day=data.get("day"),
        set_day=data["set_day"],
    )
    refused = {o.message for o in outcomes if not o.ok}
    for message in refused:
        messages.error(request, message)
    changed = sum(1 for o in outcomes if o.result is Result.SAVED)
    messages.success(request, PLANNED_MANY % {"count": changed})
    return _back(request, reverse("orders:list"))
