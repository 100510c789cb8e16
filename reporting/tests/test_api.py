"""The REST API: the whole cycle, and garbage answered with 4xx JSON naming the field,
with nothing stored."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Role
from accounts.services import token_create
from reporting.models import (
    ConflictCopy,
    DataValue,
    Period,
    ReportRequest,
    ReportState,
    TaskAnswer,
)
from reporting.services import _parse_payload, period_open
from reporting.tests.conftest import complete_payload, report_of

BASE = "/api/v1/reporting"


class Api:
    def __init__(self, client, user):
        self.client = client
        self.auth = {"HTTP_AUTHORIZATION": "Bearer " + token_create(user=user, name="t",
                                                                    actor=None)[1]}

    def get(self, path):
        return self.client.get(BASE + path, **self.auth)

    def post(self, path, body=None, raw=None):
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.post(BASE + path, data, content_type="application/json", **self.auth)


@pytest.fixture
def api_reporter(client, make_user):
    return Api(client, make_user(Role.REPORTER, "sct"))


@pytest.fixture
def api_coordinator(client, make_user):
    return Api(client, make_user(Role.COORDINATOR, "sct"))


def test_full_cycle_through_the_api(plan, api_reporter, api_coordinator):
    assert api_coordinator.post("/periods", {"code": "2022s1"}).status_code == 201
    mine = api_reporter.get("/requests?period=2022S1").json()["results"]
    assert [r["unit"] for r in mine] == ["sct"]
    report = api_reporter.get("/reports/2022S1/sct").json()
    assert report["state"] == "draft" and report["version"] == 1
    assert {v["code"] for v in report["values"]} >= {"supermarkets-total", "iv-1-1-budget-spent"}
    assert [t["ref"] for t in report["tasks"]][:2] == ["IV.1.1", "IV.1.2"]
    values, answers = complete_payload(report_of(ReportRequest.objects.get(
        org_unit__code="sct").period, "sct"))
    saved = api_reporter.post("/reports/2022S1/sct/values",
                              {"version": 1, "values": values, "tasks": answers})
    assert saved.status_code == 200, saved.content
    body = saved.json()
    assert body["version"] == 2 and not [i for i in body["issues"] if i["blocking"]]
    submitted = api_reporter.post("/reports/2022S1/sct/submit", {"version": 2})
    assert submitted.json()["state"] == "submitted"
    returned = api_coordinator.post("/reports/2022S1/sct/return", {"reason": "Bổ sung IV.1.3"})
    assert returned.json()["state"] == "returned"
    assert returned.json()["return_reason"] == "Bổ sung IV.1.3"
    version = returned.json()["version"]
    api_reporter.post("/reports/2022S1/sct/values",
                      {"version": version, "tasks": {"IV.1.3": {"results": "Đã bổ sung"}}})
    resubmitted = api_reporter.post("/reports/2022S1/sct/submit", {})
    assert resubmitted.json()["state"] == "submitted"
    accepted = api_coordinator.post("/reports/2022S1/sct/accept")
    assert accepted.json()["state"] == "accepted"
    locked = api_reporter.post("/reports/2022S1/sct/values",
                               {"version": accepted.json()["version"],
                                "values": {"supermarkets-total": 1}})
    # the request is well formed; the report's state refuses it
    assert locked.status_code == 409 and "state" in locked.json()["errors"]
    history = api_coordinator.get("/reports/2022S1/sct/history").json()["results"]
    assert [h["action"] for h in history][:3] == ["report.accept", "report.resubmit",
                                                  "report.save"]
    rates = api_coordinator.get("/completeness/2022S1").json()
    sct = next(u for u in rates["results"] if u["unit"] == "sct")
    assert sct["state"] == "accepted" and sct["status"] in ("late", "on_time")


def test_a_stale_version_is_409_and_kept(plan, api_reporter, api_coordinator):
    period_open(plan=plan, code="2022S1", actor=None, notify=False)
    api_coordinator.post("/reports/2022S1/sct/values",
                         {"version": 1, "values": {"supermarkets-total": 20}})
    stale = api_reporter.post("/reports/2022S1/sct/values",
                              {"version": 1, "values": {"supermarkets-total": 30}})
    assert stale.status_code == 409 and "detail" in stale.json()
    assert ConflictCopy.objects.filter(request__org_unit__code="sct").count() == 1
    assert DataValue.objects.get(request__org_unit__code="sct").value == "20"


@pytest.mark.parametrize(("path", "body", "status", "field"), [
    ("/reports/2099S1/sct/values", {"version": 1}, 404, None),
    ("/reports/2022S1/khong-co/values", {"version": 1}, 404, None),
    ("/reports/2022S1/sct/values", {"version": 1, "values": {"nope": 1}}, 422, "values.nope"),
    ("/reports/2022S1/sct/values", {"version": 1, "tasks": {"IV.99.1": {"status": "completed"}}},
     422, "tasks.IV.99.1"),
    ("/reports/2022S1/sct/values", {"version": 1, "tasks": {"IV.1.1": {"status": "done"}}},
     422, "tasks.IV.1.1.status"),
    ("/reports/2022S1/sct/values", {"version": 1, "tasks": {"IV.1.1": "done"}}, 422,
     "tasks.IV.1.1"),
    ("/reports/2022S1/sct/values", {"version": 1, "tasks": {"IV.1.1": {"colour": "red"}}}, 422,
     "tasks.IV.1.1"),
    ("/reports/2022S1/sct/values", {"version": 1, "values": {"supermarkets-total": "mười"}},
     422, "values.supermarkets-total"),
    ("/reports/2022S1/sct/values", {"version": 1, "values": {"supermarkets-total": -1}},
     422, "values.supermarkets-total"),
    ("/reports/2022S1/sct/values", {"version": 1, "values": {"supermarkets-total": 1.5}},
     422, "values.supermarkets-total"),
    ("/reports/2022S1/sct/values", {"version": 1, "values": {"supermarkets-total": [1]}},
     422, "values.supermarkets-total"),
    ("/reports/2022S1/sct/values", {"version": 1, "values": {"supermarkets-total": {"v": 1}}},
     422, "values.supermarkets-total"),
    ("/reports/2022S1/sct/values", {"version": 1, "values": {"supermarkets-total": 10 ** 30}},
     422, "values.supermarkets-total"),
    ("/reports/2022S1/sct/values", {"version": 1, "values": {
        "iv-1-1-yearly-plan-issued": "perhaps"}}, 422, "values.iv-1-1-yearly-plan-issued"),
    ("/reports/2022S1/sct/values", {"version": "one"}, 422, "version"),
    ("/reports/2022S1/sct/values", {"values": {}}, 422, "version"),
    ("/reports/2022S1/sct/values", {"version": 1, "values": "all of them"}, 422, "values"),
    ("/reports/2022S1/sct/values", [1, 2, 3], 422, None),
    # what blocks a submission, or a workflow step, is the stored report: a conflict
    ("/reports/2022S1/sct/submit", {"version": 1}, 409, "values.supermarkets-total"),
    ("/reports/2022S1/sct/submit", {"version": "x"}, 422, "version"),
    ("/reports/2022S1/sct/accept", {}, 409, "state"),
    ("/reports/2022S1/sct/return", {}, 422, "reason"),
    ("/reports/2022S1/sct/return", {"reason": ["x"]}, 422, "reason"),
    ("/reports/2022S1/sct/reopen", {"reason": "x"}, 409, "state"),
    ("/periods", {"code": "2022S2"}, 422, "period"),
    ("/periods", {"code": None}, 422, "code"),
    ("/periods", {}, 422, "code"),
])
def test_garbage_is_refused_naming_the_field_and_nothing_is_stored(
        plan, api_coordinator, path, body, status, field):
    period_open(plan=plan, code="2022S1", actor=None, notify=False)
    before = (DataValue.objects.count(), list(ReportRequest.objects.values_list("version",
                                                                                "state")))
    response = api_coordinator.post(path, body)
    assert response.status_code == status, response.content
    payload = response.json()
    assert "detail" in payload
    if field:
        assert field in payload["errors"], payload
    after = (DataValue.objects.count(), list(ReportRequest.objects.values_list("version",
                                                                               "state")))
    assert after == before


@pytest.mark.parametrize(("raw", "status", "field"), [
    ("", 422, "__all__"), ("{", 400, None), ("null", 422, "version"),
    ("\"text\"", 422, "version"), ("{\"version\": 1e400}", 422, "version"),
    ("{\"version\": 1, \"values\": {\"supermarkets-total\": NaN}}", 422,
     "values.supermarkets-total"),
    ("{\"version\": 1}\x00", 400, None)])
def test_unparseable_bodies_are_refused(plan, api_coordinator, raw, status, field):
    """A body that is not JSON is a 400; JSON of the wrong shape a 422 naming the field."""
    period_open(plan=plan, code="2022S1", actor=None, notify=False)
    response = api_coordinator.post("/reports/2022S1/sct/values", raw=raw)
    assert response.status_code == status, (raw, response.content)
    body = response.json()
    assert body["detail"]
    if field is not None:
        assert list(body["errors"]) == [field]
    assert not DataValue.objects.exists()


def test_unknown_filters(plan, api_coordinator):
    period_open(plan=plan, code="2022S1", actor=None, notify=False)
    assert api_coordinator.get("/requests?period=1999").status_code == 404
    bad_state = api_coordinator.get("/requests?state=lost")
    assert bad_state.status_code == 422 and "state" in bad_state.json()["errors"]
    assert api_coordinator.get("/completeness/2099").status_code == 404
    assert api_coordinator.get("/requests?unit=sct").json()["results"][0]["unit"] == "sct"


def test_openapi_schema_lists_the_reporting_operations(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = set(schema["paths"])
    assert "/api/v1/reporting/reports/{period}/{unit}/values" in paths
    assert "/api/v1/reporting/completeness/{period}" in paths


def test_the_completeness_endpoint_in_few_queries(plan, api_coordinator,
                                                  django_assert_max_num_queries):
    period_open(plan=plan, code="2022S1", actor=None, notify=False)
    api_coordinator.get("/completeness")  # the token's first use is noted once, not per call
    with django_assert_max_num_queries(6):
        response = api_coordinator.get("/completeness/2022S1?page_size=200")
    assert response.json()["count"] == 37  # 24 agencies, 13 district-level units
    assert len(response.json()["results"]) == 37
    state = {u["state"] for u in response.json()["results"]}
    assert state == {ReportState.DRAFT}


@pytest.mark.parametrize("body", [
    {"version": 10 ** 30, "values": {"supermarkets-total": 1}},
    {"version": -1, "values": {"supermarkets-total": 1}},
    {"version": True, "values": {"supermarkets-total": 1}},
])
def test_absurd_versions_are_422(plan, api_coordinator, body):
    period_open(plan=plan, code="2022S1", actor=None, notify=False)
    response = api_coordinator.post("/reports/2022S1/sct/values", body)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["version"]
    assert not DataValue.objects.exists()


def test_nul_characters_never_reach_the_database(plan, api_coordinator, api_reporter):
    period_open(plan=plan, code="2022S1", actor=None, notify=False)
    saved = api_reporter.post("/reports/2022S1/sct/values", {
        "version": 1, "values": {"supermarkets-total": {"value": 5, "comment": "a\u0000b"},
                                 "zones-total": "1\u00002"},
        "tasks": {"IV.1.1": {"results": "x\u0000y"}}})
    assert saved.status_code == 422 and "values.zones-total" in saved.json()["errors"]
    saved = api_reporter.post("/reports/2022S1/sct/values", {
        "version": 1, "values": {"supermarkets-total": {"value": 5, "comment": "a\u0000b"}},
        "tasks": {"IV.1.1": {"results": "x\u0000y"}}})
    assert saved.status_code == 200
    body = saved.json()
    assert next(v for v in body["values"] if v["code"] == "supermarkets-total")["comment"] == "ab"
    stale = api_coordinator.post("/reports/2022S1/sct/values", {
        "version": 1, "values": {"supermarkets-total": {"value": "\u0000", "comment": "\u0000"}}})
    # a stale save is checked before its changes are kept as a conflict copy
    assert stale.status_code == 422 and "values.supermarkets-total" in stale.json()["errors"]
    assert not ConflictCopy.objects.exists()
    assert api_coordinator.get("/reports/2022S1/s%00ct").status_code == 404
    assert api_coordinator.get("/reports/2022%00S1/sct").status_code == 404
    assert api_coordinator.get("/requests?unit=s%00ct").status_code == 422
    returned = api_coordinator.post("/reports/2022S1/sct/return", {"reason": "\u0000"})
    assert returned.status_code == 422


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(st.characters(exclude_categories=()), max_size=30),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8),
                                                                      children, max_size=3),
    max_leaves=8)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(values=st.dictionaries(st.sampled_from(["supermarkets-total", "zones-total",
                                               "iv-1-1-yearly-plan-issued", "nope"]),
                              json_values, max_size=3),
       tasks=st.dictionaries(st.sampled_from(["IV.1.1", "IV.1.2", "X"]), json_values,
                             max_size=2))
def test_any_answers_are_saved_or_refused_naming_each_field(plan, api_reporter, values,
                                                            tasks):
    """Whatever the values and task answers, with the current version: 200 and stored
    when the report's own checks accept them, else 422 naming exactly the fields they
    refuse, nothing stored. Never a 500, never a conflict."""
    if not Period.objects.filter(code="2022S1").exists():
        period_open(plan=plan, code="2022S1", actor=None, notify=False)
    report = ReportRequest.objects.select_related("period", "org_unit").get(
        period__code="2022S1", org_unit__code="sct")
    sent = json.loads(json.dumps({"values": values, "tasks": tasks}))  # as the server reads it
    try:
        _parse_payload(report, sent["values"], sent["tasks"], "machine")
        refused: set[str] = set()
    except ValidationError as exc:
        refused = set(exc.message_dict)
    response = api_reporter.post("/reports/2022S1/sct/values", {
        "version": report.version, "values": values, "tasks": tasks})
    after = ReportRequest.objects.get(pk=report.pk).version
    if refused:
        assert response.status_code == 422, response.content
        assert set(response.json()["errors"]) == refused
        assert after == report.version
    else:
        assert response.status_code == 200, response.content
        assert response.json()["version"] == after


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(version=st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
       | st.lists(st.integers(), max_size=2)
       | st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
def test_any_version_is_saved_refused_or_a_conflict(plan, api_reporter, version):
    """The version decides alone: not a whole number (1 or 1.0) from 0 to 2³¹-1 → 422 on
    `version`; the current one → 200; another → 409 with the refused change kept."""
    if not Period.objects.filter(code="2022S1").exists():
        period_open(plan=plan, code="2022S1", actor=None, notify=False)
    current = ReportRequest.objects.get(period__code="2022S1", org_unit__code="sct").version
    response = api_reporter.post("/reports/2022S1/sct/values", {
        "version": version, "values": {"supermarkets-total": {"comment": str(current)}}})
    # JSON Schema's integer: 1.0 is the whole number 1 (what schemathesis sends as one)
    whole = (isinstance(version, int) and not isinstance(version, bool)) or (
        isinstance(version, float) and version.is_integer())
    if not whole or not 0 <= version <= 2**31 - 1:
        assert response.status_code == 422, response.content
        assert list(response.json()["errors"]) == ["version"]
    elif version == current:
        assert response.status_code == 200, response.content
    else:
        assert response.status_code == 409, response.content


def test_lone_surrogates_are_replaced_not_a_500(plan, api_reporter):
    period_open(plan=plan, code="2022S1", actor=None, notify=False)
    raw = ('{"version": 1, "values": {"supermarkets-total": {"value": 1, "comment": "a\\udcffb"}},'
           ' "tasks": {"IV.1.1": {"results": "\\ud800"}}}')
    response = api_reporter.post("/reports/2022S1/sct/values", raw=raw)
    assert response.status_code == 200, response.content
    stored = DataValue.objects.get(request__period__code="2022S1", request__org_unit__code="sct")
    answer = TaskAnswer.objects.get(request=stored.request, task__ref="IV.1.1")
    assert (stored.comment, answer.results) == ("a?b", "?")  # lone surrogates replaced
