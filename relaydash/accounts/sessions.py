"""Sessions read from the shared cache first, kept in the database: cached_db, with the
cache made optional.

Django's cached_db guards only the cache read and the write after a save; the refill after
a database read, the existence check and the delete on sign-out still raise when the cache
(Redis) is down, which turned every signed-in request into a 500. Here every cache call
is guarded: with the cache down, sessions are read from and written to the database alone
and a warning is logged. When it is back nothing needs doing: a session it lacks is read
from the database and cached again.

If the cache was only unreachable (not restarted empty), it may still hold a session's
copy from before the outage until that copy expires or the session is saved again; the
browser that signed out meanwhile has dropped its cookie.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.contrib.sessions.models import Session
from django.core.cache.backends.base import BaseCache

logger = logging.getLogger("relaydash.accounts.sessions")


def _cache_failed(action: str, error: Exception) -> None:
    # One line per failure, no traceback: while Redis is down this is every request.
    logger.warning("session cache unavailable (%s); using the database alone: %r", action, error)


class SessionStore(CachedDBStore):
    # Set by Django's stores; not in django-stubs.
    _cache: BaseCache
    _session: dict[str, Any]
    _get_session_from_db: Callable[[], Session | None]

    def load(self) -> dict[str, Any]:
        try:
            data = self._cache.get(self.cache_key)
        except Exception as error:
            _cache_failed("read", error)
            data = None
        if data is not None:
            return data
        session = self._get_session_from_db()
        if not session:
            return {}
        data = self.decode(session.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=session.expire_date))
        except Exception as error:
            _cache_failed("refill", error)
        return data

    def exists(self, session_key: str | None) -> bool:
        if not session_key:
            return False
        try:
            if (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception as error:
            _cache_failed("exists", error)
        return bool(super(CachedDBStore, self).exists(session_key))

    def save(self, must_create: bool = False) -> None:
        super(CachedDBStore, self).save(must_create)
        try:
            self._cache.set(self.cache_key, self._session, self.get_expiry_age())
        except Exception as error:
            _cache_failed("write", error)

    def delete(self, session_key: str | None = None) -> None:
        super(CachedDBStore, self).delete(session_key)
        key = session_key if session_key is not None else self.session_key
        if key is None:
            return
        try:
            self._cache.delete(self.cache_key_prefix + key)
        except Exception as error:
            _cache_failed("delete", error)
