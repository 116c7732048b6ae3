"""Customer and address pages of the back office.

Properties are in property_views.py, the property import in import_views.py.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from relaydash.accounts.permissions import Action, require
from relaydash.directory import exports, selectors, services
from relaydash.directory.forms import AddressForm, CustomerFilterForm, CustomerForm
from relaydash.directory.templatetags.directory_tags import customer_status
from relaydash.relay.client import get_client
from relaydash.relay.errors import BadResponse, OutcomeUnknown, RelayError
from relaydash.relay.records import Customer, Listing
from relaydash.web import (
    HtmxHttpRequest,
    page_or_partial,
    relay_error_message,
    relay_error_status,
    relay_page_status,
    retry_after,
    retry_of,
    wants_partial,
)

CUSTOMER_CREATED = _("Customer “%(name)s” was created.")
CUSTOMER_CREATED_FIND = _(
    "Customer “%(name)s” was created. relay did not tell its new id, "
    "so here is the list filtered by its name."
)
CUSTOMER_NOT_FOUND = _("relay has no customer with id %(id)s.")
FORM_HAS_ERRORS = _("Please correct the marked fields.")
BACK_TO_CUSTOMERS = _("Back to the customers")
ADDRESS_CREATED = _("Address created in relay with id %(id)s.")
ADDRESS_UNKNOWN = _(
    "relay may have created this address: its answer was not what relay documents (the new id "
    "as a bare number), so the id it gave is not known, and relay offers no way to look addresses "
    "up. Check in relay whether the address exists and which id it has before you create it again."
)


def not_found(request: HtmxHttpRequest, message: str, *, back_url: str, back_label: str) -> TemplateResponse:
    """A 404 page that says what was not found and where to go instead."""
    context = {"message": message, "back_url": back_url, "back_label": back_label}
    return TemplateResponse(request, "directory/not_found.html", context, status=404)


def redirect_after_post(request: HtmxHttpRequest, url: str) -> HttpResponse:
    """POST → redirect → GET; for htmx a client redirect, so the browser loads the page."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


# --- Customer list and export ----------------------------------------------------------


def _filter_params(form: CustomerFilterForm, **overrides: object) -> dict[str, str]:
    params: dict[str, object] = {
        "q": form.query,
        "status": form.status_value,
        "casavi": form.connected.value,
        "sort": form.sort_value.value if form.sort_value is not selectors.CustomerSort.NAME else "",
    }
    params.update(overrides)
    return {key: str(value) for key, value in params.items() if value not in ("", None, 1)}


def _query(params: dict[str, str]) -> str:
    return "?" + urlencode(params) if params else ""


SORTABLE_COLUMNS = (
    ("name", _("Name")),
    ("city", _("City")),
    ("status", _("Status")),
)


def _sort_headers(form: CustomerFilterForm, base: str) -> list[dict[str, Any]]:
    """Column headers that sort: each links to its ascending order, or descending when
    it is already ascending, and carries aria-sort for screen readers."""
    current = form.sort_value.value
    headers = []
    for key, label in SORTABLE_COLUMNS:
        ascending = current == key
        descending = current == f"-{key}"
        target = f"-{key}" if ascending else key
        params = _filter_params(form, sort=target if target != "name" else "")
        headers.append(
            {
                "key": key,
                "label": label,
                "url": base + _query(params),
                "aria_sort": "ascending" if ascending else "descending" if descending else "none",
            }
        )
    return headers


@require_GET
@require(Action.VIEW)
def customer_list(request: HtmxHttpRequest) -> TemplateResponse:
    """Customers: search, filter, sort and page over GetCustomers (relay cannot)."""
    customers: Listing[Customer] = Listing()
    error: RelayError | None = None
    try:
        customers = get_client().get_customers()
    except RelayError as exc:
        error = exc
    statuses = [(s, customer_status(s)) for s in selectors.customer_statuses(customers)]
    form = CustomerFilterForm(request.GET, statuses=statuses)
    chosen = selectors.filter_customers(
        customers,
        query=form.query,
        status=form.status_value,
        connected=form.connected,
        sort=form.sort_value,
    )
    page = selectors.page_of(chosen, number=form.page_number, per_page=selectors.CUSTOMERS_PER_PAGE)
    base = reverse("directory:customers")
    export = reverse("directory:customer_export")
    params = _filter_params(form)
    context = {
        "form": form,
        "page": page,
        "total": len(customers),
        "filtered": bool(form.query or form.status_value or form.connected is not selectors.Connected.ANY),
        "headers": _sort_headers(form, base),
        "previous_url": base + _query(_filter_params(form, page=page.previous_number)),
        "next_url": base + _query(_filter_params(form, page=page.next_number)),
        "export_url": export + _query(params),
        "export_comma_url": export + _query({**params, "delimiter": "comma"}),
        "relay_error": relay_error_message(error) if error else "",
        "skipped": customers.skipped,
        "oob": wants_partial(request),
        "focus_results": bool(request.htmx) and request.htmx.trigger != "customer-filter",
    }
    status = relay_page_status(error) if error else 200
    return page_or_partial(request, "directory/customer_list.html", "results", context, status=status)


@require_GET
@require(Action.VIEW)
def customer_export(request: HtmxHttpRequest) -> HttpResponse:
    """The customer list as CSV, with the list's search, filters and sort (all pages).
    Semicolons by default, as German Excel expects; `?delimiter=comma` for commas."""
    try:
        customers = get_client().get_customers()
    except RelayError as error:
        return TemplateResponse(
            request,
            "relay_error.html",
            {"message": relay_error_message(error)},
            status=relay_page_status(error),
        )
    statuses = [(s, s) for s in selectors.customer_statuses(customers)]
    form = CustomerFilterForm(request.GET, statuses=statuses)
    chosen = selectors.filter_customers(
        customers,
        query=form.query,
        status=form.status_value,
        connected=form.connected,
        sort=form.sort_value,
    )
    delimiter = exports.delimiter_from(request, default=";")
    return exports.csv_response(exports.customers_csv(chosen, delimiter=delimiter), filename="customers.csv")


# --- Customer detail ------------------------------------------------------------------


@require_GET
@require(Action.VIEW)
def customer_detail(request: HtmxHttpRequest, customer_id: int) -> TemplateResponse:
    """One customer (picked from GetCustomers: relay has no GetCustomer) with its orders
    and properties. Each part fails on its own: a slow GetOrders does not hide the contact."""
    client = get_client()
    try:
        customers = client.get_customers()
        customer = selectors.find_customer(customers, customer_id)
        if customer is None and str(customer_id) in {s.record_id for s in customers.skipped}:
            raise BadResponse(
                "relay sent this customer in a shape that cannot be read",
                status=200,
                operation="GetCustomers",
            )
    except RelayError as error:
        return TemplateResponse(
            request,
            "directory/customer_detail.html",
            {"customer": None, "customer_id": customer_id, "relay_error": relay_error_message(error)},
            status=relay_page_status(error),
        )
    if customer is None:
        return not_found(
            request,
            str(CUSTOMER_NOT_FOUND % {"id": customer_id}),
            back_url=reverse("directory:customers"),
            back_label=str(BACK_TO_CUSTOMERS),
        )
    context: dict[str, object] = {"customer": customer, "customer_id": customer_id}
    try:
        context["orders"] = selectors.customer_orders(client=client, customer_id=customer_id)
    except RelayError as error:
        context["orders_error"] = relay_error_message(error)
    try:
        context["scan"] = selectors.customer_properties(client=client, customer_id=customer_id)
    except RelayError as error:
        context["properties_error"] = relay_error_message(error)
    return TemplateResponse(request, "directory/customer_detail.html", context)


# --- Customer create ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@require(Action.DIRECTORY_WRITE)
def customer_create(request: HtmxHttpRequest) -> HttpResponse:
    """CreateCustomer: the customer's fields, its address, optionally a casavi account."""
    data = request.POST if request.method == "POST" else None
    form = CustomerForm(data)
    address_form = AddressForm(data, prefix="address")
    context: dict[str, object] = {"form": form, "address_form": address_form}
    if data is None:
        return TemplateResponse(request, "directory/customer_form.html", context)
    if not (form.is_valid() & address_form.is_valid()):
        context["form_error"] = FORM_HAS_ERRORS
        return page_or_partial(request, "directory/customer_form.html", "form", context, status=422)
    customer = form.to_input(address_form.to_input())
    since = retry_of(request)
    try:
        created = services.customer_create(
            client=get_client(),
            actor=request.user,
            customer=customer,
            casavi_account_id=form.cleaned_data["casavi_account_id"],
            retry=since is not None,
        )
    except RelayError as error:
        context["relay_error"] = relay_error_message(error, write=True)
        context["retry_of"] = retry_after(error, since or timezone.now())
        return page_or_partial(
            request, "directory/customer_form.html", "form", context, status=relay_error_status(error)
        )
    echoed_id = created.customer.id
    if customer.id is None and echoed_id is not None and echoed_id.isdigit():
        messages.success(request, CUSTOMER_CREATED % {"name": customer.name})
        url = reverse("directory:customer_detail", args=[int(echoed_id)])
    else:
        messages.success(request, CUSTOMER_CREATED_FIND % {"name": customer.name})
        url = reverse("directory:customers") + _query({"q": customer.name})
    return redirect_after_post(request, url)


# --- Address create ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@require(Action.DIRECTORY_WRITE)
def address_create(request: HtmxHttpRequest) -> HttpResponse:
    """CreateAddress on its own; the page shows the id relay gave the new address."""
    data = request.POST if request.method == "POST" else None
    address_form = AddressForm(data)
    created = request.GET.get("created", "")
    context: dict[str, object] = {
        "address_form": address_form,
        "created_id": int(created) if created.isdigit() else None,
    }
    if data is None:
        return TemplateResponse(request, "directory/address_form.html", context)
    context["created_id"] = None
    if not address_form.is_valid():
        context["form_error"] = FORM_HAS_ERRORS
        return page_or_partial(request, "directory/address_form.html", "form", context, status=422)
    try:
        address_id = services.address_create(
            client=get_client(), actor=request.user, address=address_form.to_input()
        )
    except RelayError as error:
        unknown = isinstance(error, OutcomeUnknown)
        context["relay_error"] = str(ADDRESS_UNKNOWN) if unknown else relay_error_message(error, write=True)
        return page_or_partial(
            request, "directory/address_form.html", "form", context, status=relay_error_status(error)
        )
    messages.success(request, ADDRESS_CREATED % {"id": address_id})
    return redirect_after_post(
        request, reverse("directory:address_create") + _query({"created": str(address_id)})
    )
