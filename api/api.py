"""The REST API (django-ninja): one NinjaAPI, each app's router mounted under /api/v1/.
Service exceptions become 4xx JSON answers with the fields at fault named."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from api.auth import auth
from common.exceptions import ConflictError

api = NinjaAPI(
    title="SCP Monitor API",
    version="1",
    description="Plan 141/KH-UBND: plan, reporting cycle, registries.",
    auth=auth,
    urls_namespace="api",
)


def _validation_errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for e in errs for m in e.messages] for field, errs in
                exc.error_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError):
    return api.create_response(
        request, {"detail": _("The data is not valid."), "errors": _validation_errors(exc)},
        status=422,
    )


@api.exception_handler(NinjaValidationError)
def on_schema_error(request: HttpRequest, exc: NinjaValidationError):
    errors: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload")]
        errors.setdefault(".".join(loc) or "__all__", []).append(str(err.get("msg", "")))
    return api.create_response(
        request, {"detail": _("The data is not valid."), "errors": errors}, status=422
    )


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied):
    return api.create_response(
        request, {"detail": str(exc) or _("You may not do this.")}, status=403
    )


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError):
    return api.create_response(request, {"detail": _("Sign in or send a valid token.")},
                               status=401)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404):
    return api.create_response(request, {"detail": str(exc) or _("Not found.")}, status=404)


@api.exception_handler(MultiPartParserError)
def on_bad_multipart(request: HttpRequest, exc: MultiPartParserError):
    return api.create_response(
        request, {"detail": _("The uploaded form data could not be read: %(error)s")
                  % {"error": exc}}, status=400,
    )


@api.exception_handler(ConflictError)
def on_conflict(request: HttpRequest, exc: ConflictError):
    return api.create_response(request, {"detail": exc.message}, status=409)


def _mount() -> None:
    from exchange.api import router as exchange_router
    from orgunits.api import router as orgunits_router
    from plans.api import router as plans_router
    from progress.api import router as progress_router
    from registry.api import router as registry_router
    from reporting.api import router as reporting_router

    api.add_router("/orgunits", orgunits_router)
    api.add_router("/plan", plans_router)
    api.add_router("/reporting", reporting_router)
    api.add_router("/registry", registry_router)
    api.add_router("/progress", progress_router)
    api.add_router("", exchange_router)


_mount()
