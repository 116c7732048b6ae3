"""Bench: one sync of the order index where few orders changed, vs the raw GetOrders call.

The sync worker reads GetOrders (every order with every comment), decodes it once and
writes only the rows whose content hash changed. This bench says what one such round
costs at a given size of relay: its time (against the bare GetOrders call measured in the
same run, since that is what any sync must at least pay), the rows it wrote, and the
worker's peak memory.

    .venv/bin/python bench/sync_orders.py [--orders 50000] [--changed 10] [--rounds 3]

What it does: seeds the sandbox relay with N orders in a temporary SQLite database and
serves the project (bench/_server.py), whose first sync fills the index (its time and
peak memory are printed too). Then, round by round: changes `--changed` orders in relay
(internal id and updatedAt, as a property manager's edit would), times the raw GetOrders
call, and runs `manage.py sync_orders --once` as its own process, reading its wall time,
the rows it wrote (from its output) and its peak resident memory (os.wait4 of that
child). Prints the medians and the ratio sync/raw. Always exits 0: the figures are
reported, there is no fixed target.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import tempfile
import time

from _server import PYTHON, ROOT, project_server

CHANGE_SNIPPET = """
from django.utils import timezone
from relaydash.sandbox.models import Order
ids = list(Order.objects.order_by("?").values_list("id", flat=True)[:{count}])
now = timezone.now()
for n, order_id in enumerate(ids):
    Order.objects.filter(pk=order_id).update(internal_id=f"BENCH-{{now:%H%M%S}}-{{n}}", updated_at=now)
print(len(ids))
"""


def run_sync(env: dict[str, str]) -> tuple[float, str, float]:
    """(seconds, output, peak resident memory in MB) of one `sync_orders --once` run as
    its own process (os.wait4 gives that one child's resource usage)."""
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        process = subprocess.Popen(
            [PYTHON, "manage.py", "sync_orders", "--once"], cwd=ROOT, env=env, stdout=out, stderr=out
        )
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode(errors="replace")
    if process.returncode != 0:
        raise SystemExit(f"sync_orders --once failed:\n{text[-2000:]}")
    summary = next(
        (line for line in text.splitlines() if line.startswith("order index: ") and "from relay" in line), ""
    )
    return elapsed, summary, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=50000)
    parser.add_argument("--changed", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    with project_server(orders=args.orders, seed=11, sync=False) as server:
        print(server.seeded)
        env = dict(server.env)
        fill_seconds, fill_out, fill_peak = run_sync(env)
        print(f"first fill: {fill_out}  wall {fill_seconds:.1f} s, peak worker memory {fill_peak:.0f} MB")
        raw = server.api_session()
        raw_url = f"{server.relay_url}/orders"
        size = len(raw.get(raw_url, timeout=300).content)
        print(f"GetOrders body: {size / 1e6:.1f} MB")
        raw_times: list[float] = []
        sync_times: list[float] = []
        written: list[int] = []
        peaks: list[float] = []
        for _ in range(args.rounds):
            server.run_manage("shell", "--no-imports", "-c", CHANGE_SNIPPET.format(count=args.changed))
            started = time.perf_counter()
            if raw.get(raw_url, timeout=300).status_code != 200:
                raise SystemExit("GetOrders failed")
            raw_times.append(time.perf_counter() - started)
            seconds, out, peak = run_sync(env)
            changed = re.search(r"(\d+) new, (\d+) changed, (\d+) removed", out)
            written.append(sum(int(n) for n in changed.groups()) if changed else -1)
            sync_times.append(seconds)
            peaks.append(peak)
            print(f"  round: {out}; wall {seconds:.1f} s, peak worker memory {peak:.0f} MB")

    raw_median, sync_median = statistics.median(raw_times), statistics.median(sync_times)
    print(f"orders in relay        {args.orders}, changed per round {args.changed}")
    print(f"raw GetOrders median   {raw_median:.2f} s  (rounds: {args.rounds})")
    print(
        f"sync round median      {sync_median:.2f} s  (whole process: start, GetOrders, decode, diff, write)"
    )
    print(f"ratio sync/raw         {sync_median / raw_median:.2f}")
    print(f"rows written per round {written}")
    print(f"peak worker memory     {max(peaks):.0f} MB (median {statistics.median(peaks):.0f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
