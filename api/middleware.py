"""Every answer under the API's prefix is JSON: Django's own 404 (no such path), 403 and
405 (ninja's "method not allowed") become `{"detail": ...}` like the API's handlers give."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def _detail(status: int, response: HttpResponse) -> str:
    if status == 404:
        return _("Not found: there is no such address in the API.")
    if status == 405:
        return _("This address does not accept the method used; it accepts: %(allowed)s.") % {
            "allowed": response.get("Allow", "")}
    return _("You may not do this.")


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (request.path.startswith(API_PREFIX) and response.status_code in {403, 404, 405}
                and not response.get("Content-Type", "").startswith("application/json")):
            answer = JsonResponse({"detail": _detail(response.status_code, response)},
                                  status=response.status_code)
            if response.has_header("Allow"):
                answer["Allow"] = response["Allow"]
            return answer
        return response
