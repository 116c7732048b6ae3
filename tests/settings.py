"""Settings for the test suite: the project's own settings with the sandbox mounted.

Tests run with DEBUG off, as production does, so the sandbox needs the explicit
override here; the relay URL is pointed at the live server by fixtures.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ["RELAY_SANDBOX"] = "true"
os.environ["RELAY_SANDBOX_ALLOW_WITHOUT_DEBUG_I_KNOW_THIS_IS_FAKE"] = "true"
os.environ.setdefault("RELAY_API_KEY", "test-sandbox-key")
os.environ.setdefault("RELAY_SANDBOX_API_KEY", "test-sandbox-key")
os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")

from relaydash.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tests serve static files from the finders, as `make run` does; no collectstatic needed.
STATIC_ROOT = None  # type: ignore[assignment]  # Django accepts None: nothing collected
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# One test process: a process-local cache is shared by everything a test runs (the live
# server's threads included), and each test starts with it empty (tests/conftest.py).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
