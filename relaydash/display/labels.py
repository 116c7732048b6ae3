"""Words for relay's codes that people meet: order types, contact roles, customer status
and origin, in German and English.

relay documents no complete list of these codes, so a code not listed here is shown as
relay sent it (hiding it would hide information); a missing one reads "Unknown" where a
value is expected.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

UNKNOWN: Final = _("Unknown")

ORDER_TYPE_LABELS: Final[Mapping[str, Promise]] = {
    "REPAIR": pgettext_lazy("order type", "Repair"),
    "MAINTENANCE": pgettext_lazy("order type", "Maintenance"),
    "METER_READING": pgettext_lazy("order type", "Meter reading"),
    "READING": pgettext_lazy("order type", "Meter reading"),
    "SMOKE_DETECTOR": pgettext_lazy("order type", "Smoke detector check"),
    "SMOKE_DETECTOR_CHECK": pgettext_lazy("order type", "Smoke detector check"),
    "SMOKE_DETECTOR_INSPECTION": pgettext_lazy("order type", "Smoke detector check"),
    "DAMAGE": pgettext_lazy("order type", "Damage report"),
    "DAMAGE_REPORT": pgettext_lazy("order type", "Damage report"),
    "INSPECTION": pgettext_lazy("order type", "Inspection"),
    "CLEANING": pgettext_lazy("order type", "Cleaning"),
    "GARDENING": pgettext_lazy("order type", "Garden care"),
    "WINTER_SERVICE": pgettext_lazy("order type", "Winter service"),
    "OTHER": pgettext_lazy("order type", "Other"),
}

CONTACT_ROLE_LABELS: Final[Mapping[str, Promise]] = {
    "OWNER": pgettext_lazy("contact role", "Owner"),
    "TENANT": pgettext_lazy("contact role", "Tenant"),
    "CARETAKER": pgettext_lazy("contact role", "Caretaker"),
    "JANITOR": pgettext_lazy("contact role", "Caretaker"),
    "PROPERTY_MANAGER": pgettext_lazy("contact role", "Property manager"),
    "MANAGER": pgettext_lazy("contact role", "Property manager"),
    "ADMINISTRATION": pgettext_lazy("contact role", "Property manager"),
    "CONTACT": pgettext_lazy("contact role", "Contact"),
    "OTHER": pgettext_lazy("contact role", "Other"),
}

CUSTOMER_STATUS_LABELS: Final[Mapping[str, Promise]] = {
    "ACTIVE": _("Active"),
    "INACTIVE": _("Inactive"),
    "BLOCKED": _("Blocked"),
    "DELETED": _("Deleted"),
}

ORIGIN_LABELS: Final[Mapping[str, Promise]] = {
    "CASAVI": _("casavi"),
    "RELAY": _("relay"),
    "API": _("relay API"),
}


def code_label(labels: Mapping[str, Promise], code: str | None, *, missing: str = "") -> str:
    """The word for one of relay's codes ("METER_READING" → "Zählerablesung"); a code we
    do not know as sent; `missing` when there is none."""
    if not code:
        return missing
    label = labels.get(code.strip().upper())
    return str(label) if label is not None else code


def order_type_label(code: str | None) -> str:
    return code_label(ORDER_TYPE_LABELS, code)


def contact_role_label(code: str | None) -> str:
    return code_label(CONTACT_ROLE_LABELS, code)


def customer_status_label(code: str | None) -> str:
    return code_label(CUSTOMER_STATUS_LABELS, code, missing=str(UNKNOWN))


def origin_label(code: str | None) -> str:
    return code_label(ORIGIN_LABELS, code, missing=str(UNKNOWN))
