"""Bench: the week board (30 people × 7 days, 600 planned orders, 5,000 in the index) vs
the raw GetOrders call.

The board reads the order index and the assignments (a few queries) and asks relay
nothing, so it should cost a fraction of one GetOrders: the target is ≤ 0.3× the bare
GetOrders HTTP call, measured in the same run against the same server.

    .venv/bin/python bench/board_page.py [--orders 5000] [--people 30] [--planned 600] [--rounds 9]

What it does: seeds the sandbox relay with N orders in a temporary SQLite database, serves
the project in a subprocess (bench/_server.py: gunicorn gthread, DEBUG off), fills the
order index with one sync (`sync_orders --once`), adds the field people and plans the
orders over the current week (round robin over people and days, a time window on every
other one), signs a back-office user in, then times, interleaved round by round, (a) GET
/sandbox/api/v1/orders with the Bearer key and (b) GET /board/ with the session cookie.
Prints both medians, the ratio and a verdict. Exit status 1 when over the target.
"""

from __future__ import annotations

import argparse
import statistics

from _server import project_server
from list_page import timed  # the same timing as the list bench

TARGET_RATIO = 0.3

# People and plans made in the server's database, as the board would see them after a
# week of planning. Formatted with people= and planned=.
_PLAN_SNIPPET = """
import datetime as dt
from django.utils import timezone
from relaydash.accounts.services import person_add
from relaydash.dispatch.models import Assignment
from relaydash.orderindex.models import IndexedOrder
people = [person_add(email=f"field{{n}}@example.com", name=f"Feld Person{{n:02d}}") for n in range({people})]
today = timezone.localdate()
monday = today - dt.timedelta(days=today.weekday())
ids = list(IndexedOrder.objects.order_by("id").values_list("id", flat=True)[: {planned}])
Assignment.objects.bulk_create(
    Assignment(
        order_id=order_id,
        person=people[n % len(people)],
        day=monday + dt.timedelta(days=(n // len(people)) % 7),
        starts=dt.time(8 + n % 8) if n % 2 else None,
        ends=dt.time(9 + n % 8) if n % 2 else None,
        position=n,
        version=1,
    )
    for n, order_id in enumerate(ids)
)
print(len(ids), Assignment.objects.count())
"""


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--people", type=int, default=30)
    parser.add_argument("--planned", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()

    with project_server(orders=args.orders, seed=11) as server:
        print(server.seeded)
        server.run_manage("sync_orders", "--once", "--verbosity=0")
        planned = server.run_manage(
            "shell", "--no-imports", "-c", _PLAN_SNIPPET.format(people=args.people, planned=args.planned)
        )
        raw = server.api_session()
        page = server.signed_in_session()
        raw_url, page_url = f"{server.relay_url}/orders", f"{server.url}/board/"

        size = len(raw.get(raw_url, timeout=120).content)
        body = page.get(page_url, timeout=120)
        if body.status_code != 200 or 'id="board"' not in body.text:
            raise SystemExit(f"the board did not render: HTTP {body.status_code}")
        cards = body.text.count('id="card-')
        people = body.text.count('id="board-person-')
        print(
            f"GetOrders body: {size / 1e6:.1f} MB; planned: {planned.split()[-1]}; board: {people} people,"
            f" {cards} cards (planned this week + the first unplanned), {len(body.content) / 1e3:.0f} kB"
        )

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
    print(f"week board      median {page_median * 1000:7.1f} ms")
    print(f"ratio board/raw {ratio:.2f}  (target ≤ {TARGET_RATIO})  {verdict}")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
