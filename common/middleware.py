"""Vietnamese first: the interface language comes from the user's explicit choice (the
language cookie set by the switcher), never from the browser's Accept-Language, so an
English-language browser on a government PC still opens in Vietnamese."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class IgnoreAcceptLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class BusyDatabaseMiddleware:
    """A page whose database was busy (a long write elsewhere held the lock) answers 503
    with a plain "the system is busy, try again" instead of a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception
                          ) -> HttpResponse | None:
        from common.db import is_busy

        if not is_busy(exception):
            return None
        return busy_response(request)


def busy_response(request: HttpRequest) -> HttpResponse:
    """503 "busy, try again": JSON for the API, a page otherwise."""
    from django.http import JsonResponse
    from django.template.loader import render_to_string
    from django.utils.translation import gettext as _

    message = _("The system is busy: try again in a moment.")
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message}, status=503)
    else:
        response = HttpResponse(render_to_string("common/busy.html", {"message": message},
                                                 request=request), status=503)
    response["Retry-After"] = "5"
    return response
