"""Bench: the field worker's journey on a phone over a bad connection (issue 14).

A field worker on site, already signed in, on a 360 px phone over slow 3G, closes an
order with a note and a photo:

    open the app → "Heute fällig" → the order → "In Bearbeitung"
    → type a note → take a photo (12 megapixels, ~2.8 MB) → send → "Erledigt"

    .venv/bin/python bench/field_journey.py [--start-url /] [--relay-latency-ms 30]

What it does: serves the project with gunicorn against its own seeded sandbox on a
temporary database (bench/_server.py), signs a field worker in (a session made in the
same database, as the SSO login leaves it), and runs the journey in Chromium (Debian's,
through Playwright) at 360 × 800 px with Chromium's own network conditions (400 ms round
trip, 51,200 bytes/s down and up) and the CPU slowed 4×. The photo is made up by
tests/photos.py: a 12-megapixel JPEG with EXIF Orientation 6, as a phone writes it.

Between Chromium and the server sits a small loopback TCP relay that counts the bytes
each way, so "uploaded" and "received" are what crossed the emulated connection (request
and answer headers included).

Prints one line per step (the interaction, seconds from the tap until its result is
shown, bytes up and down) and the totals. Every step is one interaction; a step the
start page makes unnecessary is skipped and not counted: with `--start-url` pointing at a
page that already lists the order (the field staff's "My day"), the "Heute fällig" tap
is left out. Everything runs on loopback and stops by itself.

It runs the journey twice, each in a fresh browser (nothing cached) on another order:
first the baseline, the journey as it was before photos were made small ("Fotos in
voller Größe senden" ticked before the photo, not timed, not counted), then as built,
and prints the ratios (`--no-baseline`: only as built). The verdict is against
issue 14's target (at most 6 interactions and 15 s); exit status 1 when it is not met.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _server import ROOT, free_port, project_server, run_manage
from detail_page import start_proxy
from playwright.sync_api import Browser, Page, expect, sync_playwright

sys.path.insert(0, str(ROOT))

from tests.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.photos import phone_photo

LATENCY_MS = 400
THROUGHPUT = 51_200  # bytes per second, down and up: slow 3G
CPU_SLOWDOWN = 4
PHONE = {"width": 360, "height": 800}
STEP_TIMEOUT_MS = 240_000
TARGET_INTERACTIONS = 6
TARGET_SECONDS = 15.0
NOTE = "Rauchmelder geprüft und getauscht. Foto anbei."

# Open orders due today (Berlin's day), the ones a field worker would close now.
PICK_SNIPPET = """
import datetime as dt
from zoneinfo import ZoneInfo
from relaydash.sandbox.models import Order
berlin = ZoneInfo("Europe/Berlin")
today = dt.datetime.now(berlin).date()
start = dt.datetime.combine(today, dt.time(), berlin)
rows = Order.objects.filter(status="OPEN", due_date__gte=start, due_date__lt=start + dt.timedelta(days=1))
print(" ".join(str(i) for i in rows.order_by("id").values_list("id", flat=True)))
"""


class CountingRelay:
    """A loopback TCP relay in front of the server that counts the bytes each way."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.port = free_port()
        self.up = 0
        self.down = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def counts(self) -> tuple[int, int]:
        with self._lock:
            return self.up, self.down

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.upstream_port))
            for source, target, upward in ((client, server, True), (server, client, False)):
                threading.Thread(target=self._pipe, args=(source, target, upward), daemon=True).start()

    def _pipe(self, source: socket.socket, target: socket.socket, upward: bool) -> None:
        try:
            while chunk := source.recv(65536):
                with self._lock:
                    if upward:
                        self.up += len(chunk)
                    else:
                        self.down += len(chunk)
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._listener.close()


@dataclass
class Step:
    name: str
    seconds: float
    up: int
    down: int


class Journey:
    """Runs the steps one after the other and keeps what each cost."""

    def __init__(self, relay: CountingRelay) -> None:
        self.relay = relay
        self.steps: list[Step] = []
        self.skipped: list[str] = []
        self.order_id = 0

    @property
    def total(self) -> float:
        return sum(s.seconds for s in self.steps)

    @property
    def up(self) -> int:
        return sum(s.up for s in self.steps)

    @property
    def down(self) -> int:
        return sum(s.down for s in self.steps)

    def summary(self) -> None:
        print(
            f"  total: {len(self.steps)} interactions, {self.total:.1f} s; "
            f"uploaded {kb(self.up)}, received {kb(self.down)}"
        )

    def step(self, name: str, action: Callable[[], None]) -> None:
        up, down = self.relay.counts()
        start = time.perf_counter()
        action()
        seconds = time.perf_counter() - start
        up_after, down_after = self.relay.counts()
        up, down = up_after - up, down_after - down
        self.steps.append(Step(name, seconds, up, down))
        print(f"  {len(self.steps)}. {name:<34} {seconds:6.1f} s  ↑ {kb(up):>9}  ↓ {kb(down):>9}")

    def skip(self, name: str, why: str) -> None:
        self.skipped.append(name)
        print(f"  -  {name:<34} skipped: {why}")


def kb(count: int) -> str:
    return f"{count / 1000:,.1f} kB"


def slow_phone(page: Page) -> None:
    """Chromium's own throttling: slow 3G both ways and a mid-range phone's CPU."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": LATENCY_MS,
            "downloadThroughput": THROUGHPUT,
            "uploadThroughput": THROUGHPUT,
        },
    )
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})


def order_link(page: Page, order_ids: list[int]) -> tuple[int, str] | None:
    """The first of the open due-today orders the page links to: (id, its link's selector)."""
    for order_id in order_ids:
        selector = f'main a[href$="/orders/{order_id}/"]'
        if page.locator(selector).count():
            return order_id, selector
    return None


def run_journey(
    page: Page, journey: Journey, start_url: str, *, order_ids: list[int], photo: Path, originals: bool
) -> None:

    def open_app() -> None:
        page.goto(start_url, wait_until="load")
        expect(page.locator("main")).to_be_visible()

    journey.step("open the app", open_app)

    due_today = page.get_by_role("link", name=re.compile(r"^Heute fällig"))
    found = order_link(page, order_ids)
    if found is None and due_today.count():

        def tap_due_today() -> None:
            due_today.first.click()
            expect(due_today.first).to_have_attribute("aria-current", "page")
            page.wait_for_load_state("load")

        journey.step("Heute fällig", tap_due_today)
        found = order_link(page, order_ids)
    else:
        journey.skip("Heute fällig", "the start page already lists the order")
    if found is None:
        raise SystemExit("no open order due today is listed: seed more orders (--orders)")
    order_id, selector = found
    journey.order_id = order_id

    def open_order() -> None:
        page.locator(selector).first.click()
        page.wait_for_url(re.compile(rf"/orders/{order_id}/"))
        page.wait_for_load_state("load")
        expect(page.locator("#order-head-status")).to_be_visible()

    journey.step(f"the order ({order_id})", open_order)

    def set_status(label: str) -> Callable[[], None]:
        def tap() -> None:
            page.get_by_role("button", name=label, exact=True).click()
            expect(page.locator("#order-head-status")).to_have_text(label, timeout=STEP_TIMEOUT_MS)

        return tap

    journey.step("In Bearbeitung", set_status("In Bearbeitung"))

    box = page.locator("#comment-form textarea")
    journey.step("type a note", lambda: box.fill(NOTE))

    if originals:
        # The journey as it was before photos were made small: not timed, not counted.
        page.get_by_label("Fotos in voller Größe senden (Originale)").check()

    def take_photo() -> None:
        page.locator("[data-camera-input]").set_input_files(photo)
        expect(page.locator("[data-file-list] li")).to_have_count(1)
        # A photo still being prepared for sending marks the list busy.
        expect(page.locator("[data-file-list][aria-busy=true]")).to_have_count(0, timeout=STEP_TIMEOUT_MS)

    journey.step("take a photo", take_photo)

    def send() -> None:
        page.locator("#comment-form button[type=submit]").first.click()
        newest = page.locator("#comment-list > li").first
        expect(newest).to_contain_text(NOTE, timeout=STEP_TIMEOUT_MS)

    journey.step("send", send)
    journey.step("Erledigt", set_status("Erledigt"))


def journey_in_new_browser(
    browser: Browser, relay: CountingRelay, cookie: str, args: argparse.Namespace, **journey: Any
) -> Journey:
    """One journey in a fresh browser context (nothing cached, as on the first open of the day)."""
    context = browser.new_context(
        viewport=PHONE, locale="de-DE", timezone_id="Europe/Berlin", is_mobile=True, has_touch=True
    )
    context.add_cookies([{"name": "sessionid", "value": cookie, "url": relay.url}])
    context.set_default_timeout(STEP_TIMEOUT_MS)
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and print(f"  [console error] {message.text}"))
    page.on("pageerror", lambda error: print(f"  [page error] {error}"))
    if not args.no_throttle:
        slow_phone(page)
    start_url = args.start_url if "://" in args.start_url else relay.url + args.start_url
    steps = Journey(relay)
    run_journey(page, steps, start_url, **journey)
    context.close()
    return steps


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--start-url", default="/", help="where the app opens (default /)")
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--relay-latency-ms", type=float, default=30.0, help="relay round trip (default 30)")
    parser.add_argument("--headed", action="store_true", help="show the browser window")
    parser.add_argument(
        "--no-throttle", action="store_true", help="full speed (to check the steps, not to measure)"
    )
    parser.add_argument(
        "--no-baseline",
        action="store_true",
        help='only the journey as built (no "send originals" run first)',
    )
    args = parser.parse_args()

    # Static files as production serves them (whitenoise, DEBUG off): collected first.
    run_manage(
        {**os.environ, "DEBUG": "true", "SECRET_KEY": "bench-only-secret"},
        "collectstatic",
        "--noinput",
        "--verbosity=0",
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    relay_api = start_proxy(base, args.relay_latency_ms) if args.relay_latency_ms else base
    runs = (
        [("as built", False)]
        if args.no_baseline
        else [("baseline: send originals", True), ("as built", False)]
    )
    results: list[tuple[str, Journey]] = []
    with (
        tempfile.TemporaryDirectory(prefix="relaydash-journey-") as tmp,
        project_server(
            orders=args.orders, seed=11, port=port, extra_env={"RELAY_API_URL": f"{relay_api}/sandbox/api/v1"}
        ) as server,
    ):
        print(server.seeded)
        order_ids = [int(i) for i in server.run_manage("shell", "--no-imports", "-c", PICK_SNIPPET).split()]
        if len(order_ids) < len(runs):
            raise SystemExit("too few open orders due today: seed more orders (--orders)")
        photo = Path(tmp) / "IMG_20261202_091512.jpg"
        photo.write_bytes(phone_photo())
        cookie = server.signed_in_cookie("field")
        relay = CountingRelay(port)
        network = (
            "NOT THROTTLED (checking the steps only)"
            if args.no_throttle
            else f"{LATENCY_MS} ms round trip, {THROUGHPUT:,} B/s down and up, CPU {CPU_SLOWDOWN}× slower"
        )
        print(
            f"phone {PHONE['width']} px, {network}, relay latency {args.relay_latency_ms:g} ms; "
            f"photo {photo.stat().st_size:,} bytes; start {args.start_url}"
        )
        expect.set_options(timeout=STEP_TIMEOUT_MS)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=not args.headed
            )
            for label, originals in runs:
                print(f"{label}:")
                journey = journey_in_new_browser(
                    browser, relay, cookie, args, order_ids=order_ids, photo=photo, originals=originals
                )
                journey.summary()
                order_ids = [i for i in order_ids if i != journey.order_id]
                results.append((label, journey))
            browser.close()
        relay.close()

    built = results[-1][1]
    if len(results) > 1:
        baseline = results[0][1]
        print(
            f"as built / baseline: {built.total / baseline.total:.2f} of the time, "
            f"{built.up / baseline.up:.2f} of the bytes uploaded"
        )
    met = len(built.steps) <= TARGET_INTERACTIONS and built.total <= TARGET_SECONDS
    verdict = "met" if met else "NOT MET"
    print(f"target ≤ {TARGET_INTERACTIONS} interactions and ≤ {TARGET_SECONDS:g} s (as built): {verdict}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
