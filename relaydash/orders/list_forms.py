"""The order list's filter form: reads the URL query into OrderFilters.

The query is something people share, bookmark and edit by hand, so a bad value must not
break the page: a field that does not validate is left out of the filters (the list is
shown without it) and its error is shown next to the field and above the list.
Validation does not depend on relay's data (a customer id is just a number), so a link
to a customer relay no longer knows still opens and simply matches nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from relaydash.accounts.selectors import people_field
from relaydash.display.labels import order_type_label
from relaydash.display.text import without_bidi_controls
from relaydash.orders.selectors import (
    DEFAULT_SORT,
    DUE_TODAY,
    MINE,
    SORT_VALUES,
    UNASSIGNED,
    OrderFilters,
    SortKey,
)
from relaydash.orders.status import ORDER_STATUS_LABELS
from relaydash.relay.records import Customer, OrderStatus

INVALID_FILTERS: Final = _("Some filters in this address could not be used and were ignored:")
INVALID_DATE: Final = _("This is not a date (expected e.g. 2026-11-28).")
INVALID_STATUS: Final = _("This is not a status relay knows.")
INVALID_SORT: Final = _("This sort order does not exist; the list is sorted by due date.")
INVALID_DUE: Final = _("This due-date filter does not exist; the list is shown without it.")
INVALID_CUSTOMER: Final = _("This is not a customer number.")
DUE_RANGE_REVERSED: Final = _("The end of the due-date range is before its start.")
UNKNOWN_CUSTOMER: Final = _("Customer %(id)s (not known to relay)")

INVALID_ASSIGNED: Final = _("This is not a person relaydash plans.")

# The filters behind "More filters", in the order they are shown.
MORE_FILTERS: Final = ("due_from", "due_to", "customer", "type", "assigned", "planned")

SORT_CHOICE_LABELS: Final[dict[str, Promise]] = {
    SortKey.DUE.value: _("Due date, earliest first"),
    f"-{SortKey.DUE.value}": _("Due date, latest first"),
    SortKey.CREATED.value: _("Created, oldest first"),
    f"-{SortKey.CREATED.value}": _("Created, newest first"),
    SortKey.UPDATED.value: _("Updated, oldest first"),
    f"-{SortKey.UPDATED.value}": _("Updated, newest first"),
    SortKey.TITLE.value: _("Title, A to Z"),
    f"-{SortKey.TITLE.value}": _("Title, Z to A"),
}


class OrderFilterForm(forms.Form):
    """GET form of the order list. Bound to request.GET; never "invalid" as a whole:
    `filters()` uses what validated."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Title, order number, internal ID, type, address, customer or contact person"),
        widget=forms.SearchInput(attrs={"autocomplete": "off", "enterkeyhint": "search"}),
    )
    status = forms.TypedChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *((s.value, label) for s, label in ORDER_STATUS_LABELS.items())],
        coerce=OrderStatus,
        empty_value=None,
        error_messages={"invalid_choice": INVALID_STATUS},
    )
    overdue = forms.BooleanField(label=_("Only overdue"), required=False)
    # `?due=today`: a named quick filter (not a date), so a shared link keeps meaning
    # "today" on the day it is opened.
    due = forms.ChoiceField(
        label=_("Due"),
        required=False,
        choices=[(DUE_TODAY, _("Due today"))],
        error_messages={"invalid_choice": INVALID_DUE},
    )
    due_from = forms.DateField(
        label=_("Due from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": INVALID_DATE},
    )
    due_to = forms.DateField(
        label=_("Due until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": INVALID_DATE},
    )
    customer = forms.IntegerField(
        label=_("Customer"),
        required=False,
        min_value=1,
        widget=forms.Select,
        error_messages={"invalid": INVALID_CUSTOMER, "min_value": INVALID_CUSTOMER},
    )
    type = forms.CharField(label=_("Type"), required=False, max_length=200, widget=forms.Select)
    assigned = forms.ChoiceField(
        label=_("Assigned to"), required=False, error_messages={"invalid_choice": INVALID_ASSIGNED}
    )
    planned = forms.DateField(
        label=_("Planned for"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": INVALID_DATE},
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[(value, SORT_CHOICE_LABELS[value]) for value in SORT_VALUES],
        error_messages={"invalid_choice": INVALID_SORT},
    )

    def __init__(self, *args: Any, me: int | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "order-%s")
        super().__init__(*args, **kwargs)
        self.me = me
        assigned = self.fields["assigned"]
        assert isinstance(assigned, forms.ChoiceField)
        assigned.choices = [
            ("", _("Anyone or nobody")),
            (UNASSIGNED, _("Nobody (unassigned)")),
            (MINE, _("Me")),
            *((str(p.user_id), p.user.get_full_name() or p.user.email) for p in people_field()),
        ]
        for name in MORE_FILTERS:
            # With JavaScript a change here updates the results at once (hx-trigger).
            self.fields[name].widget.attrs["class"] = "order-filter__control"
        self.set_choices(customers=(), types=())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("due_from"), cleaned.get("due_to")
        if start and end and end < start:
            self.add_error("due_to", DUE_RANGE_REVERSED)
        return cleaned

    def filters(self) -> OrderFilters:
        """The filters from the fields that validated; a bad field counts as not set."""
        self.is_valid()
        data = self.cleaned_data
        return OrderFilters(
            q=" ".join((data.get("q") or "").split()),
            status=data.get("status"),
            overdue=bool(data.get("overdue")),
            due_today=data.get("due") == DUE_TODAY,
            due_from=data.get("due_from"),
            due_to=data.get("due_to"),
            customer=data.get("customer"),
            type=data.get("type") or "",
            assigned=data.get("assigned") or "",
            planned=data.get("planned"),
            sort=data.get("sort") or DEFAULT_SORT,
            me=self.me,
        )

    def set_choices(self, *, customers: Sequence[Customer], types: Sequence[str]) -> None:
        """Fill the customer and type selects from relay's data. A value in the URL that
        relay does not know (any more) stays selected, named as such, so the user sees
        why nothing matches."""
        customer_choices: list[tuple[str, str]] = [("", str(_("All customers")))]
        known_ids = set()
        for customer in customers:
            if customer.id is not None:
                known_ids.add(customer.id)
                name = without_bidi_controls(customer.name)
                customer_choices.append((str(customer.id), name or f"#{customer.id}"))
        current = self.cleaned_data.get("customer") if hasattr(self, "cleaned_data") else None
        if current is not None and current not in known_ids and customers:
            customer_choices.append((str(current), str(UNKNOWN_CUSTOMER % {"id": current})))
        self.fields["customer"].widget.choices = customer_choices

        type_choices: list[tuple[str, str]] = [("", str(_("All types")))]
        type_choices.extend((t, without_bidi_controls(order_type_label(t))) for t in types)
        current_type = self.cleaned_data.get("type") if hasattr(self, "cleaned_data") else None
        if current_type and current_type not in types and types:
            type_choices.append((current_type, current_type))
        self.fields["type"].widget.choices = type_choices

    def more_fields(self) -> list[forms.BoundField]:
        """The filters behind "More filters" (search is always visible; status, overdue,
        due today and sort are the tabs and the sort select next to the results)."""
        return [self[name] for name in MORE_FILTERS]

    def invalid_fields(self) -> list[tuple[str, list[str]]]:
        """(field label, messages) of every field whose value was ignored."""
        self.is_valid()
        return [
            (str(self.fields[name].label), [str(m) for m in messages])
            for name, messages in self.errors.items()
        ]
