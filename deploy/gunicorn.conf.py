"""gunicorn's configuration for relaydash in production (README, "Deploying").

    .venv/bin/gunicorn --config deploy/gunicorn.conf.py

Everything is read from the environment and from the repository's .env, as Django's
settings read it (a variable set in the environment wins):

- GUNICORN_BIND: address to listen on (default 127.0.0.1:8000: behind the TLS proxy on
  the same machine; 0.0.0.0:8000 when the proxy is another machine).
- GUNICORN_WORKERS (default 2) processes × GUNICORN_THREADS (default 8) threads each:
  relaydash mostly waits on relay, so threads carry the load; add workers for CPU (about
  one per core).
- GUNICORN_CONTROL_SOCKET: gunicorn's control socket. Each gunicorn on one machine needs
  its own (the default is ~/.gunicorn/gunicorn.ctl, which a second instance would take).
- FORWARDED_ALLOW_IPS (read by gunicorn itself): the proxies whose X-Forwarded-* headers
  are trusted, default 127.0.0.1,::1. Set it to the proxy's address when the proxy is
  another machine, never to `*` on a port others can reach: anybody could then claim to
  be https or any client address. Django itself trusts X-Forwarded-Proto only with
  SECURE_PROXY_SSL_HEADER=true.
- LOG_FORMAT (json in production) and LOG_LEVEL: the access log and gunicorn's own
  messages use relaydash's formatter, so every line in the output has one format.
"""

import os
from pathlib import Path

import environ

from relaydash.ops.logs import logging_config

_ENV_FILE = Path(__file__).resolve().parent.parent / ".env"
if _ENV_FILE.is_file():
    environ.Env.read_env(_ENV_FILE)

wsgi_app = "relaydash.wsgi:application"
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# A worker that does not check in for this long is restarted. With threads, a slow relay
# call (up to RELAY_TIMEOUT_READ, or RELAY_TIMEOUT_UPLOAD for a comment upload) runs in a
# thread and does not stop the worker from checking in.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# The proxy keeps connections to gunicorn open between requests.
keepalive = 5
# gunicorn reads this variable itself, but before this file has read .env.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]

_log_format = os.environ.get("LOG_FORMAT", "plain")
logconfig_dict = logging_config(
    log_format="json" if _log_format == "json" else "plain",
    level=os.environ.get("LOG_LEVEL", "INFO"),
)
