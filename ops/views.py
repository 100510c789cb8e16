"""The health endpoint, for the proxy's and the monitoring's checks: no sign-in."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from ops.selectors import system_health


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    report = system_health()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)
