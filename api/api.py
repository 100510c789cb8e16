"""The REST API (django-ninja): one NinjaAPI, each app's router mounted under /api/v1/.
Service exceptions become 4xx JSON answers with the fields at fault named."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError
from django.http import Http404, HttpRequest
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from api.auth import auth
from api.docs import VietnameseSwagger, schema_translate
from api.messages import schema_error_message
from common.exceptions import ConflictError, refused_by_state
from ops.logging import request_context
from ops.middleware import context_user_note

log = logging.getLogger("scp.api")

ERROR_DESCRIPTIONS = {
    "400": gettext_noop("The body cannot be read (not JSON, or a malformed upload)."),
    "401": gettext_noop("Not signed in, or the token is not valid."),
    "403": gettext_noop("The user may not do this."),
    "404": gettext_noop("No such object; for a read, also a query naming what nothing "
                        "stored matches (an unknown period, unit or data set): `errors` "
                        "names it."),
    "409": gettext_noop("The request is well formed but conflicts with the data stored now: "
                        "someone else changed the same data meanwhile (a stale version), or "
                        "a field names what nothing stored matches, a code another entry "
                        "holds, a period outside the loaded plan, a report not in a state "
                        "that allows it: `errors` names each field."),
    "413": gettext_noop("The request body is larger than the server accepts "
                        "(SCP_MAX_BODY_KB, SCP_MAX_UPLOAD_MB)."),
    "422": gettext_noop("The request is not valid: `errors` names each field at fault."),
    "503": gettext_noop("The database is busy: try again in a moment."),
}
_ERROR_SCHEMA = {"type": "object", "properties": {
    "detail": {"type": "string"},
    "errors": {"type": "object", "additionalProperties": {"type": "array",
                                                            "items": {"type": "string"}}}},
    "required": ["detail"]}


class DocumentedApi(NinjaAPI):
    """The API whose OpenAPI schema lists, for every operation, the errors it can answer
    (from the exception handlers below): 401 where a sign-in is needed, 403, 404, 422 and
    503 everywhere, 409 on writes. Operations that declare their own keep them. Its texts
    are in the request's language (`api.docs`); `schema_titles` names the schemas."""

    schema_titles: dict[str, Any] = {}

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        for item in schema.get("paths", {}).values():
            for method, operation in item.items():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                # django-ninja keys responses by number; JSON keys are text
                operation["responses"] = {str(k): v for k, v in
                                          operation["responses"].items()}
                codes = ["403", "404", "422", "503"]
                if operation.get("security"):
                    codes.append("401")
                if method in {"post", "put", "patch", "delete"}:
                    codes.append("409")
                if "requestBody" in operation:  # a body that is not JSON or form data,
                    codes += ["400", "413"]     # or one too large (ops.middleware)
                for code in sorted(codes):
                    operation["responses"].setdefault(code, {
                        "description": ERROR_DESCRIPTIONS[code],
                        "content": {"application/json": {"schema": _ERROR_SCHEMA}}})
        return schema_translate(schema, titles=self.schema_titles)


api = DocumentedApi(
    title=gettext_noop("SCP Monitor API"),
    version="1",
    description=gettext_noop("Plan 141/KH-UBND: the plan, the reporting cycle, the "
                             "registries, progress and data exchange."),
    auth=auth,
    urls_namespace="api",
    # no validator badge: Swagger UI would fetch it from validator.swagger.io
    docs=VietnameseSwagger(settings={"validatorUrl": None}),
)


def _validation_errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for e in errs for m in e.messages] for field, errs in
                exc.error_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError):
    """422 for input wrong whatever is stored; input refused only because of the stored
    data (common.exceptions.STATE) is a 409 conflict for a write, a 404 for a read."""
    if refused_by_state(exc):
        status = 404 if request.method in ("GET", "HEAD") else 409
        detail = _("The request conflicts with the data stored now.") if status == 409 \
            else _("Nothing stored matches the request.")
    else:
        status, detail = 422, _("The data is not valid.")
    return api.create_response(
        request, {"detail": detail, "errors": _validation_errors(exc)}, status=status)


@api.exception_handler(NinjaValidationError)
def on_schema_error(request: HttpRequest, exc: NinjaValidationError):
    errors: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload")]
        errors.setdefault(".".join(loc) or "__all__", []).append(schema_error_message(err))
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


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError):
    # django-ninja's own refusals, in English, said in the user's language: a body that is
    # not JSON, a signed-in page's write without its CSRF token
    detail = str(exc)
    if exc.status_code == 400:
        detail = _("The request body is not valid JSON.")
    elif detail == "CSRF check Failed":
        detail = _("The page's security token is missing or out of date: reload the page.")
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


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


@api.exception_handler(IntegrityError)
def on_integrity_error(request: HttpRequest, exc: IntegrityError):
    # a write that raced another to the same unique value (the services check first)
    return api.create_response(request, {"detail": _(
        "Someone else saved the same data meanwhile: reload and try again.")}, status=409)


@api.exception_handler(OperationalError)
def on_database_busy(request: HttpRequest, exc: OperationalError):
    raise exc  # answered by ops.middleware.DatabaseBusyMiddleware, as for pages


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception):
    """Any other fault: logged with its traceback and the request's context; the caller
    gets JSON with the request id to quote, never a traceback, in any settings."""
    context_user_note(request)
    log.error("unexpected error in %s %s", request.method, request.path, exc_info=exc)
    context = request_context.get() or {}
    response = api.create_response(
        request, {"detail": _("An unexpected error occurred; it has been logged "
                              "(reference %(id)s).") % {"id": context.get("request_id", "-")}},
        status=500)
    # logged above with its context; Django would log the 500 again without it
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def _mount() -> None:
    """Each app's router under its prefix, and the names it gives its schemas."""
    from importlib import import_module

    for prefix, app in [("/orgunits", "orgunits"), ("/plan", "plans"),
                        ("/reporting", "reporting"), ("/registry", "registry"),
                        ("/progress", "progress"), ("", "exchange")]:
        module = import_module(f"{app}.api")
        api.add_router(prefix, module.router)
        api.schema_titles.update(getattr(module, "SCHEMA_TITLES", {}))


_mount()
