"""Debian's Chromium and the switches it runs with here (Playwright cannot download its
own browser on these machines): for the browser tests and the benches that drive it."""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
