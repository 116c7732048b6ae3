"""Fault injection for the sandbox: make the next requests fail or stall on purpose.

This exists for tests, and for the later fault-injection work: the relay client must
survive a relay that answers 500, 503 or 429, sends a body that is not JSON, or takes
longer than the client's timeout, and the only honest way to test that is over real
HTTP against a server that misbehaves on cue. Nothing in the sandbox calls these
functions by itself; with no rule queued every request is served normally.

The state is process-global and guarded by a lock, because tests run the sandbox in
pytest-django's `live_server` thread while the test thread queues faults. Rules are
consumed in the order they were queued; a rule with `operation=None` matches any
operation. Views consult the rules after authentication, so a request without a valid
key still gets its 401.

    faults.fail_next(status=503, count=2, operation="GetOrders")
    faults.delay_next(seconds=5, operation="PatchOrder")
    faults.mutate_answers(variant="other")  # every scalar of every record as the other JSON type
    faults.clear()

`mutate_answers` plays a relay that answers 200 but not with the types its reference
names: until cleared, the JSON answers of the read operations are rewritten, every
scalar of every record (nested ones too) sent as the other JSON type, as null or left
out, or one record per list made unreadable.

Faults *after* a write are what make an outcome unknown: relay did the work, but the
caller never learns it. `after_next` queues one of them: the operation runs and commits,
then its answer is cut in half (`CUT`: the headers promise the whole body, half of it
arrives, the connection closes), or never sent (`DROP`: the connection closes), or sent
only after `seconds` (`STALL`: longer than the client waits). `garbage_next` is the
opposite: the operation does NOT run, and the answer is a 200 with a maintenance page.
"""

import enum
import json
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import count as counter
from typing import Any

# relay's operation names, as the API reference and relay-api.md spell them.
OPERATIONS: frozenset[str] = frozenset(
    {
        "CreateAddress",
        "CreateCustomer",
        "GetCustomers",
        "CreateProperties",
        "GetProperties",
        "GetProperty",
        "GetOrders",
        "GetOrder",
        "PatchOrder",
        "GetOrderComments",
        "CreateOrderComment",
        "CreateOrderField",
    }
)


@dataclass
class _Failure:
    operation: str | None
    remaining: int
    status: int
    body: bytes
    skip: int = 0


@dataclass
class _Delay:
    operation: str | None
    remaining: int
    seconds: float


class After(enum.StrEnum):
    """What happens to an answer after the operation ran (see the module docstring)."""

    CUT = "cut"
    DROP = "drop"
    STALL = "stall"


@dataclass
class _AfterRule:
    operation: str | None
    remaining: int
    kind: After
    seconds: float


# What a proxy or a relay in maintenance answers: a 200 that is not the API's JSON.
MAINTENANCE_PAGE = b"<!doctype html><title>Wartung</title><h1>Wartungsarbeiten</h1>"


@dataclass(frozen=True)
class Injected:
    """What the view must do for one request: wait `delay` seconds, then answer with
    `status` and `body` instead of serving it (when `status` is not None). With `after`
    the operation is served, and then its answer is cut, dropped or stalled `stall` s."""

    delay: float = 0.0
    status: int | None = None
    body: bytes = b""
    after: After | None = None
    stall: float = 0.0


_lock = threading.Lock()
_failures: list[_Failure] = []
_delays: list[_Delay] = []
_afters: list[_AfterRule] = []

# The operations whose answers hold records.
READS: frozenset[str] = frozenset(
    {"GetCustomers", "GetProperties", "GetProperty", "GetOrders", "GetOrder", "GetOrderComments"}
)
# How `mutate_answers` rewrites them: each scalar as the other JSON type (text as a
# number, numbers and bools as text), as null, left out, the three in turn ("mixed"), or
# (in lists only) the first record with an object where its text "title"/"name"/"text"
# belongs, so that record cannot be read and the others can.
VARIANTS: tuple[str, ...] = ("other", "null", "absent", "mixed", "one-unreadable")


@dataclass
class _Mutation:
    variant: str
    operations: frozenset[str]
    keep_ids: bool


_mutations: list[_Mutation] = []


def _check(operation: str | None, count: int) -> None:
    if operation is not None and operation not in OPERATIONS:
        raise ValueError(f"unknown relay operation {operation!r}; expected one of {sorted(OPERATIONS)}")
    if count < 1:
        raise ValueError("count must be at least 1")


def fail_next(
    *,
    status: int = 500,
    count: int = 1,
    operation: str | None = None,
    body: bytes | None = None,
    skip: int = 0,
) -> None:
    """Answer the next `count` matching requests with `status` and `body`, after
    serving `skip` of them normally (e.g. the read after a write, not the one before).

    Without `body` the answer is relay's usual `{"message": ...}` JSON; pass raw bytes
    (e.g. b"<html>") to test a client against a body that is not what it expects.
    """
    _check(operation, count)
    if not 100 <= status <= 599:
        raise ValueError("status must be an HTTP status code (100-599)")
    if body is None:
        body = json.dumps({"message": f"injected fault: HTTP {status}"}).encode()
    with _lock:
        _failures.append(_Failure(operation, count, status, body, max(0, skip)))


def delay_next(*, seconds: float, count: int = 1, operation: str | None = None) -> None:
    """Make the next `count` matching requests wait `seconds` before they are served
    (or fail, when a failure is queued for them too)."""
    _check(operation, count)
    if seconds < 0:
        raise ValueError("seconds must not be negative")
    with _lock:
        _delays.append(_Delay(operation, count, float(seconds)))


def mutate_answers(*, variant: str, operations: Iterable[str] | None = None, keep_ids: bool = False) -> None:
    """From now until `clear()`, rewrite the 200 answers of `operations` (every read by
    default) as `variant` says (see VARIANTS). `keep_ids` leaves each answered record's
    own `id` as it is (nested records' ids are still rewritten), so its pages can be
    found."""
    chosen = frozenset(operations) if operations is not None else READS
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; expected one of {VARIANTS}")
    if not chosen <= READS:
        raise ValueError(f"only reads hold records to mutate: {sorted(chosen - READS)}")
    with _lock:
        _mutations.append(_Mutation(variant, chosen, keep_ids))


def after_next(*, kind: After, operation: str, count: int = 1, seconds: float = 0.0) -> None:
    """Let the next `count` requests of `operation` run (and commit), then cut, drop or
    stall (by `seconds`) their answers. The operation is required: these faults exist
    to test one write at a time."""
    _check(operation, count)
    if seconds < 0:
        raise ValueError("seconds must not be negative")
    if kind is After.STALL and not seconds:
        raise ValueError("a stall needs seconds > 0")
    with _lock:
        _afters.append(_AfterRule(operation, count, After(kind), float(seconds)))


def garbage_next(*, operation: str, count: int = 1) -> None:
    """Answer the next `count` requests of `operation` with a 200 maintenance page
    (text/html, not JSON) WITHOUT running the operation."""
    fail_next(status=200, count=count, operation=operation, body=MAINTENANCE_PAGE)


def clear() -> None:
    """Forget every queued fault (tests call this in teardown)."""
    with _lock:
        _failures.clear()
        _delays.clear()
        _mutations.clear()
        _afters.clear()


def rewrite(operation: str, body: bytes) -> bytes:
    """The answer body as the mutations in force say (unchanged when there are none)."""
    with _lock:
        mutations = [m for m in _mutations if operation in m.operations]
    if not mutations:
        return body
    data = json.loads(body)
    for mutation in mutations:
        data = _applied(mutation, data)
    return json.dumps(data, separators=(",", ":")).encode()


def _applied(mutation: _Mutation, data: Any) -> Any:
    """`data` (a bare list, a wrapping {"customers": [...]} or one record) rewritten."""
    if isinstance(data, dict) and len(data) == 1 and isinstance(next(iter(data.values())), list):
        key, records = next(iter(data.items()))
        return {key: _applied(mutation, records)}
    if mutation.variant == "one-unreadable":
        if isinstance(data, list) and data and isinstance(data[0], dict):
            first = data[0]
            field = next((f for f in ("title", "name", "text") if f in first), "id")
            return [{**first, field: {"unreadable": True}}, *data[1:]]
        return data
    turns = counter()
    if isinstance(data, list):
        return [_record(mutation, record, turns) for record in data]
    return _record(mutation, data, turns)


def _record(mutation: _Mutation, record: Any, turns: Iterator[int]) -> Any:
    if not isinstance(record, dict):
        return record
    mutated = _mutated(record, mutation.variant, turns)
    if mutation.keep_ids and "id" in record:
        mutated["id"] = record["id"]
    return mutated


def _other_type(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return int(value) if value.isascii() and value.isdigit() else 812
    return value


def _mutated(value: Any, variant: str, turns: Iterator[int]) -> Any:
    if isinstance(value, list):
        return [_mutated(item, variant, turns) for item in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, inner in value.items():
        if isinstance(inner, (dict, list)):
            out[key] = _mutated(inner, variant, turns)
            continue
        how = ("other", "null", "absent")[next(turns) % 3] if variant == "mixed" else variant
        if how == "other":
            out[key] = _other_type(inner)
        elif how == "null":
            out[key] = None
    return out


def take(operation: str) -> Injected:
    """Consume the first matching delay and failure for one request of `operation`."""
    with _lock:
        delay = 0.0
        for rule in _delays:
            if rule.operation in (None, operation):
                delay = rule.seconds
                rule.remaining -= 1
                if rule.remaining == 0:
                    _delays.remove(rule)
                break
        for failure in _failures:
            if failure.operation in (None, operation):
                if failure.skip:
                    failure.skip -= 1
                    return Injected(delay)
                failure.remaining -= 1
                if failure.remaining == 0:
                    _failures.remove(failure)
                return Injected(delay, failure.status, failure.body)
        for after in _afters:
            if after.operation in (None, operation):
                after.remaining -= 1
                if after.remaining == 0:
                    _afters.remove(after)
                return Injected(delay, after=after.kind, stall=after.seconds)
    return Injected(delay)
