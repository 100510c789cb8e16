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

