"""Bench: the property import of 2,000 rows vs one CreateProperties call with all of them.

The import does more than forward rows: it parses and checks the file, keeps the rows in
the cache between requests, and sends them in batches of 100 (one CreateProperties and
one audit entry each), as the progress page drives it. This measures what that costs
against the cheapest possible way to create the same rows, in the same run:

    .venv/bin/python bench/property_import.py [--rows 2000] [--rounds 5]

1. Starts the project with the sandbox mounted (bench/_server.py: gunicorn gthread, DEBUG
   on, a temporary SQLite database after migrate and `seed_sandbox --orders 5`) in a
   subprocess on a free loopback port, and sets Django up in this process with the same
   environment (same database, RELAY_API_URL pointing at that sandbox).
2. Builds a 2,000-row CSV the way Excel writes it (UTF-8 with BOM, semicolons, German
   headers), every row valid.
3. Times, interleaved round by round:
   (a) the import path in this process, exactly as the views run it: GetCustomers (to
       check customer ids), parse + validate, keep the job in the cache, confirm, then
       `run_step` with the htmx step budget until done — batched CreateProperties through
       RelayClient to the sandbox over HTTP, each batch audited;
   (b) one CreateProperties call through the same client with the same 2,000 rows.
4. Prints both medians and their ratio. The browser adds one round trip per step on top
   of (a); the server-side work is what is measured here.

Served by gunicorn, as deployed. Under `runserver` (as this bench ran before) each of the
import's 20 calls on a reused connection paid runserver's keep-alive stall, ~60 ms more
per call than gunicorn in an interleaved comparison, while the single call pays it once;
that put the ratio at 1.5-1.7 where gunicorn gives 1.0-1.35 (same machine, same day).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from typing import Any

from _server import ROOT, project_server


def build_csv(rows: int, run: int) -> bytes:
    lines = ["Objektname;Straße;PLZ;Ort;Land;MSC-Nummer;interne ID;externe ID"]
    for i in range(rows):
        lines.append(
            f"Bench {run}-{i:05d};Lindenstraße {i % 200 + 1};{10000 + i % 89999:05d};Berlin;DE;"
            f"MSC-{i:06d};O-{run}-{i};{40000 + i}"
        )
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    with project_server(orders=5, seed=42, debug=True) as server:
        os.environ.update({k: v for k, v in server.env.items() if k != "PATH"})
        os.environ["DJANGO_SETTINGS_MODULE"] = "relaydash.settings"
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        run(args.rows, args.rounds)


def run(rows: int, rounds: int) -> None:
    from django.contrib.auth import get_user_model

    from relaydash.directory import import_jobs, importing
    from relaydash.relay.client import get_client

    client = get_client()
    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"email": "bench@example.com"}
    )

    in_relay = [0.0]
    send = client.create_properties

    def timed_send(*a: Any, **k: Any) -> Any:
        # Time spent waiting for relay (the sandbox) inside the import's batches.
        t = time.perf_counter()
        try:
            return send(*a, **k)
        finally:
            in_relay[0] += time.perf_counter() - t

    def import_path(data: bytes) -> tuple[float, int, int]:
        in_relay[0] = 0.0
        client.create_properties = timed_send  # type: ignore[method-assign]
        started = time.perf_counter()
        known = {c.id for c in client.get_customers() if c.id is not None}
        parsed = importing.parse_import(data, "bench.csv", known_customer_ids=known)
        job = import_jobs.create_job(parsed=parsed, file_name="bench.csv", user_id=user.pk)
        import_jobs.start_job(job)
        steps = 0
        current: import_jobs.ImportJob | None = job
        while current is not None and current.state != "done":
            current = import_jobs.run_step(
                client=client,
                actor=user,
                token=job.token,
                user_id=user.pk,
                casavi_account_id=1,
                seconds=import_jobs.STEP_SECONDS_HTMX,
            )
            steps += 1
        elapsed = time.perf_counter() - started
        client.create_properties = send  # type: ignore[method-assign]
        assert current is not None and current.created == len(parsed.rows) and current.failed == 0, current
        return elapsed, steps, current.calls

    def single_call(data: bytes) -> float:
        items = [row.payload for row in importing.parse_import(data, "bench.csv").rows if row.payload]
        started = time.perf_counter()
        echoed = client.create_properties(items, casavi_account_id=1)
        elapsed = time.perf_counter() - started
        assert len(echoed) == len(items)
        return elapsed

    # Warm-up: imports, connection pool, SQLite pages.
    single_call(build_csv(50, -1))
    import_path(build_csv(50, -2))

    imports: list[float] = []
    singles: list[float] = []
    own: list[float] = []
    for r in range(rounds):
        data_a, data_b = build_csv(rows, 2 * r), build_csv(rows, 2 * r + 1)
        if r % 2 == 0:
            elapsed, steps, calls = import_path(data_a)
            imports.append(elapsed)
            singles.append(single_call(data_b))
        else:
            singles.append(single_call(data_b))
            elapsed, steps, calls = import_path(data_a)
            imports.append(elapsed)
        own.append(imports[-1] - in_relay[0])
        print(
            f"round {r + 1}: import {imports[-1]:.2f} s ({steps} steps, {calls} CreateProperties calls, "
            f"{in_relay[0]:.2f} s of it waiting for relay), single call {singles[-1]:.2f} s"
        )
    median_import, median_single = statistics.median(imports), statistics.median(singles)
    print(f"\n{rows} rows, {rounds} rounds, batches of {import_jobs.BATCH_SIZE}")
    print(f"import path (parse + validate + batched CreateProperties): median {median_import:.2f} s")
    print(f"one CreateProperties call with all rows:                  median {median_single:.2f} s")
    print(f"ratio import / single call: {median_import / median_single:.2f}")
    share = statistics.median(own)
    print(f"relaydash's own share of the import (parse, checks, cache, audit): median {share:.2f} s")


if __name__ == "__main__":
    main()
