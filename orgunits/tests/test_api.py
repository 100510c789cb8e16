"""The orgunits REST router: units active on a day, and one unit with its history."""

from __future__ import annotations

import pytest
from ninja import NinjaAPI
from ninja.testing import TestClient

from orgunits.api import router
from orgunits.tests.helpers import load_reference

pytestmark = pytest.mark.django_db

# Mounted the way api/api.py mounts it (without the project's authentication).
test_api = NinjaAPI(urls_namespace="orgunits-api-test")
test_api.add_router("/orgunits", router)


@pytest.fixture
def client() -> TestClient:
    load_reference()
    return TestClient(test_api)


def test_list_on_a_day_filtered_by_kind(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = client.get("/orgunits?on=2025-07-01&kind=ward&kind=special_zone")
    assert response.status_code == 200
    body = response.json()["results"]
    assert len(body) == 32
    assert {u["kind"] for u in body} == {"ward", "special_zone"}
    assert body[0]["kind"] == "ward" and body[-1]["kind"] == "special_zone"
    ha_tu = next(u for u in body if u["code"] == "p-ha-tu")
    assert ha_tu == {
        "code": "p-ha-tu", "name": "Phường Hà Tu", "name_en": "Ha Tu Ward",
        "short_name": "", "kind": "ward", "parent": "quang-ninh",
        "valid_from": "2025-07-01", "valid_to": None, "official_code": "06652",
        "uncertain": True,
    }


def test_list_district_level_on_plan_day(client):
    body = client.get("/orgunits?on=2020-08-06&kind=city&kind=town&kind=district").json()
    assert body["count"] == len(body["results"]) == 13


def test_list_rejects_unknown_kind_and_bad_date(client):
    assert client.get("/orgunits?kind=planet").status_code == 422
    assert client.get("/orgunits?on=2025-13-45").status_code == 422


def test_detail_with_history(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = client.get("/orgunits/tp-dong-trieu")
    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "city" and body["valid_from"] == "2024-11-01"
    assert [p["code"] for p in body["predecessors"]] == ["tx-dong-trieu"]
    assert body["predecessors"][0]["date"] == "2024-11-01"
    assert {s["code"] for s in body["successors"]} == {
        "p-mao-khe", "p-binh-khe", "p-an-sinh", "p-dong-trieu", "p-hoang-que"
    }


def test_detail_unknown_code_is_404(client):
    assert client.get("/orgunits/no-such-unit").status_code == 404


def test_openapi_schema_builds():
    schema = test_api.get_openapi_schema(path_prefix="")
    assert {"/orgunits", "/orgunits/{code}"} <= set(schema["paths"])
    assert schema["paths"]["/orgunits"]["get"]["tags"] == ["Organisation units"]
