"""The only code in relaydash that speaks HTTP to relay.

Views call `get_client()` and one method per relay operation; they get typed records
(`relaydash.relay.records`) back or one of the typed errors (`relaydash.relay.errors`),
never a `requests` or `msgspec` exception. Everything relay-specific about transport
lives here: the path table, authentication, timeouts, which calls may be retried, how
relay's three success shapes are decoded and how its failures are classified.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Final, NoReturn
from urllib.parse import quote

import msgspec
import requests
from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from requests_toolbelt import MultipartEncoder
from urllib3.exceptions import ProtocolError, ReadTimeoutError

from .cache import CUSTOMERS_TOPIC, ReadCache, order_topic
from .decoding import decode_listing, decode_one
from .errors import (
    BadResponse,
    NotFound,
    OutcomeUnknown,
    RelayError,
    TimedOut,
    Unauthorized,
    Unavailable,
    ValidationFailed,
)
from .records import (
    AddressInput,
    Comment,
    Customer,
    CustomerCreated,
    CustomerInput,
    Listing,
    Order,
    OrderFieldInput,
    OrderPatch,
    Property,
    PropertyInput,
    UploadFile,
)

__all__ = [
    "MAX_COMMENT_BYTES",
    "MAX_COMMENT_FILES",
    "PATHS",
    "RelayClient",
    "check_comment_files",
    "get_client",
]

logger = logging.getLogger("relaydash.relay")

# relay's published limits for one CreateOrderComment. Checked before anything is sent,
# so a user learns it at once instead of after uploading 100 MB to be refused.
MAX_COMMENT_FILES: Final = 10
MAX_COMMENT_BYTES: Final = 100 * 1024 * 1024

# The ONE table of relay's paths. The published reference prints no paths; these are the
# project's contract (also in relaydash/relay/openapi.yaml, checked by tests/relay/test_paths.py),
# joined to RELAY_API_URL so a deployment adapts the base without touching code.
PATHS: Final[dict[str, tuple[str, str]]] = {
    "CreateAddress": ("POST", "/addresses"),
    "CreateCustomer": ("POST", "/customers"),
    "GetCustomers": ("GET", "/customers"),
    "CreateProperties": ("POST", "/properties"),
    "GetProperties": ("GET", "/properties"),
    "GetProperty": ("GET", "/properties/{propertyId}"),
    "GetOrders": ("GET", "/orders"),
    "GetOrder": ("GET", "/orders/{orderId}"),
    "PatchOrder": ("PATCH", "/orders/{orderId}"),
    "GetOrderComments": ("GET", "/orders/{orderId}/comments"),
    "CreateOrderComment": ("POST", "/orders/{orderId}/comments"),
    "CreateOrderField": ("POST", "/order-fields"),
}

# Only reads are retried (see RelayClient), and only on answers that mean "try again":
# a gateway or the service itself is briefly down. 500 is a bug, 429 asks us to slow down.
_RETRY_STATUSES: Final = frozenset({502, 503, 504})
_USER_AGENT: Final = "relaydash/0.1"
# What requests raises when an answer stops short or cannot be decompressed.
_CUT_ANSWER: Final = (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)


# --- Wire shapes that are not records of their own --------------------------------------


class _Customers(msgspec.Struct, frozen=True):
    customers: list[Customer]


class _Properties(msgspec.Struct, frozen=True):
    properties: list[Property]


class _PropertyWire(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """One item of CreateProperties as it goes out and comes back. relay takes `id` and
    `externalId` as strings here but answers them as numbers elsewhere: we send text and
    accept either in the echo, and callers only ever see PropertyInput (text)."""

    id: str | int | None = None
    name: str | None = None
    address: AddressInput | None = None
    msc_number: str | None = None
    internal_id: str | None = None
    external_id: str | int | None = None
    customer_id: int | None = None

    @classmethod
    def of(cls, item: PropertyInput) -> _PropertyWire:
        fields = msgspec.structs.asdict(item)
        fields["id"] = _text_or_none(item.id)
        fields["external_id"] = _text_or_none(item.external_id)
        return cls(**fields)

    def as_input(self) -> PropertyInput:
        return PropertyInput(
            id=_text_or_none(self.id),
            name=self.name,
            address=self.address,
            msc_number=self.msc_number,
            internal_id=self.internal_id,
            external_id=_text_or_none(self.external_id),
            customer_id=self.customer_id,
        )


class _EchoedProperties(msgspec.Struct, frozen=True):
    properties: list[_PropertyWire]


class _PropertiesRequest(msgspec.Struct, frozen=True, rename="camel"):
    casavi_account_id: int
    properties: list[_PropertyWire]


class _Created(msgspec.Struct, frozen=True):
    id: int


class _ErrorBody(msgspec.Struct, frozen=True):
    message: str | None = None


# Decoders built once: msgspec compiles the type into a fast decoder; strict=False is the
# lax mode that reads ids sent as strings ("42") as numbers. They are the fast path of
# relaydash.relay.decoding, which reads field by field and record by record only when
# they refuse an answer.
_DECODE_INT = msgspec.json.Decoder(int, strict=False)
_DECODE_CUSTOMER_CREATED = msgspec.json.Decoder(CustomerCreated, strict=False)
_DECODE_CUSTOMERS = msgspec.json.Decoder(_Customers, strict=False)
_DECODE_ECHOED_PROPERTIES = msgspec.json.Decoder(_EchoedProperties, strict=False)
_DECODE_PROPERTIES = msgspec.json.Decoder(_Properties, strict=False)
_DECODE_PROPERTY = msgspec.json.Decoder(Property, strict=False)
_DECODE_ORDERS = msgspec.json.Decoder(list[Order], strict=False)
_DECODE_ORDER = msgspec.json.Decoder(Order, strict=False)
_DECODE_COMMENTS = msgspec.json.Decoder(list[Comment], strict=False)
_DECODE_CREATED = msgspec.json.Decoder(_Created, strict=False)
_DECODE_FIELD = msgspec.json.Decoder(OrderFieldInput, strict=False)
_DECODE_ERROR = msgspec.json.Decoder(_ErrorBody, strict=False)
_ENCODER = msgspec.json.Encoder()


def check_comment_files(files: Sequence[UploadFile]) -> None:
    """Refuse what relay would refuse (more than 10 files or more than 100 MiB together).

    Public so the comment form shows the same rule with the same words, before the user
    waits for an upload that cannot succeed. Uses each file's declared `size`, so nothing
    is read.
    """
    if len(files) > MAX_COMMENT_FILES:
        raise ValidationFailed(
            f"A comment can carry at most {MAX_COMMENT_FILES} files; {len(files)} were given.",
            operation="CreateOrderComment",
        )
    total = sum(f.size for f in files)
    if total > MAX_COMMENT_BYTES:
        raise ValidationFailed(
            f"The files of a comment may total at most {MAX_COMMENT_BYTES // (1024 * 1024)} MB; "
            f"these total {total / (1024 * 1024):.1f} MB.",
            operation="CreateOrderComment",
        )


def _short_text(body: bytes, limit: int = 200) -> str:
    text = " ".join(body.decode("utf-8", errors="replace").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def error_for_response(response: requests.Response, operation: str) -> RelayError | None:
    """The one place that turns relay's HTTP status into a typed error (None for 2xx).

    relay explains refusals in `{"message": ...}`; that text is carried so the user sees
    relay's reason. When the body is not that, a short slice of it is the best we have.
    """
    status = response.status_code
    if 200 <= status < 300:
        return None
    body = response.content or b""
    try:
        message = _DECODE_ERROR.decode(body).message
    except (msgspec.DecodeError, msgspec.ValidationError):
        message = None
    if not message:
        message = _short_text(body) or response.reason or f"HTTP {status}"
    kind: type[RelayError]
    if status in (400, 409, 413, 422):
        kind = ValidationFailed
    elif status in (401, 403):
        kind = Unauthorized
    elif status == 404:
        kind = NotFound
    elif status in (408, 429) or 500 <= status < 600:
        kind = Unavailable
    else:
        kind = BadResponse
    return kind(message, status=status, operation=operation)


def _is_read_timeout(exc: requests.RequestException) -> bool:
    # requests reports a read timeout while reading the body as ConnectionError(ReadTimeoutError).
    return isinstance(exc, requests.ReadTimeout) or any(isinstance(a, ReadTimeoutError) for a in exc.args)


class RelayClient:
    """A client for relay's REST API: one pooled `requests.Session`, one method per operation.

    Retries: only GETs are retried (`retries` more attempts, exponential `backoff` with a
    little jitter), because they are idempotent reads — asking again cannot change
    anything in relay. They are retried on connection errors (including connect timeouts:
    nothing reached relay) and on 502/503/504 (a gateway or relay itself briefly down).
    They are not retried on read timeouts: relay was reached and is slow, and a slow
    GetOrders retried would multiply the user's wait instead of ending it.

    Writes (POST, PATCH) are never retried: relay has no idempotency keys, so when a write
    fails half-way we cannot know whether it took effect, and a retried POST could post a
    comment (which the property manager sees) twice. The caller gets OutcomeUnknown and
    reads relay to find out.

    Every call carries an explicit (connect, read) timeout: `read_timeout` for reads
    (a page waits for them), the longer `write_timeout` for writes (a write cut short
    by our own impatience has an unknown outcome), and CreateOrderComment
    `upload_timeout`, since up to 100 MB go out before relay answers.

    Every write ends in one of three ways: done (the documented 2xx answer), not done
    (relay refused with 4xx/5xx, or the request never left: ValidationFailed,
    Unauthorized, NotFound, Unavailable) or unknown (OutcomeUnknown: the body went out
    and no readable, documented answer came back).
    Redirects are not followed: requests would turn a redirected POST into a GET; a 3xx
    from relay is reported as BadResponse.

    Kept answers: with a `cache` (relaydash.relay.cache.ReadCache), GetOrder and
    GetCustomers take a `max_age`: an answer read at most that many seconds ago (and after
    the last write to the same order or customer list) is served from the cache. The
    default 0 always asks relay; every answer read is kept for the next caller, and every
    write through this client marks what it changed.
    """

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        connect_timeout: float = 3.05,
        read_timeout: float = 10.0,
        write_timeout: float = 30.0,
        upload_timeout: float = 300.0,
        retries: int = 2,
        backoff: float = 0.3,
        session: requests.Session | None = None,
        cache: ReadCache | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.cache = cache
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.write_timeout = write_timeout
        self.upload_timeout = upload_timeout
        self.retries = max(0, retries)
        self.backoff = max(0.0, backoff)
        self.session = session if session is not None else requests.Session()
        self.session.headers.update(
            {
                "Authorization": f"Bearer {api_key}",
                "Accept": "application/json",
                "User-Agent": _USER_AGENT,
            }
        )

    def __repr__(self) -> str:  # never shows the key
        return f"<RelayClient {self.base_url}>"

    def close(self) -> None:
        """Release the pooled connections."""
        self.session.close()

    # --- Operations -------------------------------------------------------------------

    def create_address(self, address: AddressInput) -> int:
        """CreateAddress: relay answers the new id as a bare integer (anything else:
        OutcomeUnknown; relay offers no read of addresses to find out)."""
        response = self._call("CreateAddress", json=_ENCODER.encode(address))
        return _written("CreateAddress", _DECODE_INT, response, lambda new_id: new_id > 0)

    def create_customer(
        self, customer: CustomerInput, *, casavi_account_id: int | None = None
    ) -> CustomerCreated:
        """CreateCustomer; with `casavi_account_id` the customer is connected to that
        casavi tenant, without it the customer exists in relay only. relay echoes both."""
        body = CustomerCreated(customer=customer, casavi_account_id=casavi_account_id)
        with self._writing(CUSTOMERS_TOPIC):
            response = self._call("CreateCustomer", json=_ENCODER.encode(body))
        return _written(
            "CreateCustomer",
            _DECODE_CUSTOMER_CREATED,
            response,
            lambda echo: echo.customer.name == customer.name,
        )

    def get_customers(self, *, max_age: float = 0.0) -> Listing[Customer]:
        """GetCustomers: `{"customers": [...]}`. `max_age`: see the class docstring."""
        return self._read_kept("GetCustomers", CUSTOMERS_TOPIC, _read_customers, max_age=max_age)

    def create_properties(
        self, properties: Sequence[PropertyInput], *, casavi_account_id: int
    ) -> list[PropertyInput]:
        """CreateProperties (an upsert keyed on `id`); returns relay's echo.

        `id` and `externalId` go out as strings, as this operation takes them, even if a
        caller slipped a number in (the read side of the API uses numbers).
        """
        items = [_PropertyWire.of(p) for p in properties]
        body = _PropertiesRequest(casavi_account_id=casavi_account_id, properties=items)
        response = self._call("CreateProperties", json=_ENCODER.encode(body))
        echoed = _written(
            "CreateProperties",
            _DECODE_ECHOED_PROPERTIES,
            response,
            lambda echo: [p.name for p in echo.properties] == [p.name for p in items],
        ).properties
        return [p.as_input() for p in echoed]

    def get_properties(self, *, limit: int, offset: int) -> Listing[Property]:
        """GetProperties: one page; relay requires both `limit` and `offset`. A page
        holds `limit` records counting the skipped ones."""
        response = self._call("GetProperties", params={"limit": limit, "offset": offset})
        return _read_properties(response.content, response.status_code)

    def get_property(self, property_id: int) -> Property:
        response = self._call("GetProperty", ids={"propertyId": property_id})
        return self._decode("GetProperty", _DECODE_PROPERTY, response)

    def get_orders(self) -> Listing[Order]:
        """GetOrders: every order with its comments, as a bare array. It can be large;
        relay offers no filters or paging, so callers filter, sort and page."""
        response = self._call("GetOrders")
        return read_orders(response.content, response.status_code)

    def get_order(self, order_id: int, *, max_age: float = 0.0) -> Order:
        """GetOrder. `max_age`: see the class docstring; checks before a write keep the
        default 0, so they always see relay's current order."""
        ids = {"orderId": order_id}
        return self._read_kept("GetOrder", order_topic(order_id), _read_order, max_age=max_age, ids=ids)

    def patch_order(self, order_id: int, patch: OrderPatch) -> None:
        """PatchOrder: only the fields set on `patch` are sent (and changed).

        relay answers a bare `0`; a 2xx with any other body (a maintenance page, a cut
        answer) raises OutcomeUnknown. A naive `due_date` is taken as local time (as
        relay's own dates are) and sent as RFC 3339 with its offset.
        """
        if isinstance(patch.due_date, dt.datetime) and timezone.is_naive(patch.due_date):
            patch = msgspec.structs.replace(patch, due_date=timezone.make_aware(patch.due_date))
        with self._writing(order_topic(order_id)):
            response = self._call("PatchOrder", ids={"orderId": order_id}, json=_ENCODER.encode(patch))
        _written("PatchOrder", _DECODE_INT, response, lambda answer: answer == 0)

    def get_order_comments(self, order_id: int) -> Listing[Comment]:
        """GetOrderComments: a bare array."""
        response = self._call("GetOrderComments", ids={"orderId": order_id})
        return decode_listing(
            "GetOrderComments", _DECODE_COMMENTS, Comment, response.content, status=response.status_code
        )

    def create_order_comment(
        self, order_id: int, *, text: str, author_name: str, files: Sequence[UploadFile] = ()
    ) -> int:
        """CreateOrderComment: returns the new comment's id.

        The limits are checked first (nothing is sent when they are exceeded). The
        multipart body is streamed from the files' streams (read from where they stand)
        by requests-toolbelt, so a 100 MB upload does not sit in memory; plain
        `requests.post(files=...)` would build the whole body in RAM first.
        """
        check_comment_files(files)
        fields: list[tuple[str, Any]] = [("text", text), ("authorName", author_name)]
        fields += [("files", (f.name, f.stream, f.content_type)) for f in files]
        encoder = MultipartEncoder(fields=fields)
        with self._writing(order_topic(order_id)):
            response = self._call(
                "CreateOrderComment",
                ids={"orderId": order_id},
                data=encoder,
                headers={"Content-Type": encoder.content_type},
                read_timeout=self.upload_timeout,
            )
        return _written("CreateOrderComment", _DECODE_CREATED, response, lambda created: created.id > 0).id

    def create_order_field(self, field: OrderFieldInput) -> OrderFieldInput:
        """CreateOrderField: relay echoes the field (an echo of another field, or none:
        OutcomeUnknown)."""
        with self._writing(order_topic(field.order_id)):
            response = self._call("CreateOrderField", json=_ENCODER.encode(field))
        return _written("CreateOrderField", _DECODE_FIELD, response, lambda echo: echo == field)

    # --- Kept answers -------------------------------------------------------------------

    def _read_kept[T](
        self,
        operation: str,
        topic: str,
        read: Callable[[bytes, int], T],
        *,
        max_age: float,
        ids: Mapping[str, object] | None = None,
    ) -> T:
        """A read served from the cache when allowed and available, else from relay (and
        then kept). `read(body, status)` decodes the body. A kept body that no longer
        decodes is read from relay again."""
        if self.cache is None:
            response = self._call(operation, ids=ids)
            return read(response.content, response.status_code)
        body = self.cache.get(topic, max_age=max_age)
        if body is not None:
            try:
                return read(body, 200)
            except BadResponse:
                logger.warning("relay cache: the kept %s answer does not decode; asking relay", operation)
        started = self.cache.clock()
        response = self._call(operation, ids=ids)
        value = read(response.content, response.status_code)
        self.cache.put(topic, response.content, started=started)
        return value

    @contextmanager
    def _writing(self, topic: str) -> Iterator[None]:
        """Around a write: afterwards (also when it failed: it may have taken effect) no
        answer about `topic` read before it is served from the cache."""
        try:
            yield
        finally:
            if self.cache is not None:
                self.cache.written(topic)

    # --- Transport ----------------------------------------------------------------------

    def url_for(self, operation: str, ids: Mapping[str, object] | None = None) -> str:
        """Base URL + the operation's path from PATHS, with ids escaped so an id can never
        reach another path."""
        template = PATHS[operation][1]
        escaped = {name: quote(str(value), safe="") for name, value in (ids or {}).items()}
        return self.base_url + template.format(**escaped)

    def _call(
        self,
        operation: str,
        *,
        ids: Mapping[str, object] | None = None,
        params: Mapping[str, object] | None = None,
        json: bytes | None = None,
        data: Any = None,
        headers: dict[str, str] | None = None,
        read_timeout: float | None = None,
    ) -> requests.Response:
        """Send one operation; return the 2xx response or raise a RelayError.

        `json` is an already encoded body (msgspec), sent as application/json.
        """
        method = PATHS[operation][0]
        url = self.url_for(operation, ids)
        if read_timeout is None:
            read_timeout = self.read_timeout if method == "GET" else self.write_timeout
        timeout = (self.connect_timeout, read_timeout)
        if json is not None:
            data = json
            headers = {**(headers or {}), "Content-Type": "application/json"}
        attempts = 1 + (self.retries if method == "GET" else 0)
        # The operation as a structured field of every line (relaydash/ops/logs.py).
        log_fields = {"relay_operation": operation}
        for attempt in range(attempts):
            last = attempt == attempts - 1
            started = time.perf_counter()
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,  # type: ignore[arg-type]
                    data=data,
                    headers=headers,
                    timeout=timeout,
                    allow_redirects=False,
                )
            except requests.RequestException as exc:
                elapsed = (time.perf_counter() - started) * 1000
                if method != "GET":
                    logger.warning("relay %s failed after %.0f ms: %r", operation, elapsed, exc)
                    self._raise_write_failure(operation, exc, timeout)
                retriable = isinstance(exc, requests.ConnectionError) and not _is_read_timeout(exc)
                if retriable and not last:
                    logger.warning(
                        "relay %s failed after %.0f ms (%s); retrying",
                        operation,
                        elapsed,
                        type(exc).__name__,
                        extra=log_fields,
                    )
                    self._sleep(attempt)
                    continue
                logger.warning(
                    "relay %s failed after %.0f ms: %s",
                    operation,
                    elapsed,
                    type(exc).__name__,
                    extra=log_fields,
                )
                self._raise_unavailable(operation, exc, timeout)
            except Exception as exc:  # below requests; for a write, its body may be out
                if method == "GET":
                    raise
                logger.warning("relay %s failed: %r", operation, exc)
                self._raise_write_failure(operation, exc, timeout)
            elapsed = (time.perf_counter() - started) * 1000
            error = error_for_response(response, operation)
            retrying = error is not None and response.status_code in _RETRY_STATUSES and not last
            logger.log(
                logging.WARNING if retrying else logging.INFO,
                "relay %s %s -> %d in %.0f ms%s",
                operation,
                method,
                response.status_code,
                elapsed,
                "; retrying" if retrying else "",
                extra=log_fields,
            )
            if error is None:
                return response
            if retrying:
                response.close()
                self._sleep(attempt)
                continue
            raise error
        raise AssertionError("unreachable")  # pragma: no cover

    def _sleep(self, attempt: int) -> None:
        # Exponential backoff; the jitter keeps several workers from retrying in lockstep.
        delay = self.backoff * (2**attempt)
        time.sleep(delay + random.uniform(0, delay / 4))  # noqa: S311 - not cryptography

    @staticmethod
    def _raise_write_failure(operation: str, exc: Exception, timeout: tuple[float, float]) -> NoReturn:
        """A write that raised: not done when it never left (no connection), unknown
        from the moment its body may have reached relay."""
        never_left = isinstance(exc, requests.ConnectTimeout) or (
            isinstance(exc, requests.ConnectionError)
            and not _is_read_timeout(exc)
            and not any(isinstance(a, ProtocolError) for a in exc.args)
        )
        if never_left and isinstance(exc, requests.RequestException):
            RelayClient._raise_unavailable(operation, exc, timeout)
        if isinstance(exc, requests.RequestException) and _is_read_timeout(exc):
            message = f"relay did not answer within {timeout[1]:g} s"
        elif isinstance(exc, _CUT_ANSWER):
            message = "relay's answer was cut off"
        elif isinstance(exc, requests.ConnectionError):
            message = "relay closed the connection before answering"
        else:
            message = f"the request to relay failed after it was sent ({type(exc).__name__})"
        raise OutcomeUnknown(message, operation=operation) from exc

    @staticmethod
    def _raise_unavailable(
        operation: str, exc: requests.RequestException, timeout: tuple[float, float]
    ) -> NoReturn:
        message: str
        if isinstance(exc, requests.ConnectTimeout):
            message = f"could not connect to relay within {timeout[0]:g} s"
        elif _is_read_timeout(exc):
            raise TimedOut(f"relay did not answer within {timeout[1]:g} s", operation=operation) from exc
        elif isinstance(exc, requests.ConnectionError) and any(
            isinstance(a, ProtocolError) for a in exc.args
        ):
            # The request may have reached relay: for a write, the caller cannot know
            # whether it took effect.
            message = "relay closed the connection before answering"
        elif isinstance(exc, requests.ConnectionError):
            message = "could not connect to relay"
        else:
            message = f"the request to relay failed ({type(exc).__name__})"
        raise Unavailable(message, operation=operation) from exc

    @staticmethod
    def _decode[T](operation: str, decoder: msgspec.json.Decoder[T], response: requests.Response) -> T:
        """Decode a 2xx body into the operation's type, or raise BadResponse (see
        relaydash.relay.decoding: strictly first, field by field when that refuses)."""
        return decode_one(operation, decoder, response.content, status=response.status_code)


# --- Reading the list answers (also from kept bodies) ---------------------------------------


def read_orders(content: bytes, status: int = 200) -> Listing[Order]:
    """A GetOrders body as records. Public for whatever reads GetOrders bodies in bulk
    (the benchmark), so it measures exactly what the client does."""
    return decode_listing("GetOrders", _DECODE_ORDERS, Order, content, status=status)


def _read_customers(content: bytes, status: int) -> Listing[Customer]:
    return decode_listing(
        "GetCustomers",
        _DECODE_CUSTOMERS,
        Customer,
        content,
        status=status,
        items=lambda wrapped: wrapped.customers,
        key="customers",
    )


def _read_properties(content: bytes, status: int) -> Listing[Property]:
    return decode_listing(
        "GetProperties",
        _DECODE_PROPERTIES,
        Property,
        content,
        status=status,
        items=lambda wrapped: wrapped.properties,
        key="properties",
    )


def _read_order(content: bytes, status: int) -> Order:
    return decode_one("GetOrder", _DECODE_ORDER, content, status=status)


def _written[T](
    operation: str,
    decoder: msgspec.json.Decoder[T],
    response: requests.Response,
    documented: Callable[[T], bool],
) -> T:
    """A write's 2xx answer, when it is what the reference documents for `operation`
    (`documented` checks the values, e.g. PatchOrder's bare 0, an echo of what was
    sent). Anything else means relay may or may not have done the write: OutcomeUnknown,
    never another exception."""
    content = response.content or b""
    try:
        value = decoder.decode(content)
        expected = documented(value)
    except Exception as exc:  # any decoding failure of a 2xx body means the same
        raise OutcomeUnknown(
            f"relay's answer is not what it documents: {_short_text(content, 80)!r}",
            status=response.status_code,
            operation=operation,
        ) from exc
    if not expected:
        raise OutcomeUnknown(
            f"relay's answer does not match what was sent: {_short_text(content, 80)!r}",
            status=response.status_code,
            operation=operation,
        )
    return value


def _text_or_none(value: str | int | None) -> str | None:
    return None if value is None else str(value)


# --- One client per process (per distinct settings) ---------------------------------------

_clients: dict[tuple[object, ...], RelayClient] = {}
_clients_lock = threading.Lock()
_MAX_CLIENTS = 8  # settings rarely change outside tests; keep the cache bounded there


def get_client() -> RelayClient:
    """The process's RelayClient for the current RELAY_* settings.

    One client (one pooled Session) per process and per distinct settings values: pages
    reuse connections and share kept answers through the default cache, and a test that
    points RELAY_API_URL elsewhere gets a client for the new URL instead of a stale one.
    """
    url = getattr(settings, "RELAY_API_URL", "")
    if not url:
        raise ImproperlyConfigured("RELAY_API_URL is empty: set it to relay's API base URL.")
    keep = max(float(settings.RELAY_CACHE_ORDER_SECONDS), float(settings.RELAY_CACHE_CUSTOMERS_SECONDS))
    key = (
        url,
        settings.RELAY_API_KEY,
        float(settings.RELAY_TIMEOUT_CONNECT),
        float(settings.RELAY_TIMEOUT_READ),
        float(settings.RELAY_TIMEOUT_WRITE),
        float(settings.RELAY_TIMEOUT_UPLOAD),
        int(settings.RELAY_RETRIES),
        keep,
    )
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            cache = None
            if keep > 0:
                cache = ReadCache(
                    caches["default"], base_url=url, api_key=settings.RELAY_API_KEY, keep_seconds=keep
                )
            client = RelayClient(
                base_url=url,
                api_key=settings.RELAY_API_KEY,
                connect_timeout=float(settings.RELAY_TIMEOUT_CONNECT),
                read_timeout=float(settings.RELAY_TIMEOUT_READ),
                write_timeout=float(settings.RELAY_TIMEOUT_WRITE),
                upload_timeout=float(settings.RELAY_TIMEOUT_UPLOAD),
                retries=int(settings.RELAY_RETRIES),
                cache=cache,
            )
            _clients[key] = client
            while len(_clients) > _MAX_CLIENTS:
                del _clients[next(iter(_clients))]
    return client
