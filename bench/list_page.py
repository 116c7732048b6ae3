"""Bench: the filtered order list page vs the raw GetOrders call it is built on.

relay has no filters or paging, so every list view costs one GetOrders (every order with
its comments) plus our filtering, counting, sorting and rendering. The target is that the
page costs at most 1.5× the bare GetOrders HTTP call, measured in the same run against
the same server.

    .venv/bin/python bench/list_page.py [--orders 5000] [--rounds 9] [--url "/orders/?..."]

What it does: seeds the sandbox relay with N orders in a temporary SQLite database,
serves the project with `runserver --noreload` (threaded) in a subprocess whose
RELAY_API_URL points at its own sandbox, signs a back-office user in (a session made in
the same database), then times, interleaved round by round, (a) GET /sandbox/api/v1/orders
with the Bearer key and (b) GET of a filtered list page with the session cookie. Prints
both medians, the ratio and a verdict against 1.5. Exit status 1 when over the target.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
TARGET_RATIO = 1.5
API_KEY = "bench-sandbox-key"

SESSION_SNIPPET = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from relaydash.accounts.models import Profile
user = get_user_model().objects.create_user(username="bench", email="bench@example.com")
Profile.objects.create(user=user, sub="sub-bench", role="backoffice")
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(session.session_key)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return result.stdout


def wait_until_up(base: str, server: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server exited before it was ready")
        try:
            requests.get(f"{base}/sandbox/api/v1/customers", timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise SystemExit("the server did not come up")


def timed(session: requests.Session, url: str, **kwargs: object) -> float:
    start = time.perf_counter()
    response = session.get(url, timeout=120, **kwargs)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}: {response.text[:300]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--url", default="/orders/?status=OPEN&q=heizung&sort=-due")
    args = parser.parse_args()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="relaydash-bench-") as tmp:
        env = {
            **os.environ,
            "DEBUG": "true",
            "SECRET_KEY": "bench-only-secret",
            "RELAY_SANDBOX": "true",
            "RELAY_SANDBOX_API_KEY": API_KEY,
            "RELAY_API_KEY": API_KEY,
            "RELAY_API_URL": f"{base}/sandbox/api/v1",
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "LOG_LEVEL": "WARNING",
        }
        manage(env, "migrate", "--verbosity=0")
        print(manage(env, "seed_sandbox", f"--orders={args.orders}", "--seed=11").strip())
        session_key = manage(env, "shell", "--no-imports", "-c", SESSION_SNIPPET).strip().splitlines()[-1]

        server = subprocess.Popen(
            [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_up(base, server)
            raw = requests.Session()
            raw.headers["Authorization"] = f"Bearer {API_KEY}"
            page = requests.Session()
            page.cookies.set("sessionid", session_key)
            raw_url, page_url = f"{base}/sandbox/api/v1/orders", f"{base}{args.url}"

            size = len(raw.get(raw_url, timeout=120).content)
            body = page.get(page_url, timeout=120)
            if body.status_code != 200 or 'id="order-results"' not in body.text:
                raise SystemExit(f"the list page did not render: HTTP {body.status_code}")
            rows = body.text.count('id="order-link-')
            print(f"GetOrders body: {size / 1e6:.1f} MB; list page {args.url}: {rows} rows")

            raw_times: list[float] = []
            page_times: list[float] = []
            for _ in range(args.rounds):
                raw_times.append(timed(raw, raw_url))
                page_times.append(timed(page, page_url))
        finally:
            server.terminate()
            server.wait(timeout=10)

    raw_median = statistics.median(raw_times)
    page_median = statistics.median(page_times)
    ratio = page_median / raw_median
    verdict = "OK" if ratio <= TARGET_RATIO else "OVER TARGET"
    print(f"raw GetOrders   median {raw_median * 1000:7.1f} ms  (rounds: {args.rounds})")
    print(f"list page       median {page_median * 1000:7.1f} ms")
    print(f"ratio page/raw  {ratio:.2f}  (target ≤ {TARGET_RATIO})  {verdict}")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
