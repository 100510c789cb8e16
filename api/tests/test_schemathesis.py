"""The API against its own OpenAPI schema (schemathesis, bounded examples): no server
error, no schema-valid request rejected, no status code the schema does not document.

Operations whose request body is still an untyped object (`Body[dict]`: the schema says
"any object", so schema-valid bodies are mostly nonsense) are spared the "schema-valid
request rejected" check; every typed operation gets it, automatically, once typed."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
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

STRICT = [not_a_server_error, status_code_conformance, content_type_conformance,
          positive_data_acceptance]
# Operations whose schema still admits requests they rightly refuse (a period code or a
# query value the schema types only as "string", a body typed as any object): until their
# schemas say what they accept, every check but "schema-valid request rejected" applies.
# Remove an entry when its schema is typed; a new operation gets every check.
SCHEMA_TOO_LOOSE = {
    ("POST", "/api/v1/reporting/periods"),
    ("GET", "/api/v1/reporting/requests"),
    ("POST", "/api/v1/reporting/reports/{period}/{unit}/values"),
    ("POST", "/api/v1/reporting/reports/{period}/{unit}/submit"),
    ("GET", "/api/v1/registry/convert"),
    ("GET", "/api/v1/registry/activities"),
    ("GET", "/api/v1/progress"),
    ("GET", "/api/v1/dataValueSets"),
    ("POST", "/api/v1/registry/import/{what}"),
    # Typed bodies whose fields name other objects (a place, a sector, an area) by code:
    # the schema cannot list which codes exist, so "0" is schema-valid and rightly refused.
    ("POST", "/api/v1/registry/activities"),
    ("PUT", "/api/v1/registry/enterprises/{enterprise_id}/figures/{year}/{period}"),
    ("POST", "/api/v1/registry/areas"),
    ("POST", "/api/v1/registry/retailers"),
    ("POST", "/api/v1/registry/enterprises"),
    ("POST", "/api/v1/registry/models"),
    ("POST", "/api/v1/registry/st-enterprises"),
}


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
schema = schemathesis.openapi.from_dict(api.get_openapi_schema())


def _untyped_body(raw: dict) -> bool:
    """The request body is declared as any object: nothing to conform to."""
    content = raw.get("requestBody", {}).get("content", {})
    for media in content.values():
        body = media.get("schema", {})
        if body.get("type") == "object" and not body.get("properties"):
            return True
    return False


@schema.parametrize()
@settings(max_examples=6, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, make_user, plan):
    admin = make_user(Role.ADMIN)
    headers = {"Authorization": "Bearer " + token_create(user=admin, name="t", actor=None)[1]}
    loose = (_untyped_body(case.operation.definition.raw)
             or (case.method.upper(), case.path) in SCHEMA_TOO_LOOSE)
    checks = [c for c in STRICT if not (loose and c is positive_data_acceptance)]
    case.call_and_validate(app=application, base_url="http://127.0.0.1", headers=headers,
                           checks=checks)
