"""What people type on the order detail page, checked before anything reaches relay.

The four patch forms (status, due date, internal id, address) each carry the order's
`updatedAt` as the user saw it (`seen_updated_at`) and a signed snapshot of the values
they saw (`seen_values`), so the service can refuse to overwrite a change made by
someone else meanwhile and the page can say what that change was.

The comment form repeats relay's upload limits on the server (the browser checks them
too, but a browser can be bypassed), with the same words the page shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum
from functools import lru_cache
from typing import Any, Final, cast

import msgspec
from django import forms
from django.core import signing
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.forms.utils import flatatt
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from relaydash.accounts.permissions import Action
from relaydash.directory.forms import AddressForm
from relaydash.orders.services import snapshot_address
from relaydash.orders.status import ORDER_STATUS_LABELS
from relaydash.relay.client import MAX_COMMENT_BYTES, MAX_COMMENT_FILES
from relaydash.relay.records import Address, Order, OrderPatch, OrderStatus

COMMENT_TEXT_REQUIRED = _("Please write a comment.")
COMMENT_TOO_MANY_FILES = _(
    "A comment can carry at most %(max)d files; you chose %(count)d. Remove some files and send again."
)
COMMENT_TOO_LARGE = _(
    "The files of a comment may be at most %(max)s together; yours are %(total)s. "
    "Remove some files and send again."
)
COMMENT_FILES_OVER_LIMIT = _(
    "The files of a comment may be at most %(max)s together; yours are more. "
    "Remove some files and send again."
)
FIELD_NAME_REQUIRED = _("Please name the field.")
FIELD_CONTENT_REQUIRED = _("Please fill in the content.")
DUE_DATE_REQUIRED = _("Please pick a date and time.")
DUE_DATE_INVALID = _("Please enter a date and time, for example 28.11.2026 14:30.")
STATUS_INVALID = _("Please choose one of the statuses shown.")
DUE_DATE_HELP = _("Date and time in the time zone %(zone)s.")
SEEN_MISSING = _("This form is out of date. Please reload the page and try again.")

# The statuses people can set. NULL is relay's "no status" value: it is shown when
# relay sends it, but nobody sets an order back to it from here.
SETTABLE_STATUSES: Final = tuple(s for s in ORDER_STATUS_LABELS if s is not OrderStatus.NULL)

_SEEN_SALT = "relaydash.orders.seen"
# The formats <input type="datetime-local"> submits (seconds only when step < 60).
DATETIME_LOCAL_FORMATS: Final = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


class PatchPart(StrEnum):
    """The parts of an order people change one at a time, each with its own small form."""

    STATUS = "status"
    DUE_DATE = "due_date"
    INTERNAL_ID = "internal_id"
    ADDRESS = "address"

    @property
    def action(self) -> Action:
        return PART_ACTIONS[self]

    @property
    def keys(self) -> frozenset[str]:
        """The POST keys that change this part: posting any of them needs its action."""
        if self is PatchPart.ADDRESS:
            return frozenset(AddressForm.base_fields)
        return frozenset({self.value})


PART_ACTIONS: Final[dict[PatchPart, Action]] = {
    PatchPart.STATUS: Action.ORDER_STATUS,
    PatchPart.DUE_DATE: Action.ORDER_DUE_DATE,
    PatchPart.INTERNAL_ID: Action.ORDER_INTERNAL_ID,
    PatchPart.ADDRESS: Action.ORDER_ADDRESS,
}


def seen_snapshot(order: Order) -> dict[str, Any]:
    """The values of the patchable parts as the user sees them now (relay's own text)."""
    address = order.address
    return {
        "updated_at": order.updated_at or "",
        "status": order.status_text,
        "due_date": order.due_date,
        "internal_id": order.internal_id,
        "address": None
        if address is None
        else {
            "street_address": address.street_address,
            "postal_code": address.postal_code,
            "locality": address.locality,
            "country": address.country,
            "additional_info": address.additional_info,
        },
    }


def sign_seen(order: Order, *, own_patch_from: str = "") -> str:
    """The snapshot as a tamper-proof hidden value (it only describes a conflict, but a
    forged one must not put words in relay's mouth). `own_patch_from`: the updatedAt
    the page's own, confirmed patch started from (`order` then holds the values it set),
    so the next patch knows who moved updatedAt (services.order_patch)."""
    snapshot = seen_snapshot(order)
    if own_patch_from:
        snapshot["own_patch_from"] = own_patch_from
    return signing.dumps(snapshot, salt=_SEEN_SALT, compress=True)


def unsign_seen(value: str) -> dict[str, Any] | None:
    try:
        data = signing.loads(value, salt=_SEEN_SALT)
    except signing.BadSignature:
        return None
    return data if isinstance(data, dict) else None


class DetailForm(forms.Form):
    """Labels without Django's trailing colon, ids unique per form on the shared page."""

    id_prefix = "order"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


class SeenMixin(forms.Form):
    """What the user saw when the form was rendered: relay's updatedAt text and the
    signed snapshot. Both hidden; rendered by the template's `seen_inputs` partial."""

    part: PatchPart
    seen_updated_at = forms.CharField(
        required=False, strip=False, widget=forms.HiddenInput, error_messages={"required": SEEN_MISSING}
    )
    seen_values = forms.CharField(required=False, strip=False, widget=forms.HiddenInput)

    def clean_seen_updated_at(self) -> str:
        if "seen_updated_at" not in self.data:
            raise forms.ValidationError(SEEN_MISSING)
        return str(self.cleaned_data["seen_updated_at"])

    def seen(self) -> dict[str, Any] | None:
        """The snapshot the user saw, or None when it is missing or was tampered with."""
        return unsign_seen(self.data.get("seen_values", "") or "")

    def to_patch(self) -> OrderPatch:
        raise NotImplementedError

    def wanted(self) -> Any:
        """The value the user asked for, as the page shows it (after is_valid())."""
        return self.cleaned_data.get(self.part.value)


class StatusForm(SeenMixin, DetailForm):
    part = PatchPart.STATUS
    id_prefix = "status"

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(s.value, ORDER_STATUS_LABELS[s]) for s in SETTABLE_STATUSES],
        error_messages={"required": STATUS_INVALID, "invalid_choice": STATUS_INVALID},
    )

    def to_patch(self) -> OrderPatch:
        return OrderPatch(status=OrderStatus(self.cleaned_data["status"]))


class DueDateForm(SeenMixin, DetailForm):
    """A local date and time in the user's time zone (the active one, Europe/Berlin by
    default); Django makes it aware, the client sends it as RFC 3339 with the offset."""

    part = PatchPart.DUE_DATE
    id_prefix = "due"

    due_date = forms.DateTimeField(
        label=_("Due date"),
        input_formats=DATETIME_LOCAL_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": DUE_DATE_REQUIRED, "invalid": DUE_DATE_INVALID},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["due_date"].help_text = DUE_DATE_HELP % {"zone": timezone.get_current_timezone_name()}

    def to_patch(self) -> OrderPatch:
        value: dt.datetime = self.cleaned_data["due_date"]
        return OrderPatch(due_date=value)


class InternalIdForm(SeenMixin, DetailForm):
    part = PatchPart.INTERNAL_ID
    id_prefix = "internal"

    internal_id = forms.CharField(
        label=_("Internal ID"),
        help_text=_("Your own number for this order. Leave empty to remove it."),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def to_patch(self) -> OrderPatch:
        return OrderPatch(internal_id=self.cleaned_data["internal_id"])


class CountrySelect(forms.Select):
    """The same <select> as Django's, with its ~250 options written in Python (and kept
    per language and choice): Django renders each option through a template, which took
    35 ms of every detail page."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        choices = tuple(self.choices)
        if any(isinstance(label, list | tuple) for _, label in choices):  # option groups
            return super().render(name, value, attrs, renderer)
        selected = frozenset(str(v) for v in self.format_value(value))
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        return format_html("<select{}>\n{}\n</select>", flatatt(final_attrs), _options(choices, selected))


@lru_cache(maxsize=32)
def _options(choices: tuple[tuple[Any, Any], ...], selected: frozenset[str]) -> SafeString:
    rows = ((str(code), " selected" if str(code) in selected else "", label) for code, label in choices)
    return format_html_join("\n", '<option value="{}"{}>{}</option>', rows)


class OrderAddressForm(SeenMixin, AddressForm):
    """The directory's address component, as PatchOrder's `address`."""

    part = PatchPart.ADDRESS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "address-%s")
        super().__init__(*args, **kwargs)
        country = self.fields["country"]
        assert isinstance(country, forms.ChoiceField)
        widget = CountrySelect(attrs=country.widget.attrs)
        widget.choices = cast(forms.Select, country.widget).choices
        country.widget = widget

    def to_patch(self) -> OrderPatch:
        return OrderPatch(address=self.to_input())

    def wanted(self) -> str:
        return Address(**msgspec.structs.asdict(self.to_input())).one_line


PATCH_FORMS: Final[dict[PatchPart, type[SeenMixin]]] = {
    PatchPart.STATUS: StatusForm,
    PatchPart.DUE_DATE: DueDateForm,
    PatchPart.INTERNAL_ID: InternalIdForm,
    PatchPart.ADDRESS: OrderAddressForm,
}


def patch_form_initial(part: PatchPart, order: Order) -> dict[str, Any]:
    """Initial values of a part's form: what the order has now, and what the user sees."""
    seen = {"seen_updated_at": order.updated_at or "", "seen_values": sign_seen(order)}
    if part is PatchPart.STATUS:
        return {**seen, "status": order.status_text}
    if part is PatchPart.DUE_DATE:
        due = order.due
        return {**seen, "due_date": due if isinstance(due, dt.datetime) else None}
    if part is PatchPart.INTERNAL_ID:
        return {**seen, "internal_id": order.internal_id or ""}
    return {**seen, **AddressForm.initial_from(order.address)}


def patch_form_for(part: PatchPart, order: Order) -> SeenMixin:
    """A fresh form for one part of `order`."""
    return PATCH_FORMS[part](initial=patch_form_initial(part, order))


def order_from_seen(form: SeenMixin, order_id: int) -> Order:
    """The order as the user last saw it, rebuilt from the form's snapshot: what the
    part shows when relay cannot be read to answer a failed patch."""
    seen = form.seen() or {}
    return Order(
        id=order_id,
        status_text=seen.get("status"),
        due_date=seen.get("due_date"),
        internal_id=seen.get("internal_id"),
        updated_at=str(form.data.get("seen_updated_at", "")),
        address=snapshot_address(seen.get("address")),
    )


# --- Comments -------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Django's documented pattern for an <input type="file" multiple>: cleans to a list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single_file_clean = super().clean
        items = data if isinstance(data, list | tuple) else [data]
        return [f for f in (single_file_clean(item, initial) for item in items) if f]


def files_limit_error(files: Sequence[UploadedFile]) -> str | None:
    """relay's per-comment limits in the user's words, or None when the files fit."""
    if len(files) > MAX_COMMENT_FILES:
        return str(COMMENT_TOO_MANY_FILES % {"max": MAX_COMMENT_FILES, "count": len(files)})
    total = sum(f.size or 0 for f in files)
    if total > MAX_COMMENT_BYTES:
        sizes = {"max": filesizeformat(MAX_COMMENT_BYTES), "total": filesizeformat(total)}
        return str(COMMENT_TOO_LARGE % sizes)
    return None


class CommentForm(DetailForm):
    id_prefix = "comment"

    text = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 4}),
        strip=False,
        error_messages={"required": COMMENT_TEXT_REQUIRED},
    )
    attachments = MultipleFileField(label=_("Files"), required=False)

    def clean_text(self) -> str:
        text: str = self.cleaned_data["text"]
        if not text.strip():
            raise forms.ValidationError(COMMENT_TEXT_REQUIRED)
        return text.strip()

    def __init__(self, *args: Any, upload_stopped: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.upload_stopped = upload_stopped

    def clean_attachments(self) -> list[UploadedFile]:
        if self.upload_stopped:
            raise forms.ValidationError(COMMENT_FILES_OVER_LIMIT % {"max": filesizeformat(MAX_COMMENT_BYTES)})
        files: list[UploadedFile] = self.cleaned_data.get("attachments") or []
        error = files_limit_error(files)
        if error:
            raise forms.ValidationError(error)
        return files


class CommentUploadLimit(FileUploadHandler):
    """Stops storing a comment's files once they pass relay's 100 MB, so an oversized
    upload (without the browser's check) cannot fill the disk before the form refuses
    it. The rest of the body is read and dropped; `stopped` tells the form."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.total = 0
        self.stopped = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.total += len(raw_data)
        if self.total > MAX_COMMENT_BYTES:
            self.stopped = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


# --- Order fields ---------------------------------------------------------------------


class OrderFieldForm(DetailForm):
    id_prefix = "field"

    name = forms.CharField(label=_("Name"), max_length=200, error_messages={"required": FIELD_NAME_REQUIRED})
    content = forms.CharField(
        label=_("Content"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": FIELD_CONTENT_REQUIRED},
    )
    position = forms.IntegerField(
        label=_("Position"),
        help_text=_("Fields are listed by position. The next free one is filled in."),
        min_value=0,
        max_value=1_000_000,
    )
