"""The API's documentation in the reader's language (Vietnamese unless the request asks
for English): the OpenAPI document's texts go through gettext when it is served, and the
Swagger UI page carries the Vietnamese of Swagger UI's own labels for `swagger-vi.js`.

Texts are written in English in the code and marked for the catalogue where they are
written (`gettext_noop` for summaries, descriptions and tags; each app's
`SCHEMA_TITLES` for the names of its schemas). What pydantic and django-ninja generate
themselves is handled here: a field's title is only its name in English title case, so
it is dropped (Swagger UI shows the field's name); the answers' HTTP reasons are marked
below."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext, gettext_noop, override, pgettext_lazy
from ninja import Swagger

# What django-ninja writes itself: the reason of each declared answer as its description,
# and the title of an answer that is not a named schema
GENERATED_TEXTS = [
    gettext_noop("Response"), gettext_noop("OK"), gettext_noop("Created"),
    gettext_noop("No Content"), gettext_noop("Bad Request"), gettext_noop("Unauthorized"),
    gettext_noop("Forbidden"), gettext_noop("Not Found"), gettext_noop("Conflict"),
    gettext_noop("Content Too Large"), gettext_noop("Unprocessable Entity"),
    gettext_noop("Service Unavailable"),
]

# Swagger UI's own labels (it has no translations of its own), as Swagger UI writes them
# in English, in their own context so that they keep their own Vietnamese.
# swagger-vi.js swaps them.
SWAGGER_LABELS = [
    pgettext_lazy("Swagger UI", "Try it out"), pgettext_lazy("Swagger UI", "Cancel"),
    pgettext_lazy("Swagger UI", "Execute"), pgettext_lazy("Swagger UI", "Clear"),
    pgettext_lazy("Swagger UI", "Parameters"), pgettext_lazy("Swagger UI", "No parameters"),
    pgettext_lazy("Swagger UI", "Name"), pgettext_lazy("Swagger UI", "Description"),
    pgettext_lazy("Swagger UI", "Responses"), pgettext_lazy("Swagger UI", "Code"),
    pgettext_lazy("Swagger UI", "Links"), pgettext_lazy("Swagger UI", "No links"),
    pgettext_lazy("Swagger UI", "Request body"), pgettext_lazy("Swagger UI", "Response body"),
    pgettext_lazy("Swagger UI", "Response headers"), pgettext_lazy("Swagger UI", "Request URL"),
    pgettext_lazy("Swagger UI", "Server response"), pgettext_lazy("Swagger UI", "Curl"),
    pgettext_lazy("Swagger UI", "Details"), pgettext_lazy("Swagger UI", "Example Value"),
    pgettext_lazy("Swagger UI", "Example Description"), pgettext_lazy("Swagger UI", "Schema"),
    pgettext_lazy("Swagger UI", "Schemas"), pgettext_lazy("Swagger UI", "Media type"),
    pgettext_lazy("Swagger UI", "Controls"), pgettext_lazy("Swagger UI", "header."),
    pgettext_lazy("Swagger UI", "Authorize"),
    pgettext_lazy("Swagger UI", "Available authorizations"),
    pgettext_lazy("Swagger UI", "Authorized"), pgettext_lazy("Swagger UI", "Close"),
    pgettext_lazy("Swagger UI", "Logout"), pgettext_lazy("Swagger UI", "Value:"),
    pgettext_lazy("Swagger UI", "Download"), pgettext_lazy("Swagger UI", "Download file"),
    pgettext_lazy("Swagger UI", "Expand all"), pgettext_lazy("Swagger UI", "Collapse all"),
    pgettext_lazy("Swagger UI", "Send empty value"), pgettext_lazy("Swagger UI", "Filter by tag"),
    pgettext_lazy("Swagger UI", "required"), pgettext_lazy("Swagger UI", "deprecated"),
    pgettext_lazy("Swagger UI", "Failed to fetch"), pgettext_lazy("Swagger UI", "Reset"),
    pgettext_lazy("Swagger UI", "Servers"), pgettext_lazy("Swagger UI", "Callbacks"),
    pgettext_lazy("Swagger UI", "No callbacks"),
    pgettext_lazy("Swagger UI", "Parameter content type"),
    pgettext_lazy("Swagger UI", "Response content type"),
    pgettext_lazy("Swagger UI", "Request duration"),
    pgettext_lazy("Swagger UI", "Copy to clipboard"),
    pgettext_lazy("Swagger UI", "Expand operation"),
    pgettext_lazy("Swagger UI", "Collapse operation"), pgettext_lazy("Swagger UI", "Headers:"),
    pgettext_lazy("Swagger UI", "Example"), pgettext_lazy("Swagger UI", "Examples"),
    pgettext_lazy("Swagger UI", "Extensions"), pgettext_lazy("Swagger UI", "Field"),
    pgettext_lazy("Swagger UI", "Value"), pgettext_lazy("Swagger UI", "Hide"),
    pgettext_lazy("Swagger UI", "Show"), pgettext_lazy("Swagger UI", "Default"),
    pgettext_lazy("Swagger UI", "Undocumented"),
    pgettext_lazy("Swagger UI", "Required field is not provided"),
    pgettext_lazy("Swagger UI", "Value must be a number"),
    pgettext_lazy("Swagger UI", "Value must be an integer"),
    pgettext_lazy("Swagger UI", "Please correct the following validation errors and try again."),
]

_TEXT_KEYS = ("summary", "description", "title")


def _text(value: Any) -> Any:
    if isinstance(value, Promise):
        return str(value)
    return gettext(value) if isinstance(value, str) and value else value


def _generated_title(name: str) -> str:
    """The title pydantic gives a field (or django-ninja a parameter) from its name."""
    return name.title().replace("_", " ")


def _translate(node: Any, titles: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_translate(item, titles) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "title" and isinstance(value, str) and value in titles:
            out[key] = _text(titles[value])  # a schema's name (pydantic's title)
        elif key in _TEXT_KEYS and isinstance(value, str | Promise):
            out[key] = _text(value)
        elif key == "tags" and isinstance(value, list):
            out[key] = [_text(t) if isinstance(t, str | Promise) else _translate(t, titles)
                        for t in value]
        elif key == "properties" and isinstance(value, dict):
            out[key] = {name: _translate(_untitled(prop, name), titles)
                        for name, prop in value.items()}
        elif key == "parameters" and isinstance(value, list):
            out[key] = [_translate({**p, "schema": _untitled(p.get("schema"), p.get("name"))}
                                   if isinstance(p, dict) and "schema" in p else p, titles)
                        for p in value]
        else:
            out[key] = _translate(value, titles)
    return out


def _untitled(schema: Any, name: Any) -> Any:
    if (isinstance(schema, dict) and isinstance(name, str)
            and schema.get("title") == _generated_title(name)):
        return {k: v for k, v in schema.items() if k != "title"}
    return schema


def schema_translate(schema: dict[str, Any], *, titles: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI document with its summaries, descriptions, titles and tags in the
    active language; `titles` names the schemas (component name → marked English)."""
    return _translate(schema, titles)


def swagger_labels() -> dict[str, str]:
    """Swagger UI's labels, English → the active language."""
    with override("en"):
        english = [str(label) for label in SWAGGER_LABELS]
    return dict(zip(english, (str(label) for label in SWAGGER_LABELS), strict=True))


class VietnameseSwagger(Swagger):
    """django-ninja's Swagger UI page, served from its own static files (no CDN), in the
    active language: the page's title and language, and Swagger UI's labels."""

    template = "api/swagger.html"

    def render_page(self, request: HttpRequest, api: Any, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        return render(request, self.template, {
            "swagger_settings": self.settings,
            "swagger_labels": swagger_labels(),
            "api_title": gettext(api.title), "language": get_language(),
            # the session is accepted (api.auth.auth), so the page sends the CSRF token
            "add_csrf": True,
        })
