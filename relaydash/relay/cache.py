"""Relay's answers kept for a short while, shared by every app server that shares the cache.

Why: a page that reads one order asks relay for it on every view, every opened edit form
and every redirect after a save, and on loopback relaydash's own work is small next to
that call. Keeping the answer for a few seconds makes those repeats cost a cache read.

What keeps this safe:

- Only reads are kept, and only the raw bytes relay sent (decoded again on every hit), so
  app servers running different versions of the records during a deploy never share a
  pickled object.
- A caller states how old an answer it accepts (`max_age`). Pages accept a few seconds;
  the checks before a write (no lost updates) accept none and always ask relay.
- Every write through the client leaves a mark on what it changed (an order, the customer
  list). An answer is only served when its read *started* after the last mark, so a slow
  read that raced a write can never be served once the write is done, not even when it
  is stored after it.
- Entries are namespaced by relay's base URL and a hash of the API key: two deployments
  sharing one Redis never see each other's data.
- The cache is a convenience, never a dependency: when the backend fails (Redis down), the
  read goes to relay as if nothing were kept, and a warning is logged.

Times are wall-clock seconds (`time.time`) because several servers compare them; their
clocks are assumed to agree to well under a second (NTP).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from typing import Final

from django.core.cache.backends.base import BaseCache

logger = logging.getLogger("relaydash.relay")

_VERSION: Final = "v1"


def order_topic(order_id: int) -> str:
    """What GetOrder(order_id) answers, and what writes to that order change."""
    return f"order:{order_id}"


CUSTOMERS_TOPIC: Final = "customers"


class ReadCache:
    """Raw relay answers by topic, with the time each read started.

    `keep_seconds` bounds how long an entry is stored at all; a read never accepts an
    answer older than the `max_age` it asks for, so it should be at least the largest
    `max_age` any caller uses.
    """

    def __init__(
        self,
        backend: BaseCache,
        *,
        base_url: str,
        api_key: str,
        keep_seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        account = hashlib.sha256(f"{base_url}\0{api_key}".encode()).hexdigest()[:16]
        self._prefix = f"relaydash:relay:{_VERSION}:{account}"
        self._backend = backend
        self._keep = max(1, int(keep_seconds) + 1)
        self.clock = clock

    def get(self, topic: str, *, max_age: float) -> bytes | None:
        """The kept answer for `topic` if its read started at most `max_age` seconds ago
        and after the last write to `topic`; otherwise None."""
        if max_age <= 0:
            return None
        entry_key, mark_key = self._keys(topic)
        try:
            found = self._backend.get_many([entry_key, mark_key])
        except Exception:
            logger.warning("relay cache: reading %s failed; asking relay", topic, exc_info=True)
            return None
        entry = found.get(entry_key)
        if not (isinstance(entry, tuple) and len(entry) == 2):
            return None
        started, body = entry
        written = found.get(mark_key)
        if isinstance(written, int | float) and started <= written:
            return None
        if self.clock() - started > max_age:
            return None
        return body if isinstance(body, bytes) else None

    def put(self, topic: str, body: bytes, *, started: float) -> None:
        """Keep `body`, relay's answer to a read that started at `started` (clock time)."""
        entry_key, _ = self._keys(topic)
        try:
            self._backend.set(entry_key, (started, body), timeout=self._keep)
        except Exception:
            logger.warning("relay cache: storing %s failed", topic, exc_info=True)

    def written(self, topic: str) -> None:
        """Mark `topic` as changed now: no answer read before this moment is served again.

        Called after every write attempt, also a failed one: a write that timed out may
        still have taken effect in relay.
        """
        _, mark_key = self._keys(topic)
        try:
            # Outlives every entry stored before it (entries are kept `_keep` seconds).
            self._backend.set(mark_key, self.clock(), timeout=2 * self._keep)
        except Exception:
            logger.warning("relay cache: marking %s as changed failed", topic, exc_info=True)

    def _keys(self, topic: str) -> tuple[str, str]:
        return f"{self._prefix}:answer:{topic}", f"{self._prefix}:written:{topic}"
