"""Statuses for every target through the API, the command, the pages and the charts; the
coordinator's assessment of a qualitative target, audited and shown at once; access."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from accounts.models import Role
from accounts.services import token_create
from common.models import AuditEvent
from plans.models import Target
from progress.selectors import progress_for_period
from progress.services import assessment_record


@pytest.fixture
def qualitative(plan) -> Target:
    return Target.objects.get(plan=plan, code="policy-enforcement-2030")


def _api(client, user, path):
    token = token_create(user=user, name="t", actor=user)[1]
    return client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_every_target_has_a_status_and_numbers_are_numbers(client, plan, viewer):
    response = _api(client, viewer, "/api/v1/progress?period=2025")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["ref"] for r in rows] == list(
        Target.objects.filter(plan=plan).order_by("order").values_list("ref", flat=True))
    assert all(r["status"] for r in rows)
    material = next(r for r in rows if r["code"] == "material-intensity-2025")
    assert material["minimum"] == 5.0 and material["stretch"] == 8.0
    assert material["milestone_past"] is True
    # no accepted data in the bare test database: never a zero in place of missing data
    assert material["value"] is None and material["status"] == "not_enough_data"


@pytest.mark.parametrize("period", ["20x5", "1999", ""])
def test_a_bad_period_is_a_422_naming_the_field(client, plan, viewer, period):
    response = _api(client, viewer, f"/api/v1/progress?period={period}")
    assert response.status_code == 422
    body = response.json()
    assert "period" in body["errors"]
    assert "Nhập một năm" in body["errors"]["period"][0]


def test_a_year_after_the_loaded_plan_is_not_found(client, plan, viewer):
    """The year is well formed; the loaded plan (stored data) ends before it: 404, and
    the API schema documents it."""
    response = _api(client, viewer, "/api/v1/progress?period=2031")
    assert response.status_code == 404
    assert "Nhập một năm từ 2020 đến 2030" in response.json()["errors"]["period"][0]


def test_the_progress_api_is_typed():
    from api.api import api

    operation = api.get_openapi_schema()["paths"]["/api/v1/progress"]["get"]
    assert operation["parameters"][0]["required"] is True
    assert operation["parameters"][0]["schema"] | {"title": "Period"} == {
        "type": "integer", "minimum": 2020, "title": "Period"}
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]
    page = api.get_openapi_schema()["components"]["schemas"][page["$ref"].rsplit("/", 1)[1]]
    assert "$ref" in page["properties"]["results"]["items"]


def test_the_command_prints_json(plan):
    out = StringIO()
    call_command("progress", "--period", "2025", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["period"] == 2025
    assert len(data["targets"]) == Target.objects.filter(plan=plan).count()
    with pytest.raises(CommandError, match="--period"):
        call_command("progress", "--period", "abc")


def test_an_assessment_is_recorded_audited_and_shown_at_once(plan, coordinator, qualitative):
    before = {s.target.code: s.status for s in progress_for_period(period=2025, plan=plan)}
    assert before["policy-enforcement-2030"] == "not_enough_data"
    assessment_record(target=qualitative, year=2025, status="on_track",
                      justification="Văn bản hướng dẫn đã ban hành.", actor=coordinator)
    after = {s.target.code: s for s in progress_for_period(period=2025, plan=plan)}
    assert after["policy-enforcement-2030"].status == "on_track"
    assert after["policy-enforcement-2030"].assessment.justification.startswith("Văn bản")
    event = AuditEvent.objects.get(action="progress.assess")
    assert event.actor == coordinator
    # an assessment of a later year does not count for an earlier period
    assessment_record(target=qualitative, year=2026, status="off_track",
                      justification="x", actor=coordinator)
    assert {s.target.code: s.status for s in progress_for_period(
        period=2025, plan=plan)}["policy-enforcement-2030"] == "on_track"


@pytest.mark.parametrize("role", [Role.VIEWER, Role.REPORTER])
def test_only_the_coordinator_assesses(plan, make_user, qualitative, role):
    user = make_user(role, "sct" if role == Role.REPORTER else "ubnd-quang-ninh")
    with pytest.raises(PermissionDenied):
        assessment_record(target=qualitative, year=2025, status="on_track",
                          justification="x", actor=user)


@pytest.mark.parametrize(("data", "field"), [
    ({"year": "x"}, "year"), ({"status": "great"}, "status"),
    ({"justification": "  "}, "justification"), ({"justification": "\x00\x01"},
                                                 "justification")])
def test_a_bad_assessment_names_the_field(plan, coordinator, qualitative, data, field):
    args = {"year": 2025, "status": "on_track", "justification": "ok", **data}
    with pytest.raises(ValidationError) as exc:
        assessment_record(target=qualitative, actor=coordinator, **args)
    assert field in exc.value.message_dict


def test_a_quantitative_target_is_not_assessed(plan, coordinator):
    target = Target.objects.get(plan=plan, code="zones-reached-2025")
    with pytest.raises(ValidationError) as exc:
        assessment_record(target=target, year=2025, status="on_track", justification="x",
                          actor=coordinator)
    assert "target" in exc.value.message_dict


# ------------------------------------------------------------------ pages

PAGES = ["/progress/", "/progress/targets/zones-reached-2025/",
         "/progress/targets/policy-enforcement-2030/", "/progress/sectors/cement/",
         "/progress/charts/target/packaging-2030.svg", "/progress/charts/sector/coal.svg",
         "/progress/charts/province/all.svg"]


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.VIEWER, Role.REPORTER])
@pytest.mark.parametrize("path", PAGES)
def test_pages_open_for_every_role(client, plan, make_user, role, path):
    unit = {"coordinator": "sct", "viewer": "ubnd-quang-ninh", "reporter": "sct"}[role]
    client.force_login(make_user(role, unit))
    response = client.get(path)
    assert response.status_code == 200
    if path.endswith(".svg"):
        assert response["Content-Type"] == "image/svg+xml"
        assert response.content.startswith(b"<?xml")


def test_pages_need_sign_in(client, plan):
    for path in PAGES:
        assert client.get(path).status_code == 302


def test_home_is_the_overview_for_coordinator_and_viewer(client, plan, coordinator, viewer,
                                                         make_user):
    for user in (coordinator, viewer):
        client.force_login(user)
        assert "Tiến độ thực hiện mục tiêu" in client.get("/").content.decode()
    client.force_login(make_user(Role.REPORTER, "sct"))
    assert "Tiến độ thực hiện mục tiêu" not in client.get("/").content.decode()


OVERVIEW_QUERIES = 25


def test_overview_takes_the_same_few_queries_whatever_the_data(client, plan, coordinator):
    """The overview reads each registry once for all years and the figures in one query:
    loading the demo registries (areas and activities, retailers and packaging, models,
    S&T enterprises, enterprises with ten years of figures) adds no query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from registry.demo import demo_load

    client.force_login(coordinator)
    client.get("/progress/?period=2025")  # the session and per-process caches, once
    with CaptureQueriesContext(connection) as empty:
        response = client.get("/progress/?period=2025")
    assert response.status_code == 200
    assert response.content.decode().count("Chưa đủ số liệu") >= 5
    demo_load(actor=None)
    with CaptureQueriesContext(connection) as changed:  # the changed sectors summed again
        client.get("/progress/?period=2025")
    with CaptureQueriesContext(connection) as full:
        response = client.get("/progress/?period=2025")
    assert response.status_code == 200
    assert len(response.content) < 100_000
    page = response.content.decode()
    assert "II.2.2.6" in page
    statuses = {s.target.code: s for s in progress_for_period(period=2025, plan=plan)}
    assert statuses["scp-models-2025"].current is not None  # the data is read
    assert len(full.captured_queries) == len(empty.captured_queries) <= OVERVIEW_QUERIES, \
        [q["sql"][:120] for q in full.captured_queries]
    # one sum over the sectors whose totals changed, one write of them
    assert len(changed.captured_queries) == len(empty.captured_queries) + 2


@pytest.mark.parametrize("path", ["/progress/targets/nope/", "/progress/sectors/nope/",
                                  "/progress/charts/other/x.svg",
                                  "/progress/charts/sector/nope.svg"])
def test_unknown_things_are_404(client, plan, coordinator, path):
    client.force_login(coordinator)
    assert client.get(path).status_code == 404


def test_a_bad_period_on_a_page_says_so(client, plan, coordinator):
    client.force_login(coordinator)
    response = client.get("/progress/?period=abc")
    assert response.status_code == 200
    assert "Nhập một năm" in response.content.decode()


def test_the_assessment_form(client, plan, coordinator, qualitative):
    client.force_login(coordinator)
    response = client.post(f"/progress/targets/{qualitative.code}/assess/",
                           {"year": "2025", "status": "at_risk", "justification": "Chậm."})
    assert response.status_code == 302
    page = client.get(f"/progress/targets/{qualitative.code}/?period=2025").content.decode()
    assert "Chậm." in page and "Có nguy cơ" in page
    response = client.post(f"/progress/targets/{qualitative.code}/assess/",
                           {"year": "2025", "status": "bad", "justification": ""}, follow=True)
    assert "Chọn một trạng thái" in response.content.decode()


def test_a_registry_write_shows_at_once_no_batch_between(plan, coordinator):
    import datetime as dt

    from orgunits.models import OrgUnit
    from registry import services as registry

    place = OrgUnit.objects.get(code="tp-ha-long")

    def models_status():
        return next(s for s in progress_for_period(period=2025, plan=plan)
                    if s.target.code == "scp-models-2025")

    # an empty registry is missing data, not zero
    assert models_status().current is None
    registry.scp_model_save(data={"kind": "scp", "name": "Mô hình A", "operator": "HTX A",
                                  "place": place, "valid_from": dt.date(2020, 6, 1)},
                            actor=coordinator)
    status = models_status()
    assert status.current is not None and status.current.value == 1.0
    assert status.baseline is not None and status.baseline.year == 2020
    assert status.status == "achieved"  # 1 model meets the minimum of 1-2
    assert status.current.sources[0].url == "/registry/models/"
    registry.scp_model_save(data={"kind": "scp", "name": "Mô hình B", "operator": "HTX B",
                                  "place": place, "valid_from": dt.date(2023, 6, 1)},
                            actor=coordinator)
    assert [p.value for p in models_status().series] == [1.0, 1.0, 1.0, 2.0, 2.0, 2.0]


def test_the_st_enterprises_indicator_counts_the_registry(plan, coordinator):
    # IV.10.1's target (20 S&T enterprises by 2030) reads this indicator
    import datetime as dt

    from orgunits.models import OrgUnit
    from plans.models import Indicator
    from progress.selectors import _Elements, indicator_series
    from registry import services as registry

    registry.st_enterprise_save(data={"name": "KHCN A", "certificate_number": "01/KHCN",
                                      "certificate_date": dt.date(2022, 3, 1),
                                      "place": OrgUnit.objects.get(code="tp-uong-bi")},
                                actor=coordinator)
    indicator = Indicator.objects.get(plan=plan, code="st-enterprises")
    points = indicator_series(indicator=indicator, elements=_Elements(plan, 2025),
                              years=range(2020, 2026))
    assert [p.value for p in points] == [0.0, 0.0, 1.0, 1.0, 1.0, 1.0]
    assert points[-1].compare is None  # no accepted report answers: not zero


def _campaigns_accepted(plan, held: dict[str, int]):
    """The annual 2022 period opened, and these units' reports accepted with these
    numbers of campaigns (every other question answered)."""
    from reporting.services import period_open, report_accept, report_save, report_submit
    from reporting.tests.conftest import complete_payload, report_of

    period, _ = period_open(plan=plan, code="2022", actor=None, notify=False)
    for code, campaigns in held.items():
        report = report_of(period, code)
        values, answers = complete_payload(report)
        report = report_save(report=report, actor=None, version=report.version,
                             values={**values, "lifestyle-campaigns": campaigns},
                             answers=answers)
        report_accept(report=report_submit(report=report, actor=None), actor=None,
                      notify=False)
    return period


def test_the_campaign_share_counts_the_units_asked_in_the_database(plan):
    """II.2.2.3: units that held campaigns over the district-level units asked that year.
    The units asked are counted per kind in the database (tens of thousands of requests
    at national scale), here two of them accepted, one with campaigns and one without."""
    from plans.models import DataElement
    from reporting.models import ReportRequest

    period = _campaigns_accepted(plan, {"tp-ha-long": 3, "h-co-to": 0})
    kinds = DataElement.objects.get(plan=plan, code="lifestyle-campaigns").unit_kinds
    asked = ReportRequest.objects.filter(period=period, org_unit__kind__in=kinds).count()
    assert asked > 2
    status = next(s for s in progress_for_period(period=2022, plan=plan)
                  if s.target.code == "districts-campaigns-2025")
    assert status.current is not None and status.current.year == 2022
    assert status.current.value == pytest.approx(100 * 1 / asked)


@pytest.mark.parametrize(("role", "unit", "links"), [
    (Role.COORDINATOR, "sct", True), (Role.VIEWER, "ubnd-quang-ninh", True),
    (Role.REPORTER, "tp-ha-long", True), (Role.REPORTER, "sct", False)])
def test_a_source_is_a_link_only_for_who_may_open_it(client, plan, make_user, role, unit,
                                                     links):
    """Everyone reads the progress pages; a source report opens for the coordinator,
    viewers (it is accepted) and its own unit, and is a name for the others."""
    from django.urls import reverse

    _campaigns_accepted(plan, {"tp-ha-long": 3})
    client.force_login(make_user(role, unit))
    html = client.get("/progress/targets/districts-campaigns-2025/?period=2022").content.decode()
    report = reverse("reporting:report", args=["2022", "tp-ha-long"])
    assert "Thành phố Hạ Long" in html
    assert (f'href="{report}"' in html) is links
    if links:
        assert client.get(report).status_code == 200
