"""Forms of the back office: what people type about customers, properties and addresses.

`AddressForm` is the one address component of relaydash: customers, properties, the
standalone "create address" page and the order detail embed it (with a `prefix` when it
sits inside a bigger form) and render it with `directory/_address_fields.html`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from relaydash.directory.countries import DEFAULT_COUNTRY, country_choices
from relaydash.directory.importing import MAX_FILE_BYTES
from relaydash.directory.selectors import Connected, CustomerSort
from relaydash.display.text import without_bidi_controls
from relaydash.relay.records import Address, AddressInput, CustomerInput, PropertyInput

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
        help_text=_("For example rear building or 3rd floor."),
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


# --- Customers -----------------------------------------------------------------------

TELEPHONE_INVALID = _("Enter a phone number with digits, for example +49 30 1234567.")
EMAIL_INVALID = _("Enter an email address such as name@example.com.")
CASAVI_ACCOUNT_INVALID = _("A casavi account id is a positive whole number.")

_TELEPHONE = re.compile(r"\+?[\d\s()/.\-]{4,40}")


class CustomerForm(BackOfficeForm):
    """CreateCustomer's customer fields; the address is an AddressForm beside it."""

    name = forms.CharField(label=_("Name"), max_length=200, error_messages={"required": REQUIRED})
    email_address = forms.EmailField(
        label=_("Email"),
        max_length=254,
        required=False,
        error_messages={"invalid": EMAIL_INVALID},
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    telephone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    internal_id = forms.CharField(
        label=_("Internal id"),
        help_text=_("Your own number for this customer, for example from accounting."),
        max_length=100,
        required=False,
    )
    external_id = forms.CharField(
        label=_("External id"),
        help_text=_("The customer's id in another system, if relay should know it."),
        max_length=100,
        required=False,
    )
    casavi_account_id = forms.IntegerField(
        label=_("casavi account id"),
        help_text=_(
            "With the id of the customer's casavi account, the customer is connected "
            "to that casavi tenant, so orders and properties from casavi reach you through relay; "
            "without it, the customer exists in relay only."
        ),
        required=False,
        min_value=1,
        error_messages={"invalid": CASAVI_ACCOUNT_INVALID, "min_value": CASAVI_ACCOUNT_INVALID},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_telephone(self) -> str:
        value: str = self.cleaned_data["telephone"].strip()
        if value and (not _TELEPHONE.fullmatch(value) or sum(c.isdigit() for c in value) < 4):
            raise forms.ValidationError(TELEPHONE_INVALID)
        return value

    def to_input(self, address: AddressInput | None) -> CustomerInput:
        data = self.cleaned_data
        return CustomerInput(
            name=data["name"].strip(),
            internal_id=data["internal_id"].strip() or None,
            id=data["external_id"].strip() or None,
            telephone=data["telephone"] or None,
            email_address=data["email_address"] or None,
            address=address,
        )


class CustomerFilterForm(forms.Form):
    """The list's query string: search, filters, sort, page. Unknown values fall back to
    the defaults instead of failing: a link someone shared should still open."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False)
    casavi = forms.ChoiceField(
        label=_("casavi"),
        required=False,
        choices=[
            (Connected.ANY.value, _("All customers")),
            (Connected.YES.value, _("Connected to casavi")),
            (Connected.NO.value, _("Not connected")),
        ],
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            (CustomerSort.NAME.value, _("Name A–Z")),
            (CustomerSort.NAME_DESC.value, _("Name Z–A")),
            (CustomerSort.CITY.value, _("City A–Z")),
            (CustomerSort.CITY_DESC.value, _("City Z–A")),
            (CustomerSort.STATUS.value, _("Status")),
            (CustomerSort.SINCE_DESC.value, _("Status changed, newest first")),
            (CustomerSort.SINCE.value, _("Status changed, oldest first")),
        ],
    )
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(self, *args: Any, statuses: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        status_field = self.fields["status"]
        assert isinstance(status_field, forms.ChoiceField)
        status_field.choices = [("", _("All statuses")), *statuses]

    def value(self, name: str) -> Any:
        """The cleaned value, or the default when the parameter is missing or invalid."""
        self.is_valid()
        if name in self.errors:
            return None
        return getattr(self, "cleaned_data", {}).get(name)

    @property
    def query(self) -> str:
        return (self.value("q") or "").strip()

    @property
    def status_value(self) -> str:
        return self.value("status") or ""

    @property
    def connected(self) -> Connected:
        return Connected(self.value("casavi") or "")

    @property
    def sort_value(self) -> CustomerSort:
        return CustomerSort(self.value("sort") or CustomerSort.NAME.value)

    @property
    def page_number(self) -> int:
        return self.value("page") or 1


# --- Properties --------------------------------------------------------------------


INTERNAL_ID_NOT_SHOWN = _(
    "relay does not show the internal id it has stored, so this field starts empty. "
    "Enter it again to keep it: saving with an empty field may remove it."
)


class PropertyForm(BackOfficeForm):
    """CreateProperties' item fields; the address is an AddressForm beside it."""

    name = forms.CharField(label=_("Name"), max_length=200, error_messages={"required": REQUIRED})
    customer_id = forms.TypedChoiceField(
        label=_("Customer"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose a customer from the list.")},
    )
    msc_number = forms.CharField(label=_("MSC number"), max_length=100, required=False)
    internal_id = forms.CharField(label=_("Internal id"), max_length=100, required=False)
    external_id = forms.CharField(label=_("External id"), max_length=100, required=False)

    def __init__(
        self, *args: Any, customers: Sequence[tuple[int, str]] = (), editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["internal_id"].help_text = INTERNAL_ID_NOT_SHOWN
        field = self.fields["customer_id"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            ("", _("— no customer —")),
            *[(str(pk), without_bidi_controls(name)) for pk, name in customers],
        ]

    def to_input(self, *, property_id: int | None, address: AddressInput | None) -> PropertyInput:
        data = self.cleaned_data
        return PropertyInput(
            id=str(property_id) if property_id is not None else None,
            name=data["name"].strip(),
            address=address,
            msc_number=data["msc_number"].strip() or None,
            internal_id=data["internal_id"].strip() or None,
            external_id=data["external_id"].strip() or None,
            customer_id=data["customer_id"],
        )


# --- Import ------------------------------------------------------------------------

IMPORT_FILE_TYPE = _("Choose a CSV file (.csv) or an Excel workbook (.xlsx).")
IMPORT_FILE_TOO_LARGE = _("The file is larger than %(limit)s MB. Split it into smaller files.")


class ImportUploadForm(BackOfficeForm):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (semicolon or comma, as Excel saves it) or Excel workbook (.xlsx)."),
        error_messages={"required": _("Choose a file to import.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx,text/csv"}),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".csv", ".txt", ".xlsx")):
            raise forms.ValidationError(IMPORT_FILE_TYPE)
        if (upload.size or 0) > MAX_FILE_BYTES:
            raise forms.ValidationError(IMPORT_FILE_TOO_LARGE % {"limit": MAX_FILE_BYTES // (1024 * 1024)})
        return upload
