"""Property pages: the list (paged through relay's limit/offset), the detail, create and edit."""

from __future__ import annotations

from typing import Any

import msgspec
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from relaydash.accounts.permissions import Action, require
from relaydash.directory import selectors, services
from relaydash.directory.forms import AddressForm, PropertyForm
from relaydash.directory.views import FORM_HAS_ERRORS, redirect_after_post
from relaydash.relay.client import RelayClient, get_client
from relaydash.relay.errors import RelayError
from relaydash.relay.records import Customer, Listing, Property
from relaydash.web import (
    HtmxHttpRequest,
    page_or_partial,
    relay_error_message,
    relay_error_status,
    relay_page_status,
    retry_after,
    retry_of,
)

PROPERTY_CREATED = _("Property “%(name)s” was created.")
PROPERTY_SAVED = _("Property “%(name)s” was saved.")
CUSTOMERS_UNAVAILABLE = _(
    "The customer list could not be loaded (%(reason)s). You can still save without a customer."
)


def _customers_or_error(client: RelayClient) -> tuple[Listing[Customer], str]:
    """Customers for names and the picker; a failure only costs the names."""
    try:
        return client.get_customers(), ""
    except RelayError as error:
        return Listing(), relay_error_message(error)


@require_GET
@require(Action.VIEW)
def property_list(request: HtmxHttpRequest) -> TemplateResponse:
    """Properties, 50 a page. relay gives no total: the page asks for one more than it
    shows to know whether a next page exists."""
    raw = request.GET.get("page", "1")
    number = int(raw) if raw.isdigit() and 0 < int(raw) < 1_000_000 else 1
    client = get_client()
    context: dict[str, Any] = {"page": None}
    try:
        context["page"] = selectors.property_page(client=client, number=number)
    except RelayError as error:
        context["relay_error"] = relay_error_message(error)
        return page_or_partial(
            request, "directory/property_list.html", "results", context, status=relay_page_status(error)
        )
    customers, _error = _customers_or_error(client)
    names = selectors.customer_names(customers)
    context["skipped"] = context["page"].skipped + customers.skipped
    context["rows"] = [
        {"property": p, "customer_name": names.get(p.customer_id) if p.customer_id is not None else None}
        for p in context["page"].items
    ]
    context["focus_results"] = bool(request.htmx)
    return page_or_partial(request, "directory/property_list.html", "results", context)


@require_GET
@require(Action.VIEW)
def property_detail(request: HtmxHttpRequest, property_id: int) -> TemplateResponse:
    client = get_client()
    try:
        prop = client.get_property(property_id)
    except RelayError as error:
        return TemplateResponse(
            request,
            "directory/property_detail.html",
            {"property": None, "property_id": property_id, "relay_error": relay_error_message(error)},
            status=relay_page_status(error),
        )
    customer = None
    if prop.customer_id is not None:
        customers, _error = _customers_or_error(client)
        customer = selectors.find_customer(customers, prop.customer_id)
    return TemplateResponse(
        request,
        "directory/property_detail.html",
        {"property": prop, "property_id": property_id, "customer": customer},
    )


def _property_initial(prop: Property) -> dict[str, Any]:
    return {
        "name": prop.name or "",
        "customer_id": str(prop.customer_id) if prop.customer_id is not None else "",
        "msc_number": prop.msc_number or "",
        "internal_id": prop.internal_id or "",
        "external_id": prop.external_id or "",
    }


def _customer_choices(customers: list[Customer], current: int | None) -> list[tuple[int, str]]:
    """Customers by name for the picker; a customer id relay no longer lists stays
    choosable, so editing a property does not silently drop its customer."""
    choices = sorted(
        ((c.id, c.name or f"#{c.id}") for c in customers if c.id is not None),
        key=lambda item: item[1].casefold(),
    )
    if current is not None and all(pk != current for pk, _name in choices):
        choices.insert(0, (current, f"#{current}"))
    return choices


@require_http_methods(["GET", "POST"])
@require(Action.DIRECTORY_WRITE)
def property_create(request: HtmxHttpRequest) -> HttpResponse:
    return _property_form(request, property_id=None)


@require_http_methods(["GET", "POST"])
@require(Action.DIRECTORY_WRITE)
def property_edit(request: HtmxHttpRequest, property_id: int) -> HttpResponse:
    return _property_form(request, property_id=property_id)


def _property_form(request: HtmxHttpRequest, *, property_id: int | None) -> HttpResponse:
    """Create and edit share the form: both are CreateProperties (an upsert on `id`);
    edit prefills from GetProperty."""
    client = get_client()
    existing: Property | None = None
    if property_id is not None:
        try:
            existing = client.get_property(property_id)
        except RelayError as error:
            return TemplateResponse(
                request,
                "directory/property_detail.html",
                {"property": None, "property_id": property_id, "relay_error": relay_error_message(error)},
                status=relay_page_status(error),
            )
    customers, customers_error = _customers_or_error(client)
    data = request.POST if request.method == "POST" else None
    preselected = request.GET.get("customer", "")
    current = existing.customer_id if existing else (int(preselected) if preselected.isdigit() else None)
    initial = _property_initial(existing) if existing else {"customer_id": str(current) if current else ""}
    form = PropertyForm(
        data, initial=initial, customers=_customer_choices(customers, current), editing=existing is not None
    )
    address_form = AddressForm(
        data, prefix="address", initial=AddressForm.initial_from(existing.address if existing else None)
    )
    context: dict[str, Any] = {
        "form": form,
        "address_form": address_form,
        "property": existing,
        "property_id": property_id,
        "customers_error": CUSTOMERS_UNAVAILABLE % {"reason": customers_error} if customers_error else "",
    }
    if data is None:
        return TemplateResponse(request, "directory/property_form.html", context)
    if not (form.is_valid() & address_form.is_valid()):
        context["form_error"] = FORM_HAS_ERRORS
        return page_or_partial(request, "directory/property_form.html", "form", context, status=422)
    item = form.to_input(property_id=property_id, address=address_form.to_input())
    since = retry_of(request)
    try:
        saved = services.property_save(
            client=client,
            actor=request.user,
            item=item,
            casavi_account_id=settings.RELAY_CASAVI_ACCOUNT_ID,
            before=msgspec.to_builtins(existing) if existing else None,
            retry=since is not None,
        )
    except RelayError as error:
        context["relay_error"] = relay_error_message(error, write=True)
        context["retry_of"] = retry_after(error, since or timezone.now())
        return page_or_partial(
            request, "directory/property_form.html", "form", context, status=relay_error_status(error)
        )
    text = PROPERTY_SAVED if property_id is not None else PROPERTY_CREATED
    messages.success(request, text % {"name": item.name})
    saved_id = saved.id if saved.id and saved.id.isdigit() else (str(property_id) if property_id else None)
    url = (
        reverse("directory:property_detail", args=[int(saved_id)])
        if saved_id
        else reverse("directory:properties")
    )
    return redirect_after_post(request, url)
