"""The audit page's filter form (GET, so a filtered view is a link people can share)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from relaydash.accounts.audit import OPERATION_LABELS, Operation
from relaydash.accounts.selectors import AuditFilters, audit_operations

DATES_REVERSED = _("The end date is before the start date.")


def operation_label(operation: str) -> str:
    """The readable name of an operation, or relay's own name for one we do not know."""
    try:
        return str(OPERATION_LABELS[Operation(operation)])
    except ValueError:
        return operation


class DateInput(forms.DateInput):
    input_type = "date"


class AuditFilterForm(forms.Form):
    user = forms.CharField(label=pgettext_lazy("audit filter", "User"), required=False, max_length=254)
    order = forms.IntegerField(label=pgettext_lazy("audit filter", "Order"), required=False, min_value=1)
    operation = forms.ChoiceField(label=pgettext_lazy("audit filter", "Operation"), required=False)
    date_from = forms.DateField(
        label=pgettext_lazy("audit filter", "From"), required=False, widget=DateInput(format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=pgettext_lazy("audit filter", "To"), required=False, widget=DateInput(format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        known = {operation.value for operation in Operation}
        operations = sorted(known | set(audit_operations()), key=operation_label)
        field = self.fields["operation"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", pgettext_lazy("audit filter", "All operations")),
            *((name, operation_label(name)) for name in operations),
        ]
        self.fields["user"].widget.attrs.update({"list": "audit-user-emails", "autocomplete": "off"})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", DATES_REVERSED)
        return cleaned

    def filters(self) -> AuditFilters:
        """The valid filters; an invalid field filters nothing (and shows its error)."""
        if not self.is_bound:
            return AuditFilters()
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return AuditFilters(
            user=(data.get("user") or "").strip(),
            order_id=data.get("order"),
            operation=data.get("operation") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to") if "date_to" not in self.errors else None,
        )
