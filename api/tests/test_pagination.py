"""Every API list pages the one way (api.pagination): bounded pages, documented, and read in
a number of queries that does not grow with the list."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.services import token_create
from api.api import api
from api.pagination import MAX_PAGE_SIZE
from reporting.services import period_open

pytestmark = pytest.mark.django_db


def test_no_operation_answers_a_bare_list_and_every_page_is_bounded():
    schema = api.get_openapi_schema()
    paged = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            ok = operation["responses"].get("200", {}).get("content", {})
            body = ok.get("application/json", {}).get("schema", {})
            assert body.get("type") != "array", f"{method.upper()} {path} answers a bare list"
            params = {p["name"]: p["schema"] for p in operation.get("parameters", [])}
            if "page_size" in params:
                paged.append(path)
                assert params["page_size"]["maximum"] == MAX_PAGE_SIZE, path
                assert params["page"]["minimum"] == 1, path
    # the lists that grow with the province: requests, completeness, units, registries
    for path in ["/api/v1/reporting/requests", "/api/v1/reporting/completeness/{period}",
                 "/api/v1/reporting/reports/{period}/{unit}/history", "/api/v1/orgunits",
                 "/api/v1/registry/enterprises", "/api/v1/registry/by-place/{registry}",
                 "/api/v1/reporting/periods", "/api/v1/registry/activities"]:
        assert path in paged, path


@pytest.fixture
def bearer(make_user):
    raw = token_create(user=make_user("coordinator", "sct"), name="t", actor=None)[1]
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _get(client, bearer, url, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params, **bearer)
    assert response.status_code == 200, response.content
    return response.json(), len(queries)


def test_a_page_is_bounded_and_costs_the_same_queries_however_long_the_list(
        client, bearer, plan):
    period_open(plan=plan, code="2022S1", actor=None, notify=False)
    client.get("/api/v1/reporting/periods", **bearer)  # the token's first use is noted once
    small, small_queries = _get(client, bearer, "/api/v1/reporting/requests", {"page_size": 10})
    small_period, small_period_queries = _get(
        client, bearer, "/api/v1/reporting/completeness/2022S1", {"page_size": 10})
    period_open(plan=plan, code="2022", actor=None, notify=False)
    period_open(plan=plan, code="2023S1", actor=None, notify=False)
    large, large_queries = _get(client, bearer, "/api/v1/reporting/requests", {"page_size": 10})
    assert large["count"] == 3 * small["count"] > 10
    assert len(small["results"]) == len(large["results"]) == 10
    assert large["pages"] == -(-large["count"] // 10)
    assert large_queries == small_queries
    large_period, large_period_queries = _get(
        client, bearer, "/api/v1/reporting/completeness/2022S1", {"page_size": 10})
    assert large_period_queries == small_period_queries
    assert large_period["count"] == small_period["count"] > 10
    assert len(large_period["results"]) == 10 and large_period["rates"]["total"] > 10


def test_the_page_size_is_capped_and_a_page_past_the_end_is_the_last(client, bearer, plan):
    period_open(plan=plan, code="2022S1", actor=None, notify=False)
    too_many = client.get("/api/v1/reporting/requests", {"page_size": MAX_PAGE_SIZE + 1},
                          **bearer)
    assert too_many.status_code == 422 and "page_size" in too_many.json()["errors"]
    assert client.get("/api/v1/orgunits", {"page": 0}, **bearer).status_code == 422
    last = client.get("/api/v1/reporting/requests", {"page_size": 10, "page": 999},
                      **bearer).json()
    assert last["page"] == last["pages"] and 0 < len(last["results"]) <= 10
