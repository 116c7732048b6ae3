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
# The test client and the live server speak plain HTTP (tests/test_deploy.py checks the
# production defaults).
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from relaydash.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The live server answers the relay client's keep-alive connections in threads that live
# as long as the connection: with persistent database connections they would still hold
# PostgreSQL sessions when the test database is dropped. The app servers of
# tests/ops/test_two_app_servers.py keep production's CONN_MAX_AGE.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# Tests serve static files from the finders, as `make run` does; no collectstatic needed
# (the hashed, compressed files of production: tests/test_deploy.py).
STATIC_ROOT = None  # Django accepts None: nothing collected
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# DATABASE_URL and CACHE_URL from the environment: `make test` runs the suite a second time
# on a real PostgreSQL and Redis (scripts/services.sh). Without CACHE_URL: one test
# process, so a process-local cache is shared by everything a test runs (the live server's
# threads included). Each test starts with the cache empty (tests/conftest.py).
if not os.environ.get("CACHE_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
