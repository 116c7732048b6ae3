"""Bench: the order detail page vs the raw GetOrder call it is built on.

The detail page needs one GetOrder and one GetCustomers (relay has no GetCustomer; both
are read side by side) plus this order's audit entries and the rendering. The target is
that the page costs at most 1.5× the bare GetOrder HTTP call for the same order,
measured in the same run against the same server.

    .venv/bin/python bench/detail_page.py [--orders 5000] [--rounds 41]

    .venv/bin/python bench/detail_page.py --relay-latency-ms 30

What it does: seeds the sandbox relay with N orders in a temporary SQLite database,
serves the project with gunicorn (2 workers × 8 threads, bench/_server.py) in a subprocess
with DEBUG off (as in production) whose RELAY_API_URL points at its own sandbox, signs a
back-office user in (a session made in the same database), then, round by round, for a
different typical order each round (comments, fields, contacts):

- (a) raw: GET /sandbox/api/v1/orders/<id> with the Bearer key;
- (b) first view: GET /orders/<id>/ with the session cookie, an order relaydash has not
  read yet, so the page asks relay (GetOrder; the customer list is kept by then);
- (c) repeat view: the same page again, as when someone goes back to the order, opens
  an edit form or lands on it after saving: relay's answer from (b) is still kept
  (RELAY_CACHE_ORDER_SECONDS), so the page costs no relay call.

A few warm-up rounds are not counted. Prints the medians, both ratios and a verdict
against 1.5 for each. Exit status 1 when a ratio is over the target. (Not runserver: its
keep-alive answers stall ~40 ms whenever a connection is reused quickly, which is what
the page's relay client does, so it would measure the development server, not the page.)

It also times (d) a signed-in request that reaches no relay and renders nothing (the
comments URL without htmx, a redirect): the floor every signed-in page pays for its own
HTTP round trip, session, user and role before the view runs.

With --relay-latency-ms the sandbox sits behind a small proxy that waits that long
before each relay call, as a relay across the network would; the raw GetOrder and the
page's own relay calls both go through it.
"""

from __future__ import annotations

import argparse
import statistics
import time

import requests
from _server import free_port, project_server, start_proxy

TARGET_RATIO = 1.5
WARM_UP = 5

# Typical orders (comments, fields and contacts) from the middle of the table on: one
# not yet seen by relaydash for every round.
PICK_SNIPPET = """
from django.db.models import Count
from relaydash.sandbox.models import Order
rows = Order.objects.annotate(c=Count("comments", distinct=True), f=Count("fields", distinct=True))
middle = Order.objects.count() // 2
picked = rows.filter(id__gte=middle, c__gte=2, f__gte=1).order_by("id").values_list("id", flat=True)
print(" ".join(str(i) for i in picked[:{count}]))
"""


def timed(session: requests.Session, url: str, *, expect: int = 200) -> float:
    start = time.perf_counter()
    response = session.get(url, timeout=60, allow_redirects=False)
    elapsed = time.perf_counter() - start
    if response.status_code != expect:
        raise SystemExit(f"{url} answered {response.status_code}: {response.text[:300]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=41)
    parser.add_argument("--relay-latency-ms", type=float, default=0.0, help="relay round trip (default 0)")
    args = parser.parse_args()

    # The proxy must know the server's address before the server starts (RELAY_API_URL).
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    relay = start_proxy(base, args.relay_latency_ms).url if args.relay_latency_ms else base
    with project_server(
        orders=args.orders,
        seed=11,
        port=port,
        extra_env={"RELAY_API_URL": f"{relay}/sandbox/api/v1"},
    ) as server:
        print(server.seeded)
        raw = server.api_session()
        page = server.signed_in_session()
        needed = WARM_UP + args.rounds
        snippet = PICK_SNIPPET.format(count=needed)
        order_ids = [int(i) for i in server.run_manage("shell", "--no-imports", "-c", snippet).split()]
        if len(order_ids) < needed:
            raise SystemExit(f"only {len(order_ids)} typical orders; seed more (--orders)")

        first = order_ids[0]
        body = page.get(f"{base}/orders/{first}/", timeout=60)
        if body.status_code != 200 or 'id="comment-list"' not in body.text:
            raise SystemExit(f"the detail page did not render: HTTP {body.status_code}")
        size = len(raw.get(f"{server.relay_url}/orders/{first}", timeout=60).content)
        comments = body.text.count('class="timeline__item"')
        page_kb = len(body.content) / 1e3
        print(f"order {first}: GetOrder {size / 1e3:.1f} kB; page {page_kb:.0f} kB, {comments} comments")

        times: dict[str, list[float]] = {"raw": [], "first": [], "repeat": [], "floor": []}
        for round_number, order_id in enumerate(order_ids[1:needed]):
            page_url = f"{base}/orders/{order_id}/"
            sample = {
                "raw": timed(raw, f"{server.relay_url}/orders/{order_id}"),
                "first": timed(page, page_url),
                "repeat": timed(page, page_url),
                "floor": timed(page, f"{base}/orders/{order_id}/comments/", expect=302),
            }
            if round_number >= WARM_UP - 1:
                for name, value in sample.items():
                    times[name].append(value)

    median = {name: statistics.median(values) for name, values in times.items()}
    latency = f", relay latency {args.relay_latency_ms:g} ms" if args.relay_latency_ms else ""
    print(
        f"raw GetOrder        median {median['raw'] * 1000:7.1f} ms  (rounds: {len(times['raw'])}{latency})"
    )
    print(f"page, first view    median {median['first'] * 1000:7.1f} ms  (asks relay)")
    print(f"page, repeat view   median {median['repeat'] * 1000:7.1f} ms  (relay's answer kept)")
    print(
        f"signed-in floor     median {median['floor'] * 1000:7.1f} ms  (own round trip, session, user, role)"
    )
    over = False
    for name, label in (("first", "first view "), ("repeat", "repeat view")):
        ratio = median[name] / median["raw"]
        over = over or ratio > TARGET_RATIO
        verdict = "OK" if ratio <= TARGET_RATIO else "OVER TARGET"
        print(f"ratio {label}/raw  {ratio:.2f}  (target ≤ {TARGET_RATIO})  {verdict}")
    # A page that asks relay pays its own round trip and sign-in (the floor) plus the very
    # call it is compared with, before it renders anything.
    bound = (median["raw"] + median["floor"]) / median["raw"]
    print(f"lower bound for any page that asks relay here: (raw + floor) / raw = {bound:.2f}")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
