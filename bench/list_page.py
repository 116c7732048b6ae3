"""Bench: the filtered order list page vs the raw GetOrders call, at two sizes of relay.

The list reads the order index (relaydash's copy of relay's orders, kept by the sync
worker), never GetOrders. So the page must cost a small fraction of the bare GetOrders
HTTP call (target ≤ 0.1× at 5,000 orders), and stay flat as relay grows (the page at
50,000 orders ≤ 1.5× the page at 5,000), measured in the same run.

    .venv/bin/python bench/list_page.py [--orders 5000,50000] [--rounds 9] [--url "/orders/?..."]

What it does, for each size: seeds the sandbox relay with N orders in a temporary SQLite
database, serves the project (bench/_server.py: gunicorn gthread and DEBUG off, as
deployed) and fills the order index with one sync, signs a back-office user in (a session
made in the same database), then times, interleaved round by round, (a) GET
/sandbox/api/v1/orders with the Bearer key and (b) GET of a filtered, searched, sorted list
page with the session cookie. Prints both medians and the ratio for each size, then the
page's growth from the first size to the last, with verdicts. Exit status 1 when over a
target.
"""

from __future__ import annotations

import argparse
import statistics
import time

import requests
from _server import project_server

TARGET_RATIO = 0.1  # list page / raw GetOrders at the first size
TARGET_GROWTH = 1.5  # list page at the last size / list page at the first size


def timed(session: requests.Session, url: str, **kwargs: object) -> float:
    start = time.perf_counter()
    response = session.get(url, timeout=300, **kwargs)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}: {response.text[:300]}")
    return elapsed


def measure(orders: int, rounds: int, url: str) -> tuple[float, float]:
    """(raw GetOrders median, list page median) in seconds, for `orders` in relay."""
    with project_server(orders=orders, seed=11) as server:
        print(server.seeded)
        print(server.synced)
        raw = server.api_session()
        page = server.signed_in_session()
        raw_url, page_url = f"{server.relay_url}/orders", f"{server.url}{url}"

        size = len(raw.get(raw_url, timeout=300).content)
        body = page.get(page_url, timeout=300)
        if body.status_code != 200 or 'id="order-results"' not in body.text:
            raise SystemExit(f"the list page did not render: HTTP {body.status_code}")
        rows = body.text.count('id="order-link-')
        print(f"GetOrders body: {size / 1e6:.1f} MB; list page {url}: {rows} rows")

        raw_times: list[float] = []
        page_times: list[float] = []
        for _ in range(rounds):
            raw_times.append(timed(raw, raw_url))
            # The list is asked a few times per GetOrders: its median is the steadier.
            page_times.extend(timed(page, page_url) for _ in range(3))
    raw_median, page_median = statistics.median(raw_times), statistics.median(page_times)
    print(f"  {orders:>6} orders: raw GetOrders median {raw_median * 1000:8.1f} ms  (rounds: {rounds})")
    print(
        f"  {orders:>6} orders: list page     median {page_median * 1000:8.1f} ms  (views: {len(page_times)})"
    )
    print(f"  {orders:>6} orders: ratio page/raw {page_median / raw_median:.3f}")
    return raw_median, page_median


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", default="5000,50000", help="sizes of relay, comma-separated")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--url", default="/orders/?status=OPEN&q=heizung&sort=-due")
    args = parser.parse_args()
    sizes = [int(n) for n in args.orders.split(",")]

    results = {n: measure(n, args.rounds, args.url) for n in sizes}
    first, last = sizes[0], sizes[-1]
    ratio = results[first][1] / results[first][0]
    ok = ratio <= TARGET_RATIO
    print(
        f"ratio page/raw at {first} orders  {ratio:.3f}  (target ≤ {TARGET_RATIO})  {'OK' if ok else 'OVER'}"
    )
    if last != first:
        growth = results[last][1] / results[first][1]
        grown_ok = growth <= TARGET_GROWTH
        ok = ok and grown_ok
        print(
            f"page at {last} / page at {first} orders  {growth:.2f}  (target ≤ {TARGET_GROWTH})  "
            f"{'OK' if grown_ok else 'OVER'}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
