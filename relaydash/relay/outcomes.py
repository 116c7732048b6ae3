"""What a write's unknown outcome turns into once relay has been read.

The client raises OutcomeUnknown when a write's answer was lost; only reading relay
tells whether the write was done. The services hold the rules of what to look for (a
comment with this text and author, the patched values...); this is the one way every
service turns the look into an outcome, and the one way a retry looks before it sends.
No HTTP here: `look` is a service's function over the client.
"""

from __future__ import annotations

from collections.abc import Callable

from .errors import NotSaved, OutcomeUnknown, RelayError

__all__ = ["look_after_unknown", "look_before_retry"]


def look_after_unknown[T](error: OutcomeUnknown, look: Callable[[], T | None]) -> T:
    """Right after an unknown outcome: what `look` found in relay (the write was done),
    else NotSaved (it was not: a retry is safe), else, when relay cannot be read either,
    OutcomeUnknown again (relay may have done it)."""
    try:
        found = look()
    except RelayError as failure:
        raise OutcomeUnknown(
            f"{error.message}; relay could not be read to check ({failure.message})",
            status=error.status,
            operation=error.operation,
        ) from failure
    if found is None:
        raise NotSaved(f"{error.message}; relay does not have it", operation=error.operation) from error
    return found


def look_before_retry[T](operation: str, look: Callable[[], T | None]) -> T | None:
    """Before a retry of a write whose outcome was unknown: what `look` finds (then the
    retry must not be sent), or None (send it). When relay cannot be read, nothing is
    sent: OutcomeUnknown, as before the retry."""
    try:
        return look()
    except RelayError as failure:
        raise OutcomeUnknown(
            f"relay could not be read to check the earlier attempt ({failure.message})", operation=operation
        ) from failure
