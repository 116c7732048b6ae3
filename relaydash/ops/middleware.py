"""Request ids and the load balancer's probes, ahead of everything else in MIDDLEWARE.

RequestIdMiddleware (first): every request gets an id: the proxy's `X-Request-ID` when it
sent a sane one (so one id follows a request through proxy and app), else a new random one.
It is on every log line of the request (relaydash.ops.logs) and sent back as the
`X-Request-ID` response header, which gunicorn's access log reads.

ProbeMiddleware (second): answers /healthz and /readyz itself, before SecurityMiddleware
and CommonMiddleware. A load balancer probes by IP address or an internal name, which
ALLOWED_HOSTS would refuse (400), and over plain HTTP, which SECURE_SSL_REDIRECT would
redirect; and a probe needs no session. The paths are also in urls.py (`ops:healthz`,
`ops:readyz`, login-exempt) so they resolve and reverse like every other page.

HtmlCompressionMiddleware (below WhiteNoise): gzip for pages; see its docstring.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.gzip import GZipMiddleware

from relaydash.ops import views
from relaydash.ops.logs import RequestContext, current_request

REQUEST_ID_HEADER = "X-Request-ID"
# Letters, digits and a few separators, up to 128 characters: what proxies generate
# (UUIDs, hex, nginx's $request_id); anything else could forge log lines or fill them.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

Handler = Callable[[HttpRequest], HttpResponseBase]


def request_id_for(incoming: str | None) -> str:
    """The proxy's request id if it is sane, else a new one."""
    if incoming and _SANE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = request_id_for(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        # Left set until the response is closed (relaydash.ops.apps): Django logs 4xx and
        # 5xx answers ("Not Found: /x") after the middleware has returned.
        current_request.set(RequestContext(request_id=request_id, request=request))
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


PROBES: dict[str, Handler] = {"/healthz": views.healthz, "/readyz": views.readyz}


class ProbeMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        probe = PROBES.get(request.path_info)
        if probe is None:
            return self.get_response(request)
        response = probe(request)
        if request.method == "HEAD" and isinstance(response, HttpResponse):
            response.content = b""  # the status says it all; a HEAD answer has no body
        return response


class HtmlCompressionMiddleware(GZipMiddleware):
    """Django's GZipMiddleware for HTML pages only.

    Pages are large tables a phone on a weak signal waits for, so they are compressed.
    Static files are not this middleware's business (collectstatic stores gzip and brotli
    copies that WhiteNoise serves, above this in MIDDLEWARE); JSON and CSV are left alone
    too: the sandbox answers as relay does (uncompressed), so tests and benchmarks see
    relay's bytes, and a CSV export streams to Excel as it is produced.

    BREACH: compressing a page that holds a secret (the CSRF token) next to text an
    attacker may influence (relay's order texts, a search term echoed in the page) lets
    an attacker who can make a victim's browser send requests and can watch the response
    sizes guess the secret byte by byte. It is blunted here in depth: Django masks the
    CSRF token anew on every response (the secret never repeats byte for byte), this
    middleware adds random-length padding to every compressed response (Django's "Heal
    the Breach" mitigation), the session cookie is never in a body, and the session cookie
    is SameSite=Lax (Django's default), so the requests a cross-site script can time
    (fetch, images) carry no session and get the login page, not a signed-in page.
    """

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)
