"""Every write of the API declares what it takes and what it answers, so the OpenAPI
schema describes it (no body typed as "any object", no answer without a schema)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from api.api import ERROR_DESCRIPTIONS, api

WRITES = {"post", "put", "patch", "delete"}


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _described(schema: dict[str, Any], components: dict[str, Any]) -> bool:
    """A schema that says something: properties, items, or a union of such."""
    schema = _resolve(schema, components)
    if schema.get("type") == "array":
        return _described(schema.get("items", {}), components)
    if "anyOf" in schema:
        return all(_described(s, components) for s in schema["anyOf"]
                   if s.get("type") != "null")
    return bool(schema.get("properties"))


def test_every_write_has_a_typed_request_and_a_typed_answer():
    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    untyped = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method not in WRITES:
                continue
            for media in operation.get("requestBody", {}).get("content", {}).values():
                if not _described(media["schema"], components):
                    untyped.append(f"{method.upper()} {path} request")
            answers = [r for code, r in operation["responses"].items() if code.startswith("2")]
            for answer in answers:
                body = answer.get("content", {}).get("application/json", {}).get("schema")
                if body is None or not _described(body, components):
                    untyped.append(f"{method.upper()} {path} answer")
    assert untyped == []


def test_conflicts_with_the_stored_data_are_documented_on_every_write():
    schema = api.get_openapi_schema()
    for item in schema["paths"].values():
        for method, operation in item.items():
            if method in WRITES:
                assert "409" in operation["responses"]
    described = schema["paths"]["/api/v1/registry/areas"]["post"]["responses"]["409"]
    assert described["description"] == gettext(ERROR_DESCRIPTIONS["409"])
    assert "conflicts with the data stored now" in ERROR_DESCRIPTIONS["409"]
