"""The setup every bench shares: the project served in a subprocess against its own sandbox.

    from _server import project_server

    with project_server(orders=5000, seed=11) as server:
        print(server.seeded)
        raw = server.api_session()  # Bearer key: the bare relay calls, the baseline
        page = server.signed_in_session()  # a back-office user's session cookie
        raw.get(f"{server.relay_url}/orders")
        page.get(f"{server.url}/orders/")

`project_server` picks a free loopback port, makes a temporary SQLite database, migrates
it, seeds the sandbox relay (`seed_sandbox --orders N --seed S`), serves the project in a
subprocess whose RELAY_API_URL points at its own sandbox, waits until it answers, fills the
order index with one sync (`sync_orders --once`, as the worker does before anyone looks;
`sync=False` leaves it empty), optionally keeps the sync worker running beside the server
(`worker=True`, as `make run` and a deployment do), and on leaving stops them and removes
the database. `run_manage` runs further management commands against the same database
(while the server runs).

`start_proxy` puts a small proxy in front of the sandbox that waits a given latency before
each relay call, as a relay across the network would, and counts the calls per operation
path (so a bench can say how often relay was asked for GetOrders).

The server is gunicorn with gthread workers (2 workers × 8 threads), the production
server (requirements.txt), as relaydash is deployed. Not runserver: its keep-alive
answers stall ~40 ms (Nagle against delayed ACK on loopback) whenever a connection is
reused quickly, which is what requests sessions and the page's relay client do, so a
bench would measure the development server instead of the page. `server="runserver"`
serves with `runserver --noreload` (threaded) for a bench that wants the development
server on purpose.

The environment is the caller's without DJANGO_SETTINGS_MODULE (so the server always
runs relaydash.settings), plus: DEBUG as asked (off by default, as in production, with
the sandbox's explicit opt-in for that), a throw-away SECRET_KEY, the sandbox mounted with
API key `API_KEY` and RELAY_API_KEY/RELAY_API_URL pointing at it, DATABASE_URL, and
LOG_LEVEL=WARNING; `extra_env` is applied last (e.g. a RELAY_API_URL through a proxy).

The scripts run as `.venv/bin/python bench/<name>.py`, so this directory is on sys.path
and they import this module as `_server`.
"""

from __future__ import annotations

import http.server
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import requests

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
API_KEY = "bench-sandbox-key"
HOST = "127.0.0.1"
GUNICORN = ["--worker-class", "gthread", "--workers", "2", "--threads", "8", "--log-level", "warning"]
START_TIMEOUT = 30.0

Server = Literal["gunicorn", "runserver"]
Role = Literal["viewer", "field", "backoffice", "admin"]

# A user with a profile of the given role and a database session for them, as the SSO
# login would leave it; prints the session key. Formatted with the role's repr.
_SESSION_SNIPPET = """
import time
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from importlib import import_module
from django.conf import settings
SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
from relaydash.accounts.models import Profile
role = {role!r}
user, _ = get_user_model().objects.get_or_create(
    username=f"bench-{{role}}",
    defaults=dict(email="bench@example.com", first_name="Bench", last_name="Mark"),
)
Profile.objects.update_or_create(user=user, defaults=dict(sub=f"sub-bench-{{role}}", role=role))
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "relaydash.accounts.backends.SubOIDCBackend"
session["oidc_id_token_expiration"] = time.time() + 3600  # SSO renewal not due for an hour
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(session.session_key)
"""


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class ServerInfo:
    """A running project server and what a bench needs to talk to it."""

    url: str
    """The project, e.g. http://127.0.0.1:PORT (no trailing slash)."""
    relay_url: str
    """The project's RELAY_API_URL: its own sandbox API, unless `extra_env` changed it."""
    api_key: str
    """The sandbox's API key (also the project's RELAY_API_KEY)."""
    db: Path
    """The temporary SQLite database, shared by the server and `run_manage`."""
    env: Mapping[str, str]
    """The server's full environment (for a bench that sets Django up in-process too)."""
    seeded: str
    """What `seed_sandbox` printed (one line with the counts and the seed)."""
    synced: str
    """What the first `sync_orders --once` printed (empty with sync=False)."""
    log: Path
    """The server's stdout and stderr."""

    def run_manage(self, *args: str) -> str:
        """Run `manage.py ARGS` in the server's environment; return its stdout."""
        return run_manage(self.env, *args)

    def signed_in_cookie(self, role: Role = "backoffice") -> str:
        """The `sessionid` cookie of a user with `role`, signed in without the SSO round trip."""
        out = self.run_manage("shell", "--no-imports", "-c", _SESSION_SNIPPET.format(role=role))
        return out.strip().splitlines()[-1]

    def signed_in_session(self, role: Role = "backoffice") -> requests.Session:
        """A requests session carrying `signed_in_cookie(role)`."""
        session = requests.Session()
        session.cookies.set("sessionid", self.signed_in_cookie(role))
        return session

    def api_session(self) -> requests.Session:
        """A requests session with the sandbox's Bearer key, for the bare relay calls."""
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.api_key}"
        return session


def run_manage(env: Mapping[str, str], *args: str) -> str:
    """Run `manage.py ARGS` with `env`; return its stdout, or exit with its stderr."""
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=dict(env), capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {args[0]} failed:\n{result.stderr[-3000:]}")
    return result.stdout


@contextmanager
def project_server(
    *,
    orders: int,
    seed: int,
    server: Server = "gunicorn",
    debug: bool = False,
    port: int | None = None,
    extra_env: Mapping[str, str] | None = None,
    sync: bool = True,
    worker: bool = False,
    gunicorn_args: tuple[str, ...] = GUNICORN,
    before_serving: Callable[[Path], None] | None = None,
) -> Iterator[ServerInfo]:
    """Serve the project on a seeded temporary database for the `with` block.

    orders, seed: passed to `seed_sandbox`. server: gunicorn (gthread) or runserver.
    debug: the server's DEBUG. port: the loopback port to serve on (default: a free one;
    pass one from `free_port()` when something must know the address beforehand).
    extra_env: set last, over the defaults described in the module docstring.
    sync: fill the order index once the server answers. worker: keep `sync_orders`
    running beside the server (its output goes to `log`). gunicorn_args: the server's
    worker settings. before_serving: called with the database's path once it is
    migrated and seeded, before the server starts.
    """
    port = port or free_port()
    url = f"http://{HOST}:{port}"
    with tempfile.TemporaryDirectory(prefix="relaydash-bench-") as tmp:
        workdir = Path(tmp)
        db = workdir / "bench.sqlite3"
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        env.update(
            DEBUG="true" if debug else "false",
            SECRET_KEY="bench-only-secret",
            ALLOWED_HOSTS=f"{HOST},localhost",
            RELAY_SANDBOX="true",
            RELAY_SANDBOX_ALLOW_WITHOUT_DEBUG_I_KNOW_THIS_IS_FAKE="true",
            RELAY_SANDBOX_API_KEY=API_KEY,
            RELAY_API_KEY=API_KEY,
            RELAY_API_URL=f"{url}/sandbox/api/v1",
            DATABASE_URL=f"sqlite:///{db}",
            LOG_LEVEL="WARNING",
        )
        env.update(extra_env or {})
        run_manage(env, "migrate", "--verbosity=0")
        seeded = run_manage(env, "seed_sandbox", f"--orders={orders}", f"--seed={seed}").strip()
        if before_serving is not None:
            before_serving(db)

        if server == "gunicorn":
            command = [PYTHON, "-m", "gunicorn", "relaydash.wsgi", "--bind", f"{HOST}:{port}", *gunicorn_args]
        else:
            command = [PYTHON, "manage.py", "runserver", "--noreload", f"{HOST}:{port}"]
        log = workdir / "server.log"
        with log.open("wb") as out:
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        sync_worker: subprocess.Popen[bytes] | None = None
        try:
            _wait_until_up(url, process, log)
            synced = run_manage(env, "sync_orders", "--once").strip() if sync else ""
            if worker:
                with (workdir / "worker.log").open("wb") as out:
                    sync_worker = subprocess.Popen(
                        [PYTHON, "manage.py", "sync_orders"], cwd=ROOT, env=env, stdout=out, stderr=out
                    )
            yield ServerInfo(
                url=url,
                relay_url=env["RELAY_API_URL"],
                api_key=API_KEY,
                db=db,
                env=env,
                seeded=seeded,
                synced=synced,
                log=log,
            )
        finally:
            if sync_worker is not None:
                sync_worker.terminate()
                sync_worker.wait(timeout=30)
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Until the server answers HTTP (any status) on the sandbox; exit with its log if not."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            requests.get(f"{url}/sandbox/api/v1/customers", timeout=5)
            return
        except requests.RequestException:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the project server did not start:\n{log.read_text()[-3000:]}") from None
            time.sleep(0.2)


class _LatencyProxy(http.server.BaseHTTPRequestHandler):
    """Forwards to the sandbox after `latency` seconds (one relay round trip)."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    upstream = ""
    latency = 0.0
    calls: Counter[str] = Counter()
    _local = threading.local()
    _lock = threading.Lock()

    def _forward(self) -> None:
        with self._lock:
            self.calls[f"{self.command} {self.path.split('?')[0]}"] += 1
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        session = getattr(self._local, "session", None) or requests.Session()
        self._local.session = session
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        time.sleep(self.latency)
        answer = session.request(
            self.command,
            self.upstream + self.path,
            data=body,
            headers=headers,
            allow_redirects=False,
            timeout=120,
        )
        self.send_response(answer.status_code)
        skip = ("transfer-encoding", "connection", "content-length", "content-encoding", "server", "date")
        for key, value in answer.headers.items():
            if key.lower() not in skip:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)

    do_GET = do_POST = do_PATCH = _forward

    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass(frozen=True)
class Proxy:
    url: str
    """The proxy's base URL (put the sandbox's path after it)."""
    calls: Counter[str]
    """Relay calls seen so far, by "METHOD /path" (e.g. "GET /sandbox/api/v1/orders")."""


def start_proxy(upstream: str, latency_ms: float) -> Proxy:
    """A proxy on a free loopback port to `upstream`, waiting `latency_ms` before each call."""
    port = free_port()
    calls: Counter[str] = Counter()
    handler = type(
        "Proxy", (_LatencyProxy,), {"upstream": upstream, "latency": latency_ms / 1000, "calls": calls}
    )
    server = http.server.ThreadingHTTPServer((HOST, port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return Proxy(url=f"http://{HOST}:{port}", calls=calls)
