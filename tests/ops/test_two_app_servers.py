"""Two app servers (gunicorn, deploy/gunicorn.conf.py, production settings) on one
PostgreSQL and one Redis, as relaydash is deployed behind a load balancer.

The test process plays the TLS proxy: plain HTTP to each server with
`X-Forwarded-Proto: https` (SECURE_PROXY_SSL_HEADER), so the production defaults (SSL
redirect, HSTS, secure cookies) stay on.
"""

import html
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.management import call_command
from django.db import connection

from relaydash.accounts.permissions import Role
from relaydash.accounts.sessions import SessionStore
from relaydash.relay.client import RelayClient
from relaydash.relay.records import OrderStatus
from tests.services import ROOT, ProjectServer, free_port, project_server

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

API_KEY = "two-servers-sandbox-key"
PROXY = {"X-Forwarded-Proto": "https", "Accept-Language": "en"}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SEEN = re.compile(r'name="(seen_updated_at|seen_values)" value="([^"]*)"')
STYLESHEET = re.compile(r'href="(/static/css/[\w-]+\.[0-9a-f]{12}\.css)"')


def _production_env(tmp_path: Path) -> dict[str, str]:
    db = connection.settings_dict
    cache_url = os.environ.get("CACHE_URL", "")
    if db["ENGINE"] != "django.db.backends.postgresql" or not cache_url.startswith("redis"):
        # Marked `services`: `make test` runs it only in the pass with both (see the Makefile).
        pytest.fail("needs PostgreSQL and Redis: run it through scripts/with_services.sh (make test does)")
    # The test database pytest-django made, which this test's rows are committed to.
    database_url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {
        "SECRET_KEY": settings.SECRET_KEY,  # signs the session this test makes
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "CACHE_URL": cache_url,
        "SECURE_PROXY_SSL_HEADER": "true",
        "RELAY_SANDBOX": "true",
        "RELAY_SANDBOX_ALLOW_WITHOUT_DEBUG_I_KNOW_THIS_IS_FAKE": "true",
        "RELAY_SANDBOX_API_KEY": API_KEY,
        "RELAY_API_KEY": API_KEY,
        "STATIC_ROOT": str(tmp_path / "static"),
        "LOG_FORMAT": "json",
    }


def _collectstatic(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity=0"],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", ""), **env},
        check=True,
    )


def _signed_in_cookie(user: Any) -> str:
    """A session as the SSO sign-in leaves it (renewal not due for an hour)."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "relaydash.accounts.backends.SubOIDCBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session["oidc_id_token_expiration"] = 4_102_444_800  # 2100
    session.create()
    assert session.session_key is not None
    return session.session_key


def _get(server: ProjectServer, path: str, cookie: str, **headers: str) -> requests.Response:
    response = requests.get(
        f"{server.url}{path}",
        headers={**PROXY, "Cookie": cookie, **headers},
        timeout=30,
        allow_redirects=False,
    )
    assert response.status_code == 200, (path, response.status_code, response.text[:500])
    return response


def _list_row(page: str, order_id: int) -> str:
    rows = [row for row in page.split("<tr")[1:] if f'href="/orders/{order_id}/"' in row]
    assert len(rows) == 1, f"order {order_id} is not once on the list"
    return rows[0]


def test_a_status_change_on_one_server_is_on_the_other_at_once(
    tmp_path: Path, make_user: Callable[..., Any]
) -> None:
    env = _production_env(tmp_path)
    _collectstatic(env)
    call_command("seed_sandbox", orders=30, seed=7, verbosity=0)
    port_a = free_port()
    env["RELAY_API_URL"] = f"http://127.0.0.1:{port_a}/sandbox/api/v1"  # A's sandbox, for both
    session = f"sessionid={_signed_in_cookie(make_user(Role.BACKOFFICE))}"
    relay = RelayClient(base_url=env["RELAY_API_URL"], api_key=API_KEY)

    with project_server(env, port=port_a) as a, project_server(env) as b:
        order = next(o for o in relay.get_orders() if o.status is OrderStatus.OPEN)
        detail = f"/orders/{order.id}/"
        # B has read the order (and kept relay's answer in the shared cache) before A changes it.
        assert "status-badge--open" in _get(b, detail, session).text
        assert "status-badge--open" in _list_row(_get(b, "/orders/", session).text, order.id)

        page = _get(a, detail, session)
        form = {name: html.unescape(value) for name, value in SEEN.findall(page.text)[:2]}
        changed = requests.post(
            f"{a.url}{detail}patch/",
            data={
                "part": "status",
                "status": "IN_PROGRESS",
                **form,
                "csrfmiddlewaretoken": CSRF.findall(page.text)[0],
            },
            headers={
                **PROXY,
                "Cookie": f"{session}; csrftoken={page.cookies['csrftoken']}",
                "Origin": f"https://127.0.0.1:{port_a}",
                "Referer": f"https://127.0.0.1:{port_a}{detail}",
            },
            timeout=30,
            allow_redirects=False,
        )
        assert changed.status_code == 302, changed.text[:500]

        on_b = _get(b, detail, session)
        assert 'id="order-head-status" class="badge status-badge status-badge--in-progress"' in on_b.text
        listed = _get(b, "/orders/", session)
        assert "status-badge--in-progress" in _list_row(listed.text, order.id)

        # Production's answers: HTTPS only, compressed pages, hashed static files
        # compressed ahead and cached for a year, a request id in the JSON access log.
        assert listed.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert listed.headers["Content-Encoding"] == "gzip"
        stylesheet = STYLESHEET.findall(listed.text)[0]
        css = requests.get(f"{b.url}{stylesheet}", headers={**PROXY, "Accept-Encoding": "br"}, timeout=10)
        assert (css.status_code, css.headers["Content-Encoding"]) == (200, "br")
        assert css.headers["Cache-Control"] == "max-age=315360000, public, immutable"
        plain = requests.get(
            f"{b.url}/orders/", headers={"Accept-Language": "en"}, allow_redirects=False, timeout=10
        )
        assert (plain.status_code, plain.headers["Location"]) == (
            301,
            f"https://127.0.0.1:{b.url.rsplit(':', 1)[1]}/orders/",
        )

        request_id = listed.headers["X-Request-ID"]
        access = [json.loads(line) for line in b.log_lines() if '"gunicorn.access"' in line]
        mine = [line for line in access if line["request_id"] == request_id]
        assert [(line["method"], line["path"], line["status"]) for line in mine] == [("GET", "/orders/", 200)]
        app_lines = [json.loads(line) for line in a.log_lines() if '"relaydash.relay"' in line]
        assert any(line["relay_operation"] == "PatchOrder" and line["user"] for line in app_lines)
    assert settings.RELAY_SANDBOX


def test_two_sync_workers_on_one_database_sync_once_per_interval(tmp_path: Path) -> None:
    """One sync worker per app server (the simple deployment): the database's lock and
    the last sync's start time make them take turns, so relay gets one GetOrders per
    interval for the whole deployment, not one per worker."""
    env = _production_env(tmp_path)
    _collectstatic(env)
    call_command("seed_sandbox", orders=30, seed=7, verbosity=0)
    port = free_port()
    # The sync allows a second of timer slack between rounds; at 6 s that still leaves
    # two unlocked workers (about 2 × 13 / 6 rounds) far above the budget.
    interval, window = 6.0, 13.0
    env["RELAY_API_URL"] = f"http://127.0.0.1:{port}/sandbox/api/v1"
    env["RELAY_SYNC_SECONDS"] = f"{interval:g}"
    worker_env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", str(tmp_path)), **env}

    logs = [tmp_path / f"worker-{n}.log" for n in range(2)]
    with project_server(env, port=port) as relay_and_app:
        workers = []
        for log in logs:
            with log.open("wb") as out:
                workers.append(
                    subprocess.Popen(
                        [sys.executable, "manage.py", "sync_orders"],
                        cwd=ROOT,
                        env=worker_env,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                )
        try:
            time.sleep(window)
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(timeout=30)
        access = [json.loads(line) for line in relay_and_app.log_lines() if '"gunicorn.access"' in line]
    get_orders = [a for a in access if (a["method"], a["path"]) == ("GET", "/sandbox/api/v1/orders")]
    # Started together, then one round per interval: two workers without the lock would
    # ask about twice as often.
    said = "\n".join(log.read_text(errors="replace")[-2000:] for log in logs)
    assert 2 <= len(get_orders) <= int(window / interval + 1), (len(get_orders), said)
    from relaydash.orderindex.models import IndexedOrder

    assert IndexedOrder.objects.count() == 30
