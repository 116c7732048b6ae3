"""The sandbox relay: relay's 12 operations over HTTP, backed by the project database.

Written from the API contract alone, sharing no code with the client in
relaydash/relay/, so that the client's tests against it check the client and not a
copy of its own assumptions. Each endpoint authenticates with the Bearer key, applies
any queued fault (see faults.py), validates like a real API and answers with exactly
the reference's success shape. No input may produce a 500: every refusal is a JSON
`{"message": ...}` with 400, 401, 404, 405 or 413.
"""

import contextlib
import hmac
import json
import mimetypes
import socket
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFilesSent
from django.db import transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from relaydash.sandbox import faults, render
from relaydash.sandbox import validation as v
from relaydash.sandbox.models import (
    Address,
    Attachment,
    Comment,
    Customer,
    Order,
    OrderField,
    Property,
)
from relaydash.sandbox.uploads import MAX_FILES, MAX_TOTAL_BYTES, keep_files, upload_handler

# The relay account the sandbox plays: every address and customer belongs to it.
ACCOUNT_ID = 1
# Offset for the casavi contact ids the sandbox invents when connecting a customer.
CASAVI_CONTACT_BASE = 700_000
MAX_PAGE = 1000
# A multipart body this much larger than the file limit cannot be within the limits:
# the non-file fields may take DATA_UPLOAD_MAX_MEMORY_SIZE, plus headers per part.
_MULTIPART_SLACK = 64 * 1024

Handler = Callable[..., HttpResponse]


def respond(data: Any, status: int = 200) -> HttpResponse:
    """Serialise once with json.dumps (the GetOrders body can be megabytes)."""
    body = json.dumps(data, separators=(",", ":"))
    return HttpResponse(body, status=status, content_type="application/json")


def message(status: int, text: str) -> HttpResponse:
    """relay's error body."""
    return respond({"message": text}, status=status)


def _authorised(request: HttpRequest) -> bool:
    """Constant-time check of the Bearer key; with no key configured nobody gets in."""
    key = settings.RELAY_SANDBOX_API_KEY
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if not key or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(token.strip().encode("utf-8", "replace"), key.encode("utf-8"))


def _unauthorised() -> HttpResponse:
    response = message(401, "missing or invalid API key")
    response["WWW-Authenticate"] = "Bearer"
    return response


def endpoint(**methods: tuple[str, Handler]) -> Callable[..., HttpResponse | StreamingHttpResponse]:
    """One URL of the API: `methods` maps an HTTP method to (operation name, handler).

    The wrapper does what every operation shares, in relay's order: authentication
    (401), method (405), injected faults, then the handler, whose ApiError becomes the
    JSON refusal. Django's own parsing limits are translated too, never left as 500s.
    """
    allowed = ", ".join(sorted(methods))

    @csrf_exempt
    @login_not_required
    def view(request: HttpRequest, **kwargs: str) -> HttpResponse | StreamingHttpResponse:
        if not _authorised(request):
            return _unauthorised()
        method = request.method or ""
        if method not in methods:
            response = message(405, f"method {method} is not allowed here")
            response["Allow"] = allowed
            return response
        operation, handler = methods[method]
        injected = faults.take(operation)
        if injected.delay:
            time.sleep(injected.delay)
        if injected.status is not None:
            html = injected.body.lstrip().startswith(b"<")
            content_type = "text/html; charset=utf-8" if html else "application/json"
            return HttpResponse(injected.body, status=injected.status, content_type=content_type)
        try:
            response = handler(request, **kwargs)
        except v.ApiError as error:
            return message(error.status, error.message)
        except (RequestDataTooBig, TooManyFilesSent):
            return message(413, "request body is too large")
        except (SuspiciousOperation, MultiPartParserError, UnreadablePostError):
            return message(400, "request body could not be parsed")
        if response.status_code == 200 and operation in faults.READS:
            response.content = faults.rewrite(operation, response.content)
        return response if injected.after is None else _after_serving(request, response, injected)

    return view


def _client_socket(request: HttpRequest) -> socket.socket:
    """The connection to the caller, to close it under the caller's feet.

    gunicorn names it in the environ; Django's own server (runserver, live_server) only
    hands over the request body's stream, whose reader sits on the socket.
    """
    environ = request.META  # WSGIRequest: the WSGI environ itself
    found = environ.get("gunicorn.socket")
    if found is None:
        reader = getattr(getattr(environ.get("wsgi.input"), "_read", None), "__self__", None)
        found = getattr(getattr(reader, "raw", None), "_sock", None)
    if not isinstance(found, socket.socket):
        raise RuntimeError("this server does not expose the connection; cut/drop faults need it")
    return found


def _close(connection: socket.socket) -> None:
    with contextlib.suppress(OSError):  # the caller left already
        connection.shutdown(socket.SHUT_RDWR)


def _after_serving(
    request: HttpRequest, response: HttpResponse, injected: faults.Injected
) -> HttpResponse | StreamingHttpResponse:
    """The operation ran and committed; now its answer goes wrong (faults.After)."""
    if injected.after is faults.After.STALL:
        time.sleep(injected.stall)
        return response
    connection = _client_socket(request)
    if injected.after is faults.After.DROP:
        _close(connection)  # the server's write of the answer then fails quietly
        return response
    body = response.content

    def half_then_close() -> Iterator[bytes]:
        yield body[: len(body) // 2]
        _close(connection)

    cut = StreamingHttpResponse(
        half_then_close(), status=response.status_code, content_type=response["Content-Type"]
    )
    cut["Content-Length"] = str(len(body))  # promises the whole answer
    return cut


@csrf_exempt
@login_not_required
def unknown(request: HttpRequest, **kwargs: str) -> HttpResponse:
    """Any other path under the mount: relay's JSON 404, not Django's HTML page."""
    if not _authorised(request):
        return _unauthorised()
    return message(404, f"no such endpoint: {request.path}")


def _new_address(data: v.AddressInput) -> Address:
    """A validated address, owned by the sandbox's account."""
    return Address.objects.create(
        street_address=data.street_address,
        postal_code=data.postal_code,
        locality=data.locality,
        country=data.country,
        additional_info=data.additional_info,
        account_id=ACCOUNT_ID,
    )


def _order(order_id: str) -> Order:
    """The order a URL names: 400 for a non-numeric id, 404 for an unknown one."""
    number = v.path_id(order_id, "orderId")
    order = Order.objects.filter(pk=number).first() if v.exists_range(number) else None
    if order is None:
        raise v.not_found(f"order {number} not found")
    return order


# --- addresses ---------------------------------------------------------------------


def create_address(request: HttpRequest) -> HttpResponse:
    """CreateAddress: answers with the new id as a bare integer."""
    data = v.address(v.json_object(request), "")
    return respond(_new_address(data).pk)


# --- customers ---------------------------------------------------------------------


def create_customer(request: HttpRequest) -> HttpResponse:
    """CreateCustomer: with casaviAccountId the customer is connected to that casavi
    tenant (casaviTenantId and a casaviContactId are set), without it it exists in relay
    only. The request's `customer.id` is the caller's own id for the customer and is
    kept as externalId; when absent, the echo carries relay's new id instead."""
    body = v.json_object(request)
    account = v.optional_int(body, "casaviAccountId")
    if body.get("customer") is None:
        raise v.bad("customer is required")
    data = body["customer"]
    if not isinstance(data, dict):
        raise v.bad("customer must be an object")
    name = v.required_str(data, "name", "customer.")
    fields = {
        "internal_id": v.optional_str(data, "internalId", "customer."),
        "external_id": v.optional_str(data, "id", "customer."),
        "telephone": v.optional_str(data, "telephone", "customer."),
        "email_address": v.optional_str(data, "emailAddress", "customer."),
    }
    address_data = None if data.get("address") is None else v.address(data["address"], "customer.address")
    now = timezone.now()
    with transaction.atomic():
        address = _new_address(address_data) if address_data else None
        customer = Customer.objects.create(
            account_id=ACCOUNT_ID,
            casavi_tenant_id=account,
            name=name,
            status="ACTIVE",
            status_updated_at=now,
            address=address,
            origin="CASAVI" if account is not None else "RELAY",
            **fields,
        )
        if account is not None:
            customer.casavi_contact_id = CASAVI_CONTACT_BASE + customer.pk
            customer.save(update_fields=["casavi_contact_id"])
    echoed = {
        "internalId": fields["internal_id"],
        "id": fields["external_id"] if fields["external_id"] is not None else str(customer.pk),
        "name": name,
        "telephone": fields["telephone"],
        "emailAddress": fields["email_address"],
        "address": render.address(address),
    }
    return respond({"casaviAccountId": account, "customer": echoed})


def get_customers(request: HttpRequest) -> HttpResponse:
    """GetCustomers: every customer, wrapped in {"customers": [...]}."""
    rows = Customer.objects.select_related("address").order_by("id")
    return respond({"customers": [render.customer(row) for row in rows]})


# --- properties --------------------------------------------------------------------


# Property columns and the request keys that carry them.
_PROPERTY_FIELDS = {
    "name": "name",
    "msc_number": "mscNumber",
    "internal_id": "internalId",
    "external_id": "externalId",
    "customer_id": "customerId",
}
PropertyItem = tuple[Property | None, dict[str, Any], set[str], v.AddressInput | None]


def _property_items(body: v.Json) -> list[PropertyItem]:
    """Validate every item before anything is written, so a bad item changes nothing."""
    v.required_int(body, "casaviAccountId")
    items = body.get("properties")
    if items is None:
        raise v.bad("properties is required")
    if not isinstance(items, list):
        raise v.bad("properties must be an array")
    checked: list[PropertyItem] = []
    for index, item in enumerate(items):
        where = f"properties[{index}]."
        if not isinstance(item, dict):
            raise v.bad(f"properties[{index}] must be an object")
        existing = None
        raw_id = v.optional_str(item, "id", where)
        if raw_id is not None:
            number = v.path_id(raw_id, f"{where}id")
            existing = Property.objects.filter(pk=number).first() if v.exists_range(number) else None
            if existing is None:
                raise v.not_found(f"property {number} not found")
        values: dict[str, Any] = {
            "name": v.required_str(item, "name", where),
            "msc_number": v.optional_str(item, "mscNumber", where),
            "internal_id": v.optional_str(item, "internalId", where),
            "external_id": v.optional_str(item, "externalId", where),
            "customer_id": v.optional_int(item, "customerId", where),
        }
        sent = {key for key, name in _PROPERTY_FIELDS.items() if name in item}
        if "address" in item:
            sent.add("address")
        address = None if item.get("address") is None else v.address(item["address"], f"{where}address")
        checked.append((existing, values, sent, address))
    return checked


def create_properties(request: HttpRequest) -> HttpResponse:
    """CreateProperties: create (no `id`) or update (numeric `id` of an existing
    property) each item, and echo the items with every field, ids as strings.

    An update changes the fields the item sends and keeps the others, like PatchOrder.
    """
    body = v.json_object(request)
    items = _property_items(body)
    account = body["casaviAccountId"]
    now = timezone.now()
    echoed = []
    with transaction.atomic():
        for existing, values, sent, address_data in items:
            address = _new_address(address_data) if address_data else None
            if existing is None:
                prop = Property.objects.create(
                    origin="API", casavi_account_id=account, created_at=now, updated_at=now, **values
                )
            else:
                prop = existing
                for name in sent - {"address"}:
                    setattr(prop, name, values[name])
                prop.updated_at = max(now, prop.updated_at + timedelta(microseconds=1))
            if "address" in sent:
                prop.address = address
            prop.save()
            echoed.append(
                {
                    "id": str(prop.pk),
                    "name": values["name"],
                    "address": render.address(address),
                    "mscNumber": values["msc_number"],
                    "internalId": values["internal_id"],
                    "externalId": values["external_id"],
                    "customerId": values["customer_id"],
                }
            )
    return respond({"properties": echoed})


def _query_int(request: HttpRequest, name: str, maximum: int) -> int:
    """A required non-negative integer query parameter (ASCII digits only)."""
    raw = request.GET.get(name)
    if raw is None or raw == "":
        raise v.bad(f"{name} is required")
    if not raw.isascii() or not raw.isdigit():
        raise v.bad(f"{name} must be a non-negative integer")
    value = int(raw)
    if value > maximum:
        raise v.bad(f"{name} must be at most {maximum}")
    return value


def get_properties(request: HttpRequest) -> HttpResponse:
    """GetProperties: one page by id; limit and offset are required."""
    limit = _query_int(request, "limit", MAX_PAGE)
    offset = _query_int(request, "offset", v.MAX_ID)
    rows = Property.objects.select_related("address").order_by("id")
    page = list(rows[offset : offset + limit]) if limit and offset < v.MAX_ID - MAX_PAGE else []
    return respond({"properties": [render.property_(row) for row in page]})


def get_property(request: HttpRequest, property_id: str) -> HttpResponse:
    """GetProperty: one property by numeric id."""
    number = v.path_id(property_id, "propertyId")
    rows = Property.objects.select_related("address")
    row = rows.filter(pk=number).first() if v.exists_range(number) else None
    if row is None:
        raise v.not_found(f"property {number} not found")
    return respond(render.property_(row))


# --- orders ------------------------------------------------------------------------


def get_orders(request: HttpRequest) -> HttpResponse:
    """GetOrders: every order with everything nested, as a bare array."""
    return respond(render.orders())


def get_order(request: HttpRequest, order_id: str) -> HttpResponse:
    """GetOrder: one order, the same shape as an item of GetOrders."""
    return respond(render.orders([_order(order_id).pk])[0])


def _later(previous: datetime | None) -> datetime:
    """Now, but strictly after `previous`: two quick patches must differ in updatedAt."""
    now = timezone.now()
    if previous is not None and now <= previous:
        return previous + timedelta(microseconds=1)
    return now


def patch_order(request: HttpRequest, order_id: str) -> HttpResponse:
    """PatchOrder: change only the fields sent, bump updatedAt, answer a bare 0.

    dueDate and internalId may be null to clear them; status and address may not.
    """
    order = _order(order_id)
    body = v.json_object(request)
    changed: list[str] = []
    if "status" in body:
        order.status = v.status(body["status"])
        changed.append("status")
    if "dueDate" in body:
        order.due_date = None if body["dueDate"] is None else v.date_time(body["dueDate"], "dueDate")
        changed.append("due_date")
    if "internalId" in body:
        order.internal_id = v.optional_str(body, "internalId")
        changed.append("internal_id")
    address_data = v.address(body["address"], "address") if "address" in body else None
    with transaction.atomic():
        if address_data is not None:
            order.address = _new_address(address_data)
            changed.append("address")
        order.updated_at = _later(order.updated_at)
        order.save(update_fields=[*changed, "updated_at"])
    return respond(0)


# --- comments ----------------------------------------------------------------------


def get_order_comments(request: HttpRequest, order_id: str) -> HttpResponse:
    """GetOrderComments: the order's thread as a bare array, oldest first."""
    return respond(render.comments(_order(order_id).pk))


def _item_type(content_type: str | None, name: str) -> str:
    """The attachment's MIME type: the declared one, else a guess from the name."""
    declared = (content_type or "").strip().lower()
    if declared and declared != "application/octet-stream" and "/" in declared:
        return declared
    guessed, _ = mimetypes.guess_type(name, strict=False)
    return guessed or declared or "application/octet-stream"


def _form_text(request: HttpRequest, name: str) -> str:
    """A required, non-blank text field of the multipart form."""
    value = request.POST.get(name)
    if value is None:
        raise v.bad(f"{name} is required")
    if not value.strip():
        raise v.bad(f"{name} must not be empty")
    return v.text(value, name)


def create_order_comment(request: HttpRequest, order_id: str) -> HttpResponse:
    """CreateOrderComment: multipart text, authorName and up to 10 files (100 MiB in
    total). The files become the comment's attachments; their bytes are discarded
    unless the sandbox is told to keep them (RELAY_SANDBOX_KEEP_FILES_DIR)."""
    order = _order(order_id)
    if request.content_type != "multipart/form-data":
        raise v.bad("request body must be multipart/form-data")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_TOTAL_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE + _MULTIPART_SLACK:
        raise v.ApiError(413, "files exceed 100 MiB in total")
    handler = upload_handler(request)
    request.upload_handlers = [handler]
    files = request.FILES.getlist("files")
    if handler.too_many_files:
        raise v.ApiError(413, f"at most {MAX_FILES} files per comment")
    if handler.too_large:
        raise v.ApiError(413, "files exceed 100 MiB in total")
    if "files" in request.POST:
        raise v.bad("files must be sent as file parts with a filename")
    text = _form_text(request, "text")
    author = _form_text(request, "authorName")
    now = timezone.now()
    with transaction.atomic():
        comment = Comment.objects.create(order=order, text=text, author=author, created_at=now)
        attachments = Attachment.objects.bulk_create(
            Attachment(
                order=order,
                comment=comment,
                name=v.text(upload.name or "file", "files"),
                item_type=_item_type(upload.content_type, upload.name or ""),
                updated_at=now,
            )
            for upload in files
        )
        keep_files([a.pk for a in attachments], files)
    return respond({"id": comment.pk})


# --- order fields ------------------------------------------------------------------


def create_order_field(request: HttpRequest) -> HttpResponse:
    """CreateOrderField: add a field to an order (404 for an unknown orderId) and echo
    it as sent."""
    body = v.json_object(request)
    name = v.required_str(body, "name")
    content = v.required_str(body, "content")
    position = v.required_number(body, "position")
    order_id = v.required_int(body, "orderId")
    if not Order.objects.filter(pk=order_id).exists():
        raise v.not_found(f"order {order_id} not found")
    OrderField.objects.create(order_id=order_id, name=name, content=content, position=float(position))
    return respond({"name": name, "content": content, "position": position, "orderId": order_id})


addresses = endpoint(POST=("CreateAddress", create_address))
customers = endpoint(POST=("CreateCustomer", create_customer), GET=("GetCustomers", get_customers))
properties = endpoint(POST=("CreateProperties", create_properties), GET=("GetProperties", get_properties))
property_detail = endpoint(GET=("GetProperty", get_property))
orders = endpoint(GET=("GetOrders", get_orders))
order_detail = endpoint(GET=("GetOrder", get_order), PATCH=("PatchOrder", patch_order))
order_comments = endpoint(
    GET=("GetOrderComments", get_order_comments), POST=("CreateOrderComment", create_order_comment)
)
order_fields = endpoint(POST=("CreateOrderField", create_order_field))
