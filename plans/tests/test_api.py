"""The plan's REST endpoints."""

from __future__ import annotations

import pytest

from accounts.models import Role


@pytest.fixture
def api(client, make_user):
    client.force_login(make_user(Role.VIEWER, "ubnd-quang-ninh"))
    return client


def test_plan_needs_authentication(client, plan):
    response = client.get("/api/v1/plan")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_plan_lists_40_tasks_with_assignee_codes(api, plan):
    data = api.get("/api/v1/plan").json()
    assert len(data["tasks"]) == 40
    assert {t["ref"]: t["lead"] for t in data["tasks"]}["IV.9.1"] == ["sgtvt"]


def test_responsible_before_and_after_the_merger(api, plan):
    url = "/api/v1/plan/tasks/IV.9.1/responsible"
    before = api.get(url, {"on": "2024-05-01"}).json()
    after = api.get(url, {"on": "2025-05-01"}).json()
    assert [u["code"] for u in before["lead"]] == ["sgtvt"]
    assert [u["code"] for u in after["lead"]] == ["sxd"]


@pytest.mark.parametrize(("url", "status"), [
    ("/api/v1/plan/tasks/IV.99.1/responsible", 404),
    ("/api/v1/plan/tasks/IV.9.1/responsible?on=not-a-date", 422),
    ("/api/v1/plan/tasks/IV.9.1/responsible?on=2025-02-30", 422),
])
def test_bad_requests_are_4xx_json(api, plan, url, status):
    response = api.get(url)
    assert response.status_code == status
    assert "detail" in response.json()


def test_openapi_schema_is_served(client, plan):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/plan" in response.json()["paths"]


def test_the_plan_leaves_the_units_to_their_paged_list(api, plan):
    """At national scale the units were a megabyte of the plan's answer."""
    data = api.get("/api/v1/plan").json()
    assert "org_units" not in data
    units = api.get(data["org_units_url"], {"page_size": 5}).json()
    assert units["count"] > 5 and len(units["results"]) == 5
