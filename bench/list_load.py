"""Bench: 20 signed-in people working at once for a minute, with the sync worker running.

The order list reads the order index, so however many people list, search and refresh,
relay sees only the sync worker's GetOrders: at most (60 / RELAY_SYNC_SECONDS) + 1 a
minute. This bench checks that under a mixed load, with relay answering after a network
latency: every request answered without an error, the 95th percentile of all request
times, and the GetOrders relay received in the window (counted at a proxy in front of it).

    .venv/bin/python bench/list_load.py [--orders 50000] [--sessions 20] [--seconds 60]
                                        [--relay-latency-ms 30] [--sync-seconds 30]

What it does: seeds the sandbox relay with N orders in a temporary SQLite database (WAL
journal, so readers do not wait for the sync's writes), serves relay's sandbox from a
gunicorn process of its own (as relay runs elsewhere) behind a proxy that waits
`--relay-latency-ms` before each call and counts them, serves relaydash with gunicorn
(2 workers × 8 threads) against that proxy with its order index filled, starts the sync
worker (`manage.py sync_orders`, every `--sync-seconds`), and signs in `--sessions`
back-office people. Each then loops until the time is up over a mix of list (filtered,
sorted, another page), search, order page, status change and comment (every session
works on orders of its own, so no change meets another's). Prints per kind and overall
p50 / p95 / max, the number of errors, the GetOrders relay received in the window and the
limit for it, with verdicts. Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import html
import random
import re
import sqlite3
import statistics
import subprocess
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import requests
from _server import GUNICORN, HOST, PYTHON, ROOT, free_port, project_server, start_proxy

TARGET_P95 = 0.5
SEARCH_WORDS = ("heizung", "wasser", "berlin", "rauchmelder", "zähler", "fenster", "straße", "gmbh")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SEEN = re.compile(r'name="seen_updated_at" value="([^"]*)"')
SEEN_VALUES = re.compile(r'name="seen_values" value="([^"]*)"')
STATUS = re.compile(r'id="order-head-status" class="badge status-badge status-badge--([a-z-]+)"')

SESSIONS_SNIPPET = """
import time
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from relaydash.accounts.models import Profile
from relaydash.sandbox.models import Order
SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
for n in range({count}):
    user, _ = get_user_model().objects.get_or_create(
        username=f"load-{{n}}",
        defaults=dict(email=f"load-{{n}}@example.com", first_name="Last", last_name=str(n)),
    )
    Profile.objects.update_or_create(user=user, defaults=dict(sub=f"sub-load-{{n}}", role="backoffice"))
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "relaydash.accounts.backends.SubOIDCBackend"
    session["oidc_id_token_expiration"] = time.time() + 3600
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    print("session", session.session_key)
open_work = Order.objects.filter(status__in=["OPEN", "IN_PROGRESS"]).order_by("?")
ids = list(open_work.values_list("id", flat=True)[:{orders}])
print("orders", *ids)
"""


@dataclass
class Results:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, error: str = "") -> None:
        with self.lock:
            self.times[kind].append(seconds)
            if error:
                self.errors.append(f"{kind}: {error}")


class Person(threading.Thread):
    """One signed-in back-office person working through a mix of requests."""

    MIX = (("list", 30), ("search", 20), ("order page", 25), ("status", 15), ("comment", 10))

    def __init__(self, *, url: str, cookie: str, orders: list[int], until: float, results: Results) -> None:
        super().__init__(daemon=True)
        self.url, self.orders, self.until, self.results = url, orders, until, results
        self.session = requests.Session()
        self.session.cookies.set("sessionid", cookie)
        self.random = random.Random(cookie)

    def timed(self, kind: str, method: str, path: str, **kwargs: object) -> requests.Response | None:
        started = time.perf_counter()
        try:
            response = self.session.request(
                method, self.url + path, timeout=60, allow_redirects=False, **kwargs
            )  # type: ignore[arg-type]
        except requests.RequestException as error:
            self.results.add(kind, time.perf_counter() - started, type(error).__name__)
            return None
        elapsed = time.perf_counter() - started
        bad = response.status_code >= 400
        self.results.add(kind, elapsed, f"HTTP {response.status_code} {path}" if bad else "")
        return None if bad else response

    def order_page(self, order_id: int) -> str:
        response = self.timed("order page", "GET", f"/orders/{order_id}/")
        return response.text if response is not None else ""

    def run(self) -> None:
        kinds = [k for k, w in self.MIX for _ in range(w)]
        while time.monotonic() < self.until:
            kind = self.random.choice(kinds)
            order_id = self.random.choice(self.orders)
            if kind == "list":
                page = self.random.choice((1, 1, 2, 3))
                self.timed(kind, "GET", f"/orders/?status=OPEN&sort=-due&page={page}")
            elif kind == "search":
                self.timed(kind, "GET", f"/orders/?q={self.random.choice(SEARCH_WORDS)}&sort=-updated")
            elif kind == "order page":
                self.order_page(order_id)
            else:
                self.write(kind, order_id)

    def write(self, kind: str, order_id: int) -> None:
        page = self.order_page(order_id)
        token = CSRF.search(page)
        if token is None:
            return
        headers = {"HX-Request": "true", "X-CSRFToken": html.unescape(token.group(1))}
        if kind == "status":
            current = STATUS.search(page)
            seen, values = SEEN.search(page), SEEN_VALUES.search(page)
            if current is None or seen is None or values is None:
                self.results.add(kind, 0.0, f"order {order_id}: no status form")
                return
            status = "IN_PROGRESS" if current.group(1) == "open" else "OPEN"
            data = {
                "part": "status",
                "status": status,
                "seen_updated_at": html.unescape(seen.group(1)),
                "seen_values": html.unescape(values.group(1)),
            }
            self.timed(kind, "POST", f"/orders/{order_id}/patch/", data=data, headers=headers)
        else:
            data = {"text": f"Lasttest {time.time():.0f}: vor Ort gewesen."}
            self.timed(kind, "POST", f"/orders/{order_id}/comments/new/", data=data, headers=headers)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=50000)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--relay-latency-ms", type=float, default=30.0)
    parser.add_argument("--sync-seconds", type=float, default=30.0)
    args = parser.parse_args()

    # relay: a sandbox-serving process of its own, behind the latency proxy.
    relay_port = free_port()
    proxy = start_proxy(f"http://{HOST}:{relay_port}", args.relay_latency_ms)
    env = {
        "RELAY_API_URL": f"{proxy.url}/sandbox/api/v1",
        "RELAY_SYNC_SECONDS": f"{args.sync_seconds:g}",
        # The bench speaks plain HTTP on loopback: cookies must not be HTTPS-only.
        "CSRF_COOKIE_SECURE": "false",
        "SESSION_COOKIE_SECURE": "false",
    }
    relay_process: subprocess.Popen[bytes] | None = None
    try:
        with project_server(
            orders=args.orders, seed=11, extra_env=env, sync=False, before_serving=_wal
        ) as server:
            command = [
                PYTHON,
                "-m",
                "gunicorn",
                "relaydash.wsgi",
                "--bind",
                f"{HOST}:{relay_port}",
                *GUNICORN,
            ]
            with (server.log.parent / "relay.log").open("wb") as out:
                relay_process = subprocess.Popen(
                    command, cwd=ROOT, env=dict(server.env), stdout=out, stderr=out
                )
            _wait(f"http://{HOST}:{relay_port}/sandbox/api/v1/customers")
            print(server.seeded)
            print(server.run_manage("sync_orders", "--once").strip())
            with (server.log.parent / "worker.log").open("wb") as log:
                worker = subprocess.Popen(
                    [PYTHON, "manage.py", "sync_orders"],
                    cwd=ROOT,
                    env=dict(server.env),
                    stdout=log,
                    stderr=log,
                )
            try:
                out = server.run_manage(
                    "shell",
                    "--no-imports",
                    "-c",
                    SESSIONS_SNIPPET.format(count=args.sessions, orders=args.sessions * 10),
                )
                cookies = [line.split()[1] for line in out.splitlines() if line.startswith("session ")]
                order_ids = [
                    int(i) for i in next(x for x in out.splitlines() if x.startswith("orders")).split()[1:]
                ]
                results = Results()
                time.sleep(1.0)
                before = proxy.calls["GET /sandbox/api/v1/orders"]
                started = time.monotonic()
                until = started + args.seconds
                people = [
                    Person(
                        url=server.url,
                        cookie=c,
                        orders=order_ids[n :: args.sessions],
                        until=until,
                        results=results,
                    )
                    for n, c in enumerate(cookies)
                ]
                for person in people:
                    person.start()
                for person in people:
                    person.join(args.seconds + 120)
                window = time.monotonic() - started
                get_orders = proxy.calls["GET /sandbox/api/v1/orders"] - before
                server_log = server.log.read_text(errors="replace")[-4000:] if results.errors else ""
                report(args, results, window, get_orders, proxy.calls, server_log)
            finally:
                worker.terminate()  # it finishes a sync under way first
                try:
                    worker.wait(180)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait()
    finally:
        if relay_process is not None:
            relay_process.terminate()
            relay_process.wait(30)

    return 0 if _verdict["ok"] else 1


_verdict = {"ok": False}


def report(
    args: argparse.Namespace,
    results: Results,
    window: float,
    get_orders: int,
    calls: dict[str, int],
    server_log: str,
) -> None:
    every = [t for times in results.times.values() for t in times]
    print(
        f"{args.sessions} sessions for {window:.0f} s, {args.orders} orders, "
        f"relay latency {args.relay_latency_ms:g} ms"
    )
    for kind, times in sorted(results.times.items()):
        print(
            f"  {kind:<11} n={len(times):5}  p50 {statistics.median(times) * 1000:7.1f} ms  "
            f"p95 {percentile(times, 0.95) * 1000:7.1f} ms  max {max(times) * 1000:7.1f} ms"
        )
    p95 = percentile(every, 0.95)
    limit = (60 / args.sync_seconds + 1) * window / 60
    ok_errors, ok_p95, ok_relay = not results.errors, p95 <= TARGET_P95, get_orders <= limit
    print(
        f"requests {len(every)} ({len(every) / window:.1f}/s), errors {len(results.errors)}  "
        f"{'OK' if ok_errors else 'OVER'}"
    )
    for error in results.errors[:10]:
        print(f"    {error}")
    if server_log:
        print(f"the server's log ends:\n{server_log}")
    print(
        f"p95 all requests {p95 * 1000:.1f} ms  (target ≤ {TARGET_P95 * 1000:.0f} ms)  "
        f"{'OK' if ok_p95 else 'OVER'}"
    )
    print(
        f"GetOrders at relay in the window: {get_orders}  (limit {limit:.1f} = (60/{args.sync_seconds:g} + 1)"
        f" per minute)  {'OK' if ok_relay else 'OVER'}"
    )
    by_operation: dict[str, int] = defaultdict(int)
    for call, n in calls.items():
        method, path = call.split()[0], call.split()[1].removeprefix("/sandbox/api/v1")
        if method == "GET" and path in ("/orders", "/customers"):
            by_operation["GetOrders" if path == "/orders" else "GetCustomers"] += n
        elif method == "GET" and path.startswith("/orders/") and path.count("/") == 2:
            by_operation["GetOrder"] += n
        else:
            by_operation[f"{method} {path.split('/')[1]}/…"] += n
    print(f"relay calls in all (setup included): {dict(by_operation)}")
    _verdict["ok"] = ok_errors and ok_p95 and ok_relay


def _wal(db: Path) -> None:
    with sqlite3.connect(str(db)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")


def _wait(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=5)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")


if __name__ == "__main__":
    raise SystemExit(main())
