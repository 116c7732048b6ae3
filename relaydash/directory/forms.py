"""Forms of the back office: what people type about customers, properties and addresses.

`AddressForm` is the one address component of relaydash: customers, properties, the
standalone "create address" page and the order detail embed it (with a `prefix` when it
sits inside a bigger form) and render it with `directory/_address_fields.html`.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from relaydash.directory.countries import DEFAULT_COUNTRY, country_choices
from relaydash.relay.records import Address, AddressInput

POSTAL_CODE_DE_INVALID = _("A German postal code has exactly 5 digits, for example 10115.")
COUNTRY_INVALID = _("Choose a country from the list.")
REQUIRED = _("Please fill in this field.")

_GERMAN_POSTAL_CODE = re.compile(r"\d{5}")


class BackOfficeForm(forms.Form):
    """Labels without Django's trailing colon, as everywhere in relaydash."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class AddressForm(BackOfficeForm):
    """An address as relay takes it: street and number, postal code, city, country
    (ISO 3166-1 alpha-2, named in the user's language, Germany by default) and optional
    additional info. `to_input()` gives the AddressInput for CreateAddress,
    CreateCustomer, CreateProperties and PatchOrder."""

    street_address = forms.CharField(
        label=_("Street and number"),
        max_length=200,
        error_messages={"required": REQUIRED},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    postal_code = forms.CharField(
        label=_("Postal code"),
        max_length=20,
        error_messages={"required": REQUIRED},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    locality = forms.CharField(
        label=_("City"),
        max_length=100,
        error_messages={"required": REQUIRED},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    country = forms.ChoiceField(
        label=_("Country"),
        choices=country_choices,
        initial=DEFAULT_COUNTRY,
        error_messages={"required": REQUIRED, "invalid_choice": COUNTRY_INVALID},
    )
    additional_info = forms.CharField(
        label=_("Additional info"),
        help_text=_("Optional, for example rear building or 3rd floor."),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    @classmethod
    def initial_from(cls, address: Address | AddressInput | None) -> dict[str, Any]:
        """Initial data to edit an address relay sent (empty fields stay empty)."""
        if address is None:
            return {"country": DEFAULT_COUNTRY}
        return {
            "street_address": address.street_address or "",
            "postal_code": address.postal_code or "",
            "locality": address.locality or "",
            "country": (address.country or DEFAULT_COUNTRY).upper(),
            "additional_info": address.additional_info or "",
        }

    def clean_postal_code(self) -> str:
        # People type "10 115" or paste with spaces; relay stores what it gets.
        value: str = self.cleaned_data["postal_code"]
        return re.sub(r"\s+", "", value) if re.fullmatch(r"[\d\s]+", value) else value.strip()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        postal_code = cleaned.get("postal_code")
        if cleaned.get("country") == "DE" and postal_code and not _GERMAN_POSTAL_CODE.fullmatch(postal_code):
            self.add_error("postal_code", POSTAL_CODE_DE_INVALID)
        return cleaned

    def to_input(self) -> AddressInput:
        """The validated address as relay takes it. Call only after is_valid()."""
        data = self.cleaned_data
        return AddressInput(
            street_address=data["street_address"],
            postal_code=data["postal_code"],
            locality=data["locality"],
            country=data["country"],
            additional_info=data.get("additional_info") or None,
        )
