"""Middleware of the running system: request context for logs, the request-body cap, and
a busy database answered with 503 instead of a 500."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from ops.logging import request_context

log = logging.getLogger("scp.request")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def error_response(request: HttpRequest, *, status: int, message: str) -> HttpResponse:
    """One error answer: JSON for the API, a page for people."""
    if is_api(request):
        return JsonResponse({"detail": message}, status=status)
    return render(request, "ops/error.html", {"message": message, "status": status},
                  status=status)


class RequestContextMiddleware:
    """Gives each request an id (nginx's X-Request-ID if sane, else a new one), puts it with
    the user and unit into every log record, echoes it in the response, and writes one
    access line per request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        context = {"request_id": request_id, "user": "-", "unit": "-"}
        token = request_context.set(context)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            # A token-authenticated API call sets the user only inside the view.
            context_user_note(request)
            response["X-Request-ID"] = request_id
            log.info("%s %s %s", request.method, request.path, response.status_code,
                     extra={"method": request.method, "path": request.path,
                            "status": response.status_code,
                            "duration_ms": round((time.monotonic() - started) * 1000)})
            return response
        finally:
            request_context.reset(token)

    def process_view(self, request: HttpRequest, *args, **kwargs) -> None:
        # A call with a token: its user is noted after the view, which authenticates it;
        # reading the session's user now would cost two queries for nothing.
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            context_user_note(request)


def context_user_note(request: HttpRequest) -> None:
    """Put the request's user and unit into the log context, once known (a token
    authenticates only inside the API view)."""
    context = request_context.get()
    user = getattr(request, "user", None)
    if context is not None and user is not None and user.is_authenticated:
        context["user"] = user.get_username()
        unit = getattr(user, "org_unit", None)
        context["unit"] = unit.code if unit is not None else "-"


class RequestSizeLimitMiddleware:
    """Refuses a request whose declared body is larger than allowed, from its
    Content-Length alone: nothing of the body is read. (Django reads a body only up to its
    Content-Length, so a body without one is read as empty.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error_response(request, status=400,
                                  message=_("The request's Content-Length is not a number."))
        upload = request.content_type == "multipart/form-data"
        limit = settings.SCP_MAX_UPLOAD_BYTES if upload else settings.SCP_MAX_BODY_BYTES
        if length > limit:
            log.warning("body of %d bytes refused (limit %d)", length, limit)
            message = (_("The file is too large: at most %(limit)s can be uploaded.") if upload
                       else _("The request is too large: at most %(limit)s are accepted."))
            return error_response(request, status=413,
                                  message=message % {"limit": filesizeformat(limit)})
        return self.get_response(request)


class DatabaseBusyMiddleware:
    """A locked or unreachable database is a moment's wait, not a fault: answer 503 with
    Retry-After and a message, and log it with the request's context."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError):
            return None
        log.warning("database busy or unavailable: %s", exception, exc_info=exception)
        response = error_response(
            request, status=503,
            message=_("The database is busy. Please try again in a moment."))
        response["Retry-After"] = "5"
        return response
