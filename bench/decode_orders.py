"""Bench: decoding a large GetOrders body into typed records vs plain json.loads.

GetOrders returns every order with its comments, and relay offers no paging, so the
order list page decodes the whole body on every load. The client decodes it with a
msgspec Decoder into immutable records (typed, tolerant); this checks that the typing
costs little over the cheapest possible parse, json.loads into dicts.

    .venv/bin/python bench/decode_orders.py [--orders 5000] [--runs 7]

Builds a deterministic body (each order with an address, ~3 fields, ~2 attachments,
~3 comments with attachments, ~2 contact persons), then times both decoders on the same
bytes, interleaved, best of N runs (time.perf_counter). Target: records ≤ 1.5× json.loads.

It times the client's own reading of a GetOrders body (`read_orders`): the fast path, and
(reported, no target) the record-by-record path a relay forces when every order's
`taskId` arrives as a number instead of the reference's string.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from relaydash.relay.client import read_orders  # noqa: E402

TARGET_RATIO = 1.5
STREETS = ["Hauptstraße", "Bahnhofstraße", "Gartenweg", "Lindenallee", "Schillerstraße", "Am Markt"]
CITIES = [("10115", "Berlin"), ("20095", "Hamburg"), ("80331", "München"), ("50667", "Köln")]
TITLES = ["Heizung defekt", "Wasserschaden Keller", "Zählerablesung", "Treppenhausreinigung", "Aufzug"]
STATUSES = ["OPEN", "IN_PROGRESS", "FINISHED", "DECLINED", "PREPARE", "NULL"]
WORDS = ["bitte", "Termin", "Mieter", "Wohnung", "Schlüssel", "Hausmeister", "morgen", "erledigt", "Foto"]


def moment(rng: random.Random) -> str:
    month, day, hour, minute = rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59)
    return f"2026-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:00Z"


def attachment(rng: random.Random) -> dict[str, object]:
    kind = rng.choice(["pdf", "jpg", "png"])
    return {"name": f"dokument-{rng.randint(1, 99999)}.{kind}", "itemType": kind, "updatedAt": moment(rng)}


def order(rng: random.Random, order_id: int) -> dict[str, object]:
    postal, city = rng.choice(CITIES)
    return {
        "id": order_id,
        "title": f"{rng.choice(TITLES)} {order_id}",
        "status": rng.choice(STATUSES),
        "address": {
            "id": order_id + 100_000,
            "streetAddress": f"{rng.choice(STREETS)} {rng.randint(1, 200)}",
            "postalCode": postal,
            "locality": city,
            "country": "DE",
            "additionalInfo": rng.choice([None, "Hinterhaus", "3. OG links"]),
            "accountId": 1,
        },
        "dueDate": rng.choice([moment(rng), "2026-12-24", None]),
        "followUpDate": rng.choice([moment(rng), None]),
        "createdAt": moment(rng),
        "updatedAt": moment(rng),
        "internalId": f"A-{order_id:06d}",
        "isInternal": rng.random() < 0.1,
        "type": rng.choice(["REPAIR", "MAINTENANCE", "READING"]),
        "taskId": f"T{rng.randint(1000, 9999)}",
        "fields": [
            {
                "id": order_id * 10 + i,
                "position": i,
                "name": f"Feld {i}",
                "content": " ".join(rng.sample(WORDS, 3)),
            }
            for i in range(rng.randint(2, 4))
        ],
        "attachments": [attachment(rng) for _ in range(rng.randint(1, 3))],
        "comments": [
            {
                "id": order_id * 100 + i,
                "text": " ".join(rng.choices(WORDS, k=rng.randint(8, 40))),
                "orderId": order_id,
                "author": rng.choice(["Eva Meier", "Jonas Weber", "HV Nord GmbH"]),
                "attachments": [attachment(rng) for _ in range(rng.randint(0, 2))],
                "createdAt": moment(rng),
            }
            for i in range(rng.randint(2, 4))
        ],
        "contactPersons": [
            {
                "type": rng.choice(["TENANT", "OWNER", "CARETAKER"]),
                "name": f"Person {order_id}-{i}",
                "id": order_id * 10 + i,
                "telephone": f"+49 30 {rng.randint(1000000, 9999999)}",
                "mobile": rng.choice([None, f"+49 170 {rng.randint(1000000, 9999999)}"]),
                "emailAddress": f"person{order_id}.{i}@example.org",
            }
            for i in range(rng.randint(1, 3))
        ],
        "customerId": rng.randint(1, 50),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    rng = random.Random(20261128)
    body = json.dumps([order(rng, 1000 + n) for n in range(args.orders)], ensure_ascii=False).encode()

    decoded = read_orders(body)
    assert len(decoded) == args.orders and decoded[0].comments and decoded[0].address is not None
    numeric = json.loads(body)
    for item in numeric:
        item["taskId"] = int(item["taskId"].lstrip("T"))
    tolerant_body = json.dumps(numeric, ensure_ascii=False).encode()
    tolerant = read_orders(tolerant_body)
    assert len(tolerant) == args.orders and not tolerant.skipped and tolerant[0].task_id.isdigit()

    records_times: list[float] = []
    json_times: list[float] = []
    tolerant_times: list[float] = []
    for _ in range(args.runs):  # interleaved, so drift affects all alike
        gc.collect()
        started = time.perf_counter()
        read_orders(body)
        records_times.append(time.perf_counter() - started)
        gc.collect()
        started = time.perf_counter()
        json.loads(body)
        json_times.append(time.perf_counter() - started)
        gc.collect()
        started = time.perf_counter()
        read_orders(tolerant_body)
        tolerant_times.append(time.perf_counter() - started)

    best_records, best_json = min(records_times), min(json_times)
    ratio = best_records / best_json
    print(f"body: {args.orders} orders, {len(body) / 1e6:.1f} MB; best of {args.runs} runs")
    print(f"msgspec into records : {best_records * 1000:8.1f} ms")
    print(f"json.loads into dicts: {best_json * 1000:8.1f} ms")
    print(f"ratio records/json   : {ratio:8.2f}x (target <= {TARGET_RATIO}x)")
    best_tolerant = min(tolerant_times)
    print(f"records, every taskId a number (field by field): {best_tolerant * 1000:8.1f} ms")
    print(f"ratio that/json      : {best_tolerant / best_json:8.2f}x (reported)")
    verdict = "OK" if ratio <= TARGET_RATIO else "TOO SLOW"
    print(f"verdict: {verdict}: typed decoding costs {ratio:.2f}x plain json.loads")


if __name__ == "__main__":
    main()
