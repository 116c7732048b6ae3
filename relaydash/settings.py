"""Settings for relaydash, read from the environment (django-environ).

Defaults are safe for production: DEBUG off, no sandbox, no demo SSO provider.
`make run` passes the embedded development defaults explicitly.
"""

from pathlib import Path
from typing import cast

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from relaydash.accounts import oidc_settings
from relaydash.ops.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key"  # noqa: S105 - DEBUG only
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The embedded relay. A fake API must never serve production by accident: with DEBUG
# off it only starts when the second, loudly named setting is also on.
RELAY_SANDBOX = env.bool("RELAY_SANDBOX", default=False)
RELAY_SANDBOX_ALLOW_WITHOUT_DEBUG_I_KNOW_THIS_IS_FAKE = env.bool(
    "RELAY_SANDBOX_ALLOW_WITHOUT_DEBUG_I_KNOW_THIS_IS_FAKE", default=False
)
if RELAY_SANDBOX and not DEBUG and not RELAY_SANDBOX_ALLOW_WITHOUT_DEBUG_I_KNOW_THIS_IS_FAKE:
    raise ImproperlyConfigured(
        "RELAY_SANDBOX is on but DEBUG is off. The sandbox is a fake relay; set "
        "RELAY_SANDBOX_ALLOW_WITHOUT_DEBUG_I_KNOW_THIS_IS_FAKE=true if you really mean it."
    )
RELAY_SANDBOX_API_KEY = env("RELAY_SANDBOX_API_KEY", default="dev-sandbox-key")
# A folder where the sandbox keeps the files of new comments (for tests that check what
# arrived); empty: it counts their bytes and throws them away, as for load tests.
RELAY_SANDBOX_KEEP_FILES_DIR = env("RELAY_SANDBOX_KEEP_FILES_DIR", default="")

RELAY_API_URL = env("RELAY_API_URL", default="")
RELAY_API_KEY = env("RELAY_API_KEY", default="")
RELAY_TIMEOUT_CONNECT = env.float("RELAY_TIMEOUT_CONNECT", default=3.05)
# Reads (pages wait for them) give up sooner than writes, whose outcome is unknown when
# we stop waiting: a write answered late is still a write done.
RELAY_TIMEOUT_READ = env.float("RELAY_TIMEOUT_READ", default=10.0)
RELAY_TIMEOUT_WRITE = env.float("RELAY_TIMEOUT_WRITE", default=30.0)
RELAY_TIMEOUT_UPLOAD = env.float("RELAY_TIMEOUT_UPLOAD", default=300.0)
RELAY_RETRIES = env.int("RELAY_RETRIES", default=2)
# How old a kept relay answer a page may show, in seconds (0: always ask relay). Answers
# are kept in the default cache (CACHE_URL: Redis when several app servers run, so they
# share them); every write through relaydash marks what it changed, checks before a write
# always ask relay, and the browser's reload button always reads relay anew.
RELAY_CACHE_ORDER_SECONDS = env.float("RELAY_CACHE_ORDER_SECONDS", default=30.0)
RELAY_CACHE_CUSTOMERS_SECONDS = env.float("RELAY_CACHE_CUSTOMERS_SECONDS", default=60.0)
# How often the sync worker (`manage.py sync_orders`) reads GetOrders into the order
# index, in seconds: relay sees one GetOrders per interval for the whole deployment.
RELAY_SYNC_SECONDS = env.float("RELAY_SYNC_SECONDS", default=30.0)
# How long the sync worker waits for GetOrders: every order with every comment takes
# relay far longer to send than the one order a page asks for (RELAY_TIMEOUT_READ).
RELAY_SYNC_TIMEOUT_READ = env.float("RELAY_SYNC_TIMEOUT_READ", default=300.0)
# relay's casavi account id, needed by CreateProperties.
RELAY_CASAVI_ACCOUNT_ID = env.int("RELAY_CASAVI_ACCOUNT_ID", default=1)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "mozilla_django_oidc",
    "relaydash.relay",
    "relaydash.display",
    "relaydash.accounts",
    "relaydash.orders",
    "relaydash.directory",
    "relaydash.ops",
    "relaydash.orderindex",
    "relaydash.dispatch",
]
if RELAY_SANDBOX:
    INSTALLED_APPS.append("relaydash.sandbox")

# The request id first, then the load balancer's probes (any Host, plain HTTP, no session),
# and HTML compression below WhiteNoise (BREACH: see relaydash/ops/middleware.py).
MIDDLEWARE = [
    "relaydash.ops.middleware.RequestIdMiddleware",
    "relaydash.ops.middleware.ProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "relaydash.ops.middleware.HtmlCompressionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Django's LoginRequiredMiddleware, answering htmx requests with HX-Redirect.
    "relaydash.accounts.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "relaydash.accounts.middleware.SessionRenewalMiddleware",
    "relaydash.accounts.middleware.RoleRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "relaydash.web.RelayErrorMiddleware",
]

ROOT_URLCONF = "relaydash.urls"
WSGI_APPLICATION = "relaydash.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "relaydash.accounts.context_processors.permissions",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Every signed-in request reads the session and the user: opening a database connection
# for each request cost more than both (3-4 ms per request on SQLite, more for PostgreSQL
# over TLS). Each worker thread keeps its connection for a minute, checked before reuse.
# `?conn_max_age=0` in DATABASE_URL turns this off (e.g. behind a transaction pooler).
DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
# One cache shared by every process and app server: relay's kept answers and import jobs
# must look the same whichever worker serves the next request (a per-process cache would
# show a worker's old answer after another worker saved a change). The default is a table
# in the project database (made by `migrate`); point CACHE_URL at Redis for speed.
CACHES = {"default": env.cache("CACHE_URL", default="dbcache://relaydash_cache?max_entries=20000")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # Redis is a convenience (sessions fall back to the database, relay answers are asked
    # anew): when it is unreachable a request waits seconds for it, not minutes.
    _redis_options = CACHES["default"].setdefault("OPTIONS", {})
    _redis_options.setdefault("socket_connect_timeout", env.float("CACHE_CONNECT_TIMEOUT", default=1.0))
    _redis_options.setdefault("socket_timeout", env.float("CACHE_TIMEOUT", default=2.0))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# `collectstatic` writes every file under a name with its content hash, gzip and brotli
# copies beside it; WhiteNoise serves those with a far-future, immutable Cache-Control
# (a changed file gets a new name). With DEBUG on, files are served from their sources.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dispatch:start"
LOGOUT_REDIRECT_URL = "accounts:login"

# Every request reads the session: from the shared cache first (a plain key lookup),
# the database only when the cache lost it. Writes go to both, so nothing is lost when
# the cache is cleared.
# The cache is optional for sessions: with it down they are read from and written to the
# database alone (relaydash/accounts/sessions.py).
SESSION_ENGINE = "relaydash.accounts.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
# HTTPS only, by default whenever DEBUG is off (README, "Deploying"). The probes answer
# plain HTTP for the load balancer (ProbeMiddleware answers them first; the exemption
# keeps that true whatever the middleware order).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
if RELAY_SANDBOX:
    # The fake relay is called server to server, often over plain loopback HTTP.
    SECURE_REDIRECT_EXEMPT.append(r"^sandbox/")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "connect-src": [CSP.SELF],
    # Photos are made small in a web worker that browser-image-compression starts from a
    # blob: URL it writes itself; the worker loads the vendored library from 'self'.
    "worker-src": [CSP.SELF, "blob:"],
    "form-action": [CSP.SELF, *env.list("CSP_FORM_ACTION_EXTRA", default=[])],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# Company SSO (OpenID Connect), roles from the provider's groups, the audit trail.
# How each setting is read: relaydash/accounts/oidc_settings.py; the README shows them
# for Entra ID, Keycloak, Okta and Google Workspace.
AUTHENTICATION_BACKENDS = [
    # First, so Django's test client and the break-glass /admin/ login use it.
    "django.contrib.auth.backends.ModelBackend",
    "relaydash.accounts.backends.SubOIDCBackend",
]
OIDC_ISSUER = env("OIDC_ISSUER", default="").rstrip("/")
# Explicit endpoints win over the discovery document (read lazily, once, from the issuer).
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_OP_LOGOUT_ENDPOINT = env("OIDC_OP_LOGOUT_ENDPOINT", default="")
OIDC_RP_CLIENT_ID = env("OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("OIDC_CLIENT_SECRET", default="")
OIDC_RP_SCOPES = env("OIDC_SCOPES", default=oidc_settings.DEFAULT_SCOPES)
OIDC_GROUPS_CLAIM = env("OIDC_GROUPS_CLAIM", default="groups")
OIDC_PROVIDER_NAME = env("OIDC_PROVIDER_NAME", default="")
OIDC_DEMO_PROVIDER = env.bool("OIDC_DEMO_PROVIDER", default=False)
OIDC_TOKEN_USE_BASIC_AUTH = env.bool("OIDC_TOKEN_USE_BASIC_AUTH", default=False)
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT", default=10.0)
OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS = env.int(
    "OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS", default=oidc_settings.DEFAULT_RENEWAL_SECONDS
)
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = True  # the id_token_hint of RP-initiated logout
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc_authentication_callback"
oidc_settings.check_sso_settings(
    issuer=OIDC_ISSUER, client_id=OIDC_RP_CLIENT_ID, debug=DEBUG, demo_provider=OIDC_DEMO_PROVIDER
)
cast(list[object], SECURE_CSP["form-action"]).extend(
    oidc_settings.form_action_origins(OIDC_ISSUER, OIDC_OP_LOGOUT_ENDPOINT)
)

RELAYDASH_ROLE_GROUPS = oidc_settings.parse_role_groups(
    env("RELAYDASH_ROLE_GROUPS", default=oidc_settings.DEFAULT_ROLE_GROUPS)
)
RELAYDASH_DEFAULT_ROLE = oidc_settings.parse_default_role(env("RELAYDASH_DEFAULT_ROLE", default=""))
RELAYDASH_AUDIT_FOR_BACKOFFICE = env.bool("RELAYDASH_AUDIT_FOR_BACKOFFICE", default=False)

# Comment uploads: relay takes at most 10 files and 100 MB per comment. Django must let
# such a request through to the form, which checks count and size itself.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = 50

# LOG_FORMAT=json in production: one JSON object per line with time, level, logger,
# request id and user (relaydash/ops/logs.py); plain lines for `make run`.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: use plain or json.")
LOGGING = logging_config(log_format=LOG_FORMAT, level=env("LOG_LEVEL", default="INFO"))
