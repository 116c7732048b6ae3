"""Bench: the filtered order list page vs the raw GetOrders call it is built on.

relay has no filters or paging, so every list view costs one GetOrders (every order with
its comments) plus our filtering, counting, sorting and rendering. The target is that the
page costs at most 1.5× the bare GetOrders HTTP call, measured in the same run against
the same server.

    .venv/bin/python bench/list_page.py [--orders 5000] [--rounds 9] [--url "/orders/?..."]

What it does: seeds the sandbox relay with N orders in a temporary SQLite database,
serves the project in a subprocess whose RELAY_API_URL points at its own sandbox
(bench/_server.py: gunicorn gthread and DEBUG off, as deployed),
signs a back-office user in (a session made in the same database), then times, interleaved
round by round, (a) GET /sandbox/api/v1/orders with the Bearer key and (b) GET of a
filtered list page with the session cookie. Prints both medians, the ratio and a verdict
against 1.5. Exit status 1 when over the target.
"""

from __future__ import annotations

import argparse
import statistics
import time

import requests
from _server import project_server

TARGET_RATIO = 1.5


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

    with project_server(orders=args.orders, seed=11) as server:
        print(server.seeded)
        raw = server.api_session()
        page = server.signed_in_session()
        raw_url, page_url = f"{server.relay_url}/orders", f"{server.url}{args.url}"

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
