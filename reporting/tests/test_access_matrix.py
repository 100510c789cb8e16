"""The access rules, walked in full: role × operation × own/other unit × report state,
through the pages and through the API. Each answer is asserted, and a refused write
leaves the report as it was."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from accounts.services import token_create
from reporting.models import DataValue, ReportRequest, ReportState
from reporting.services import period_open, report_accept, report_save, report_submit
from reporting.tests.conftest import complete_payload, report_of

ROLES = ["anonymous", "admin", "coordinator", "reporter_own", "reporter_other", "viewer"]
STATES = [ReportState.DRAFT, ReportState.SUBMITTED, ReportState.ACCEPTED]
REPORT_OPS = ["view", "history", "save", "submit", "accept", "return", "reopen"]

# What each operation needs: None = reading, else the state it acts on.
ACTS_ON = {"save": {ReportState.DRAFT}, "submit": {ReportState.DRAFT},
           "accept": {ReportState.SUBMITTED}, "return": {ReportState.SUBMITTED},
           "reopen": {ReportState.ACCEPTED}}
WRITE_OPS = {"save", "submit"}
REVIEW_OPS = {"accept", "return", "reopen"}


def expected(role: str, state: str, op: str, api: bool) -> int:
    """The HTTP status the rules demand."""
    if role == "anonymous":
        return 401 if api else 302
    coordinator = role in ("admin", "coordinator")
    sees = coordinator or role == "reporter_own" or (
        role == "viewer" and state == ReportState.ACCEPTED)
    if not sees:
        return 403
    if op in ("view", "history"):
        return 200
    allowed = coordinator or (role == "reporter_own" and op in WRITE_OPS)
    if not allowed:
        return 403
    if state not in ACTS_ON[op]:
        # the report's state refuses a well-formed request: a conflict for the API
        return 409 if api else 422
    return 200 if api else 302


@pytest.fixture
def world(plan, make_user):
    period, _ = period_open(plan=plan, code="2022S1", actor=None, notify=False)
    users = {
        "admin": make_user(Role.ADMIN),
        "coordinator": make_user(Role.COORDINATOR, "sct"),
        "reporter_own": make_user(Role.REPORTER, "sct"),
        "reporter_other": make_user(Role.REPORTER, "tp-ha-long"),
        "viewer": make_user(Role.VIEWER, "ubnd-quang-ninh"),
    }
    return period, users


def _prepare(period, state: str) -> ReportRequest:
    report = report_of(period, "sct")
    values, answers = complete_payload(report)
    report = report_save(report=report, actor=None, version=1, values=values, answers=answers)
    if state != ReportState.DRAFT:
        report = report_submit(report=report, actor=None)
    if state == ReportState.ACCEPTED:
        report = report_accept(report=report, actor=None, notify=False)
    return report


def _web_call(client: Client, report: ReportRequest, op: str):
    args = [report.period.code, report.org_unit.code]
    if op == "view":
        return client.get(reverse("reporting:report", args=args))
    if op == "history":
        return client.get(reverse("reporting:history", args=args))
    if op in WRITE_OPS:
        return client.post(reverse("reporting:report", args=args), {
            "version": str(report.version), "action": op, "v:supermarkets-total": "77"})
    return client.post(reverse(f"reporting:{op}", args=args), {"reason": "Kiểm tra lại"})


def _api_call(client: Client, report: ReportRequest, op: str, token: str | None):
    base = f"/api/v1/reporting/reports/{report.period.code}/{report.org_unit.code}"
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if op == "view":
        return client.get(base, **headers)
    if op == "history":
        return client.get(f"{base}/history", **headers)
    if op == "save":
        return client.post(f"{base}/values", {"version": report.version,
                                              "values": {"supermarkets-total": 77}},
                           content_type="application/json", **headers)
    body = {"reason": "Kiểm tra lại"} if op in ("return", "reopen") else {}
    if op == "submit":
        body = {"version": report.version}
    return client.post(f"{base}/{op}", body, content_type="application/json", **headers)


def _check(report: ReportRequest, role: str, state: str, op: str, status: int, ok: int) -> None:
    fresh = ReportRequest.objects.get(pk=report.pk)
    value = DataValue.objects.get(request=report, element__code="supermarkets-total").value
    if status != ok or role == "anonymous":  # refused: nothing changed
        assert (fresh.state, fresh.version, value) == (report.state, report.version, "10"), (
            role, state, op)
    elif op == "save":
        assert value == "77"
    elif op in ("submit", "accept", "return", "reopen"):
        assert fresh.state != report.state


@pytest.mark.parametrize("op", REPORT_OPS)
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_pages(world, client, role, state, op):
    period, users = world
    report = _prepare(period, state)
    if role != "anonymous":
        client.force_login(users[role])
    response = _web_call(client, report, op)
    want = expected(role, state, op, api=False)
    assert response.status_code == want, (role, state, op, response.status_code)
    if op not in ("view", "history"):
        _check(report, role, state, op, response.status_code, 302)


@pytest.mark.parametrize("op", REPORT_OPS)
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_api(world, client, role, state, op):
    period, users = world
    report = _prepare(period, state)
    token = None
    if role != "anonymous":
        token = token_create(user=users[role], name="t", actor=None)[1]
    response = _api_call(client, report, op, token)
    want = expected(role, state, op, api=True)
    assert response.status_code == want, (role, state, op, response.status_code,
                                          response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    if op not in ("view", "history"):
        _check(report, role, state, op, response.status_code, 200)


# Pages and endpoints that are not about one report ---------------------------------

PAGE_RULES = {
    # name: (method, expected status per role)
    "reporting:inbox": ("get", {"admin": 302, "coordinator": 302, "reporter_own": 200,
                                "reporter_other": 200, "viewer": 302}),
    "reporting:review": ("get", {"admin": 200, "coordinator": 200, "reporter_own": 403,
                                 "reporter_other": 403, "viewer": 403}),
    "reporting:periods": ("get", {"admin": 200, "coordinator": 200, "reporter_own": 403,
                                  "reporter_other": 403, "viewer": 200}),
    "reporting:completeness": ("get", {"admin": 200, "coordinator": 200, "reporter_own": 403,
                                       "reporter_other": 403, "viewer": 200}),
    "reporting:adhoc-new": ("get", {"admin": 200, "coordinator": 200, "reporter_own": 403,
                                    "reporter_other": 403, "viewer": 403}),
    "open-period": ("post", {"admin": 302, "coordinator": 302, "reporter_own": 403,
                             "reporter_other": 403, "viewer": 403}),
    "period-detail": ("get", {"admin": 200, "coordinator": 200, "reporter_own": 403,
                              "reporter_other": 403, "viewer": 200}),
}


@pytest.mark.parametrize("name", list(PAGE_RULES))
@pytest.mark.parametrize("role", ROLES)
def test_other_pages(world, client, role, name):
    period, users = world
    method, rules = PAGE_RULES[name]
    if role != "anonymous":
        client.force_login(users[role])
    if name == "open-period":
        response = client.post(reverse("reporting:periods"), {"code": "2023", "confirmed": "on"})
    elif name == "period-detail":
        response = client.get(reverse("reporting:period", args=[period.code]))
    else:
        response = getattr(client, method)(reverse(name))
    want = 302 if role == "anonymous" else rules[role]
    assert response.status_code == want, (role, name, response.status_code)
    if role == "anonymous":
        assert "/login/" in response.url
    if name == "open-period":
        opened = period.plan.periods.filter(code="2023").exists()
        assert opened == (want == 302 and role != "anonymous")


API_RULES = {
    "periods": ("get", "/api/v1/reporting/periods", {"admin": 200, "coordinator": 200,
                                                     "reporter_own": 200,
                                                     "reporter_other": 200, "viewer": 200}),
    "open": ("post", "/api/v1/reporting/periods", {"admin": 201, "coordinator": 201,
                                                   "reporter_own": 403, "reporter_other": 403,
                                                   "viewer": 403}),
    "completeness": ("get", "/api/v1/reporting/completeness/2022S1", {
        "admin": 200, "coordinator": 200, "reporter_own": 403, "reporter_other": 403,
        "viewer": 200}),
    "rates": ("get", "/api/v1/reporting/completeness", {
        "admin": 200, "coordinator": 200, "reporter_own": 403, "reporter_other": 403,
        "viewer": 200}),
    "requests": ("get", "/api/v1/reporting/requests", {
        "admin": 200, "coordinator": 200, "reporter_own": 200, "reporter_other": 200,
        "viewer": 200}),
}


@pytest.mark.parametrize("name", list(API_RULES))
@pytest.mark.parametrize("role", ROLES)
def test_other_endpoints(world, client, role, name):
    _period, users = world
    method, path, rules = API_RULES[name]
    headers = {}
    if role != "anonymous":
        headers["HTTP_AUTHORIZATION"] = "Bearer " + token_create(user=users[role], name="t",
                                                                 actor=None)[1]
    if method == "post":
        response = client.post(path, {"code": "2023"}, content_type="application/json",
                               **headers)
    else:
        response = client.get(path, **headers)
    want = 401 if role == "anonymous" else rules[role]
    assert response.status_code == want, (role, name, response.status_code)


@pytest.mark.parametrize("role", ROLES[1:])
def test_request_lists_show_only_what_each_role_may_see(world, client, role):
    period, users = world
    _prepare(period, ReportState.ACCEPTED)  # sct accepted, the others drafts
    token = token_create(user=users[role], name="t", actor=None)[1]
    rows = client.get("/api/v1/reporting/requests",
                      {"page_size": 200}, HTTP_AUTHORIZATION=f"Bearer {token}").json()["results"]
    units = {r["unit"] for r in rows}
    if role in ("admin", "coordinator"):
        assert len(rows) == period.requests.count()
    elif role == "reporter_own":
        assert units == {"sct"}
    elif role == "reporter_other":
        assert units == {"tp-ha-long"}
    else:
        assert units == {"sct"} and {r["state"] for r in rows} == {"accepted"}
