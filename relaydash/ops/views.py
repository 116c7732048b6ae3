"""The load balancer's and the monitoring's probes (served early by ProbeMiddleware)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from relaydash.ops.checks import order_sync_facts, readiness


@never_cache
@login_not_required
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """The process answers: no database, no cache, no relay, no session, any Host."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
@login_not_required
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Every part relaydash depends on, by name; 503 naming the failing ones."""
    checks = readiness()
    failing = [name for name, ok in checks.items() if not ok]
    body = {
        "status": "failing" if failing else "ok",
        "failing": failing,
        "checks": {name: "ok" if ok else "failing" for name, ok in checks.items()},
        "order_sync": order_sync_facts(),
    }
    return JsonResponse(body, status=503 if failing else 200)
