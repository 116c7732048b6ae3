"""How customer, property and address writes read on the audit page: the directory
pages' labels and values instead of relay's field names. Registered with accounts when
Django starts (DirectoryConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from relaydash.accounts.audit import Target, audit_field_register
from relaydash.directory.countries import country_name
from relaydash.display import labels
from relaydash.relay.records import Address


def _address(value: Any) -> str:
    """An address as the pages show it in one line ("Hauptstraße 5, 10115 Berlin")."""
    if not isinstance(value, dict):
        return str(value)
    address = Address(
        street_address=value.get("streetAddress"),
        postal_code=value.get("postalCode"),
        locality=value.get("locality"),
    )
    parts = [address.one_line, country_name(value.get("country")), value.get("additionalInfo") or ""]
    return ", ".join(part for part in parts if part)


LABELS = {
    "customer": _("Customer"),
    "properties": _("Properties"),
    "casaviAccountId": _("casavi account"),
    "import": _("File"),
    "rows": _("Rows"),
    "rowNumbers": _("Row numbers"),
    "id": _("relay id"),
    "name": _("Name"),
    "internalId": _("Internal id"),
    "externalId": _("External id"),
    "mscNumber": _("MSC number"),
    "customerId": _("Customer"),
    "telephone": _("Phone"),
    "emailAddress": _("Email"),
}


def register_audit_fields() -> None:
    for target in (Target.CUSTOMER, Target.PROPERTY, Target.ADDRESS):
        for key, label in LABELS.items():
            audit_field_register(target_type=target, key=key, label=label)
        audit_field_register(target_type=target, key="address", label=_("Address"), show=_address)
        audit_field_register(target_type=target, key="origin", label=_("Origin"), show=labels.origin_label)
