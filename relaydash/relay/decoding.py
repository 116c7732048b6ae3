"""How the client turns relay's answers into records: strictly and fast first, then
field by field and record by record when the fast way refuses.

relay does not always send the types its reference names (a `taskId` of 812 where the
reference says string, ids as text, `null` where a list belongs), and one such field
must not cost a whole page. So:

1. The fast path decodes the body straight into the records with msgspec in lax mode
   (numeric text is read as a number, "true"/"false" as a bool).
2. Only when that refuses the body (or the body holds control characters) is it read
   into plain values and taken apart: text fields take numbers and bools as their text,
   number and bool fields take their values sent as text, nulls read as missing, and
   each record of a list is decoded on its own. A record that still does not fit is
   skipped with a warning naming the operation, its id and the field, and listed in the
   answer's `skipped`; the other records are returned.

Control characters (C0 and C1, except tab, line feed and carriage return, plus lone
surrogates) are removed from every text here, once for every page, export and search:
they carry no meaning people can see and browsers draw them as boxes. Tab, line feed and
carriage return stay, because they are how multi-line comments arrive.

Nothing but the client's BadResponse leaves these functions.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from functools import cache
from typing import Any, Final

import msgspec
import msgspec.inspect as mi

from .errors import BadResponse
from .records import Listing, Skipped

logger = logging.getLogger("relaydash.relay")

# A JSON body may spell a control character as an escape (\u0001, \b, \f) or, for C1, as
# raw UTF-8 (C2 80..C2 9F); raw C0 bytes are not valid JSON and never pass the fast path.
# A false alarm (an escaped backslash before "b") only costs the slower path. Each
# pattern is only searched for when its first byte occurs at all (a byte search is far
# cheaper than a pattern search over megabytes).
_ESCAPED_CONTROL: Final = re.compile(rb"\\(?:u00(?:0[0-8bBcCeEfF]|1[0-9a-fA-F]|7[fF]|[89][0-9a-fA-F])|[bf])")
_RAW_C1: Final = re.compile(rb"\xc2[\x80-\x9f]")


def _may_hold_controls(content: bytes) -> bool:
    return (
        (b"\\" in content and _ESCAPED_CONTROL.search(content) is not None)
        or (b"\xc2" in content and _RAW_C1.search(content) is not None)
        or b"\x7f" in content
    )


_CONTROL: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Text as people may see it: without control characters (tab and line breaks stay)."""
    return _CONTROL.sub("", text)


# --- What each field takes, compiled once per record type ----------------------------------

_TEXT: Final = "text"
_NUMBER: Final = "number"
_BOOL: Final = "bool"
_AS_IS: Final = "as-is"

type Kind = str | tuple[str, Any]


def _kind_of(t: mi.Type) -> Kind:
    if isinstance(t, mi.UnionType):
        members = [m for m in t.types if not isinstance(m, mi.NoneType)]
        if any(isinstance(m, mi.StrType) for m in members):
            return _TEXT  # str | int (Property.externalId) is text to callers
        if members and all(isinstance(m, (mi.IntType, mi.FloatType)) for m in members):
            return _NUMBER
        return _kind_of(members[0]) if len(members) == 1 else _AS_IS
    if isinstance(t, mi.StrType):
        return _TEXT
    if isinstance(t, (mi.IntType, mi.FloatType)):
        return _NUMBER
    if isinstance(t, mi.BoolType):
        return _BOOL
    if isinstance(t, mi.StructType):
        return ("record", _plan(t.cls))
    if isinstance(t, (mi.ListType, mi.VarTupleType)):
        return ("list", _kind_of(t.item_type))
    return _AS_IS


@cache
def _plan(cls: type) -> dict[str, Kind]:
    """relay's field name → what that field takes, for one record type."""
    info = mi.type_info(cls)
    assert isinstance(info, mi.StructType)
    return {f.encode_name: _kind_of(f.type) for f in info.fields}


def kind_for(target: Any) -> Kind:
    """What a whole answer's type takes (a record, a list of records, an integer)."""
    return _kind_for(target)


@cache
def _kind_for(target: Any) -> Kind:
    return _kind_of(mi.type_info(target))


def _number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _coerce(value: Any, kind: Kind) -> Any:
    """`value` made to fit `kind` where that is plainly meant; anything else is left as
    it is, for msgspec to refuse with the field's path."""
    if kind == _TEXT:
        if isinstance(value, str):
            return clean_text(value)
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return _number_text(value)
        return value
    if kind in (_NUMBER, _BOOL):
        return value.strip().lower() if isinstance(value, str) else value
    if isinstance(kind, tuple):
        shape, inner = kind
        if shape == "record" and isinstance(value, dict):
            return {k: _coerce(v, inner[k]) for k, v in value.items() if v is not None and k in inner}
        if shape == "list" and isinstance(value, list):
            return [_coerce(v, inner) for v in value if v is not None]
    return value


# --- Decoding -------------------------------------------------------------------------------


def _short_text(body: bytes, limit: int) -> str:
    text = " ".join(body.decode("utf-8", errors="replace").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _not_json(operation: str, content: bytes, status: int) -> BadResponse:
    logger.warning("relay %s: the answer is not JSON: %r", operation, _short_text(content, 80))
    return BadResponse(
        f"relay's answer is not JSON: {_short_text(content, 80)!r}", status=status, operation=operation
    )


def _plain(operation: str, content: bytes, status: int) -> Any:
    """The body as plain values. Leniently: raw control characters and lone surrogates
    in strings (which msgspec refuses) are read, and removed later; bytes that are not
    UTF-8 read as U+FFFD, so one broken byte costs one character, not the answer."""
    try:
        return msgspec.json.decode(content)
    except (msgspec.DecodeError, ValueError, RecursionError):  # invalid UTF-8 is a ValueError
        pass
    try:
        return json.loads(content.decode("utf-8", errors="replace"), strict=False)
    except (ValueError, RecursionError) as exc:
        raise _not_json(operation, content, status) from exc


def _where(error: msgspec.ValidationError) -> tuple[str, str]:
    """(field path, reason) from msgspec's "Expected `str`, got `dict` - at `$.x[0].y`"."""
    reason, found, where = str(error).rpartition(" - at `")
    if not found:
        return "$", str(error)
    return where.removesuffix("`"), reason


def _fast(decoder: msgspec.json.Decoder[Any], content: bytes) -> tuple[Any, bool, bool]:
    """(value, done, dirty): `done` when the fast path read the body and nothing needs
    cleaning; `dirty` when the body may hold control characters."""
    dirty = _may_hold_controls(content)
    try:
        value = decoder.decode(content)
    except (msgspec.DecodeError, ValueError, RecursionError):  # (ValidationError is a DecodeError)
        return None, False, dirty
    return value, not dirty, dirty


def decode_one[T](operation: str, decoder: msgspec.json.Decoder[T], content: bytes, *, status: int) -> T:
    """One value (a record, an echo, a bare integer) or BadResponse."""
    value, done, _dirty = _fast(decoder, content)
    if done:
        return value
    plain = _plain(operation, content, status)
    try:
        return msgspec.convert(_coerce(plain, kind_for(decoder.type)), decoder.type, strict=False)
    except msgspec.ValidationError as exc:
        field, reason = _where(exc)
        record_id = _record_id(plain)
        logger.warning(
            "relay %s: the answer (id %s) cannot be read: %s at %s", operation, record_id, reason, field
        )
        raise BadResponse(
            f"relay's answer does not have the expected shape ({reason} at {field})",
            status=status,
            operation=operation,
        ) from exc


def _record_id(raw: Any) -> str | None:
    if isinstance(raw, dict):
        value = raw.get("id")
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return clean_text(str(value))[:100]
    return None


def decode_listing[T](
    operation: str,
    decoder: msgspec.json.Decoder[Any],
    item_type: type[T],
    content: bytes,
    *,
    status: int,
    items: Callable[[Any], list[T]] = lambda value: value,
    key: str | None = None,
) -> Listing[T]:
    """A list of records (bare, or under `key` of a wrapping object): every record that
    can be read, and the ones that cannot in `skipped`.

    `decoder` is the fast path for the whole body and `items` takes the list out of what
    it returns. The answer itself must still be a list (or an object holding one under
    `key`; null or missing there reads as an empty list): anything else is BadResponse.
    """
    value, done, dirty = _fast(decoder, content)
    if done:
        return Listing(items(value))
    plain = _plain(operation, content, status)
    raw_items: Any = plain
    if key is not None:
        if not isinstance(plain, dict):
            raise _wrong_shape(operation, status, f"expected an object with {key!r}", plain)
        raw_items = plain.get(key) or []
    if not isinstance(raw_items, list):
        raise _wrong_shape(operation, status, "expected a list", raw_items)
    kind = kind_for(item_type)
    records: list[T] = []
    skipped: list[Skipped] = []
    for raw in raw_items:
        record_id = _record_id(raw)  # as relay sent it, before anything is mended
        try:
            records.append(_one_record(raw, item_type, kind, dirty=dirty))
        except msgspec.ValidationError as exc:
            field, reason = _where(exc)
            if len(skipped) < _WARNINGS_PER_ANSWER:
                logger.warning(
                    "relay %s: skipped the record with id %s: %s at %s", operation, record_id, reason, field
                )
            skipped.append(Skipped(operation=operation, record_id=record_id, field=field, reason=reason))
    if len(skipped) > _WARNINGS_PER_ANSWER:
        logger.warning(
            "relay %s: skipped %d more records that could not be read",
            operation,
            len(skipped) - _WARNINGS_PER_ANSWER,
        )
    return Listing(records, skipped=skipped)


# One warning per skipped record, up to this many per answer (then one line for the rest),
# so a relay that breaks every record does not flood the log on every list view.
_WARNINGS_PER_ANSWER: Final = 20
# A record with more odd fields than this is made to fit as a whole instead.
_MAX_REPAIRS: Final = 8
_STEP: Final = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


def _one_record[T](raw: Any, item_type: type[T], kind: Kind, *, dirty: bool) -> T:
    """One record of a list; as it is when it fits (the common case, at C speed), else
    made to fit. With control characters about, every text is cleaned (the whole record
    is made to fit); otherwise only the fields msgspec names are mended, one at a time,
    so a relay that sends every `taskId` as a number costs a few C-speed conversions per
    record rather than a walk over all of it."""
    if raw is None:
        raise msgspec.ValidationError("Expected `object`, got `null`")
    if not dirty:
        for _ in range(_MAX_REPAIRS):
            try:
                return msgspec.convert(raw, item_type, strict=False)
            except msgspec.ValidationError as exc:
                if not _mend(raw, kind, _where(exc)[0]):
                    break
    return msgspec.convert(_coerce(raw, kind), item_type, strict=False)


def _mend(raw: Any, kind: Kind, field: str) -> bool:
    """Make the value at `field` ("$.comments[0].text") fit its kind, in place; False
    when there is nothing to mend (the record cannot be read as it stands)."""
    steps = [name if name else int(index) for name, index in _STEP.findall(field)]
    if not steps:
        return False
    parent, here = raw, kind
    try:
        for step in steps[:-1]:
            if not isinstance(here, tuple):
                return False
            parent, here = parent[step], here[1] if here[0] == "list" else here[1].get(step, _AS_IS)
        last = steps[-1]
        if not isinstance(here, tuple):
            return False
        inner = here[1] if here[0] == "list" else here[1].get(last, _AS_IS)
        value = parent[last]
    except (KeyError, IndexError, TypeError):  # not where msgspec said: leave it to the whole
        return False
    if value is None:
        del parent[last]  # null reads as missing (a list drops the element)
        return True
    mended = _coerce(value, inner)
    if mended == value and type(mended) is type(value):
        return False
    parent[last] = mended
    return True


def _wrong_shape(operation: str, status: int, expected: str, got: Any) -> BadResponse:
    found = type(got).__name__ if got is not None else "null"
    logger.warning("relay %s: the answer cannot be read: %s, got %s", operation, expected, found)
    return BadResponse(
        f"relay's answer does not have the expected shape ({expected}, got {found})",
        status=status,
        operation=operation,
    )
