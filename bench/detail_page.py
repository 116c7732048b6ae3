"""Bench: the order detail page vs the raw GetOrder call it is built on.

The detail page needs one GetOrder and one GetCustomers (relay has no GetCustomer; both
are read side by side) plus this order's audit entries and the rendering. The target is
that the page costs at most 1.5× the bare GetOrder HTTP call for the same order,
measured in the same run against the same server.

    .venv/bin/python bench/detail_page.py [--orders 5000] [--rounds 41] [--order ID]

    .venv/bin/python bench/detail_page.py --relay-latency-ms 30

What it does: seeds the sandbox relay with N orders in a temporary SQLite database,
serves the project with gunicorn (2 workers × 8 threads, bench/_server.py) in a subprocess
with DEBUG off (as in production) whose RELAY_API_URL points at its own sandbox, signs a
back-office user in (a session made in the same database), then times, interleaved round
by round, (a) GET /sandbox/api/v1/orders/<id> with the Bearer key and (b) GET /orders/<id>/
with the session cookie. A few warm-up rounds are not counted. Prints both medians, the
ratio and a verdict against 1.5. Exit status 1 when over the target. (Not runserver: its
keep-alive answers stall ~40 ms whenever a connection is reused quickly, which is what
the page's relay client does, so it would measure the development server, not the page.)

It also times (c) a signed-in request that reaches no relay and renders nothing (the
comments URL without htmx, a redirect): the floor every signed-in page pays for session,
user and role before the view runs, so the report shows where the page's time goes.

With --relay-latency-ms the sandbox sits behind a small proxy that waits that long
before each relay call, as a relay across the network would; the raw GetOrder and the
page's own relay calls both go through it.
"""

from __future__ import annotations

import argparse
import http.server
import statistics
import threading
import time

import requests
from _server import free_port, project_server

TARGET_RATIO = 1.5
WARM_UP = 5

# An order in the middle of the table with comments, fields and contacts: a typical page.
PICK_SNIPPET = """
from django.db.models import Count
from relaydash.sandbox.models import Order
rows = Order.objects.annotate(c=Count("comments", distinct=True), f=Count("fields", distinct=True))
middle = Order.objects.count() // 2
print(rows.filter(id__gte=middle, c__gte=2, f__gte=1).order_by("id").values_list("id", flat=True)[0])
"""


def timed(session: requests.Session, url: str, *, expect: int = 200) -> float:
    start = time.perf_counter()
    response = session.get(url, timeout=60, allow_redirects=False)
    elapsed = time.perf_counter() - start
    if response.status_code != expect:
        raise SystemExit(f"{url} answered {response.status_code}: {response.text[:300]}")
    return elapsed


class _LatencyProxy(http.server.BaseHTTPRequestHandler):
    """Forwards to the sandbox after `latency` seconds (one relay round trip)."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    upstream = ""
    latency = 0.0
    _local = threading.local()

    def _forward(self) -> None:
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
            timeout=60,
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


def start_proxy(upstream: str, latency_ms: float) -> str:
    port = free_port()
    handler = type("Proxy", (_LatencyProxy,), {"upstream": upstream, "latency": latency_ms / 1000})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{port}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=41)
    parser.add_argument("--order", type=int, default=None, help="order id (default: a typical one)")
    parser.add_argument("--relay-latency-ms", type=float, default=0.0, help="relay round trip (default 0)")
    args = parser.parse_args()

    # The proxy must know the server's address before the server starts (RELAY_API_URL).
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    relay = start_proxy(base, args.relay_latency_ms) if args.relay_latency_ms else base
    with project_server(
        orders=args.orders,
        seed=11,
        port=port,
        extra_env={"RELAY_API_URL": f"{relay}/sandbox/api/v1"},
    ) as server:
        print(server.seeded)
        raw = server.api_session()
        page = server.signed_in_session()
        order_id = args.order or int(server.run_manage("shell", "--no-imports", "-c", PICK_SNIPPET).strip())
        raw_url, page_url = f"{server.relay_url}/orders/{order_id}", f"{base}/orders/{order_id}/"
        floor_url = f"{base}/orders/{order_id}/comments/"

        size = len(raw.get(raw_url, timeout=60).content)
        body = page.get(page_url, timeout=60)
        if body.status_code != 200 or 'id="comment-list"' not in body.text:
            raise SystemExit(f"the detail page did not render: HTTP {body.status_code}")
        comments = body.text.count('class="timeline__item"')
        page_kb = len(body.content) / 1e3
        print(f"order {order_id}: GetOrder {size / 1e3:.1f} kB; page {page_kb:.0f} kB, {comments} comments")

        for _ in range(WARM_UP):
            timed(raw, raw_url)
            timed(page, page_url)
        raw_times: list[float] = []
        page_times: list[float] = []
        floor_times: list[float] = []
        for _ in range(args.rounds):
            raw_times.append(timed(raw, raw_url))
            page_times.append(timed(page, page_url))
            floor_times.append(timed(page, floor_url, expect=302))

    raw_median = statistics.median(raw_times)
    page_median = statistics.median(page_times)
    ratio = page_median / raw_median
    verdict = "OK" if ratio <= TARGET_RATIO else "OVER TARGET"
    latency = f", relay latency {args.relay_latency_ms:g} ms" if args.relay_latency_ms else ""
    print(f"raw GetOrder    median {raw_median * 1000:7.1f} ms  (rounds: {args.rounds}{latency})")
    print(f"detail page     median {page_median * 1000:7.1f} ms")
    floor = statistics.median(floor_times)
    print(f"  of which the signed-in floor (session, user, role; no relay, no page): {floor * 1000:.1f} ms")
    print(f"ratio page/raw  {ratio:.2f}  (target ≤ {TARGET_RATIO})  {verdict}")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
