"""The API against its own OpenAPI schema (schemathesis, bounded examples): no server
error, no schema-valid request rejected, no status code the schema does not document, on
every operation, with every check.

What the schema calls valid is valid: formats, patterns, enums and bounds say what a
request must be; a well-formed request refused only because of what is stored (a code
naming nothing stored, a value another entry holds, a report in the wrong state) is a
409 conflict for a write and a 404 for a read, which schemathesis counts as accepting
schema-valid data. Two rules JSON Schema cannot state are stated beside it, and taught
to the generator here: the format `tax-code` (a check digit) and `x-after` (a closing
day after an opening day)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    status_code_conformance,
)

from accounts.models import Role
from accounts.services import token_create
from api.api import api
from config.wsgi import application
from registry.checks import TAX_CODE_FORMAT, tax_code_check_digit

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          positive_data_acceptance]


def _tax_code(first_nine: int, branch: int) -> str | None:
    digits = f"{first_nine:09d}"
    check = tax_code_check_digit(digits)
    if check is None:
        return None
    return f"{digits}{check}" + (f"-{branch:03d}" if branch else "")


schemathesis.openapi.format(TAX_CODE_FORMAT, st.builds(
    _tax_code, st.integers(0, 10**9 - 1), st.integers(0, 999)).filter(bool))


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Requests through the WSGI application end with close_old_connections, which on
    PostgreSQL (CONN_MAX_AGE=0) would close the connection holding the test's transaction;
    Django's own test client disconnects it the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# The schema as the API serves it at /api/v1/openapi.json (built without the database).
RAW = api.get_openapi_schema()
schema = schemathesis.openapi.from_dict(api.get_openapi_schema())


def _body_schema(operation: dict[str, Any]) -> dict[str, Any]:
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    found = body.get("schema", {})
    if "$ref" in found:
        found = RAW["components"]["schemas"][found["$ref"].rsplit("/", 1)[1]]
    return found


def _day(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _dates_in_order(case: Any) -> None:
    """A date the schema marks `x-after` other dates of the body comes after the latest
    of them that is given (JSON Schema cannot compare two fields)."""
    if not isinstance(case.body, dict):
        return
    for key, prop in _body_schema(case.operation.definition.raw).get("properties", {}).items():
        after = next((p["x-after"] for p in [prop, *prop.get("anyOf", [])] if "x-after" in p),
                     [])
        day = _day(case.body.get(key))
        earlier = [d for d in (_day(case.body.get(k)) for k in after) if d is not None]
        if day is not None and earlier and day <= max(earlier) < dt.date.max:
            case.body[key] = (max(earlier) + dt.timedelta(days=1)).isoformat()


@schema.parametrize()
@settings(max_examples=6, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, make_user, plan):
    admin = make_user(Role.ADMIN)
    headers = {"Authorization": "Bearer " + token_create(user=admin, name="t", actor=None)[1]}
    _dates_in_order(case)
    case.call_and_validate(app=application, base_url="http://127.0.0.1", headers=headers,
                           checks=CHECKS)
