"""The "Route" link: today's stops, in the person's order, in the phone's maps app."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final
from urllib.parse import urlencode

# Google Maps' documented cross-platform directions URL: it opens the maps app on
# Android and iOS (or the website) and starts from where the phone is.
ROUTE_BASE: Final = "https://www.google.com/maps/dir/"
# Google Maps takes at most this many stops between start and destination.
MAX_WAYPOINTS: Final = 9


def route_url(*, addresses: Sequence[str]) -> str:
    """Directions through `addresses` in order, from the phone's position; "" for none.
    More stops than the app takes: the route covers the first ones (the rest follow
    when those are done and the page is opened again)."""
    stops = [a for a in addresses if a][: MAX_WAYPOINTS + 1]
    if not stops:
        return ""
    params = {"api": "1", "destination": stops[-1], "travelmode": "driving"}
    if len(stops) > 1:
        params["waypoints"] = "|".join(stops[:-1])
    return f"{ROUTE_BASE}?{urlencode(params)}"
