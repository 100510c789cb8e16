"""Deadline day: the report form and its save cost a number of queries that does not grow
with the number of questions (one statement per table), the form's layout is built once a
request, and the audit row of a save stays compact."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.services import token_create
from common.exceptions import ConflictError
from common.models import AuditEvent
from orgunits.models import OrgUnit
from reporting import selectors
from reporting.models import DataValue, ReportRequest
from reporting.services import adhoc_request_open, report_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def asker(make_user):
    return make_user(Role.COORDINATOR, "sct", username="asker")


@pytest.fixture
def reporter(make_user):
    return make_user(Role.REPORTER, "sct", username="filler")


def _report_asking(plan, asker, n: int) -> ReportRequest:
    """An ad-hoc request to sct with `n` number questions and the plan's own tasks."""
    period = adhoc_request_open(
        plan=plan, title=f"Rà soát {n} chỉ tiêu", due_date=timezone.localdate()
        + dt.timedelta(days=10), recipients=[OrgUnit.objects.get(code="sct")],
        questions=[{"name": f"Chỉ tiêu {i}", "value_type": "integer"} for i in range(n)],
        actor=asker, include_plan_questions=True, notify=False)
    return ReportRequest.objects.select_related("period", "org_unit").get(period=period)


def _url(report: ReportRequest) -> str:
    return reverse("reporting:report", args=[report.period.code, report.org_unit.code])


def _post(client, report: ReportRequest, values: dict[str, str]) -> int:
    report.refresh_from_db()
    data = {"version": str(report.version), "action": "save",
            **{f"v:{code}": text for code, text in values.items()}}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(_url(report), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return len(queries)


def _costs(client, report: ReportRequest, n: int) -> dict[str, int]:
    codes = [f"q{i + 1}" for i in range(n)]
    with CaptureQueriesContext(connection) as queries:
        assert client.get(_url(report)).status_code == 200
    costs = {"form": len(queries)}
    costs["create"] = _post(client, report, {c: "1.500" for c in codes})
    costs["update"] = _post(client, report, {c: "2.500" for c in codes})
    costs["clear"] = _post(client, report, dict.fromkeys(codes, ""))
    return costs


def test_form_and_saves_cost_the_same_queries_for_3_or_40_questions(
        client, plan, asker, reporter):
    client.force_login(reporter)
    small, large = _report_asking(plan, asker, 3), _report_asking(plan, asker, 40)
    client.get(_url(small))  # first request of the session: its own queries
    small_costs, large_costs = _costs(client, small, 3), _costs(client, large, 40)
    assert small_costs == large_costs
    assert not DataValue.objects.filter(request=large).exists()  # the clear took
    assert AuditEvent.objects.filter(action="report.save", target_id=str(large.pk)).count() == 3


def test_an_api_save_costs_the_same_queries_for_3_or_40_questions(client, plan, asker,
                                                                    reporter):
    bearer = {"HTTP_AUTHORIZATION": "Bearer "
              + token_create(user=reporter, name="t", actor=None)[1]}
    counts = []
    for n in (3, 40):
        report = _report_asking(plan, asker, n)
        url = f"/api/v1/reporting/reports/{report.period.code}/sct/values"
        client.get(f"/api/v1/reporting/reports/{report.period.code}/sct", **bearer)
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url, {"version": 1, "values": {
                f"q{i + 1}": 7 for i in range(n)}}, content_type="application/json", **bearer)
        assert response.status_code == 200, response.content
        assert {v["code"]: v["numeric"] for v in response.json()["values"]
                if v["code"].startswith("q")} == {f"q{i + 1}": 7 for i in range(n)}
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_layout_is_built_once_a_post(client, plan, asker, reporter, monkeypatch):
    client.force_login(reporter)
    report = _report_asking(plan, asker, 5)
    built = []
    original = selectors.report_layout

    def counting(**kwargs):
        built.append(kwargs["report"].pk)
        return original(**kwargs)

    monkeypatch.setattr(selectors, "report_layout", counting)
    _post(client, report, {"q1": "12"})
    assert built == [report.pk]
    built.clear()
    data = {"version": str(report.version + 1), "action": "submit", "v:q2": "3"}
    client.post(_url(report), data)
    assert built == [report.pk]


def test_the_audit_row_of_a_save_names_fields_without_repeating_labels(plan, asker, reporter):
    report = _report_asking(plan, asker, 3)
    report_save(report=report, actor=reporter, version=1,
                values={"q1": 5, "q2": {"value": 6, "comment": "Số ước tính"}},
                answers={"IV.16.1": {"results": "Đã triển khai"}})
    event = AuditEvent.objects.get(action="report.save", target_id=str(report.pk))
    assert event.changes == [
        {"field": "value:q1", "old": None, "new": "5"},
        {"field": "value:q2", "old": None, "new": "6"},
        {"field": "comment:q2", "old": None, "new": "Số ước tính"},
        {"field": "task:IV.16.1:results", "old": None, "new": "Đã triển khai"},
    ]


def test_a_report_is_looked_up_in_one_query_and_a_miss_names_what_is_wrong(
        plan, asker, django_assert_num_queries):
    from django.http import Http404

    report = _report_asking(plan, asker, 1)
    with django_assert_num_queries(1):
        found = selectors.report_get(period_code=report.period.code.lower(), unit_code="sct")
        assert (found.period.plan.code, found.org_unit.code) == (plan.code, "sct")
    misses = [(("2099", "sct"), "2099"), ((report.period.code, "khong-co"), "khong-co"),
              ((report.period.code, "ubnd-quang-ninh"), "không có yêu cầu báo cáo")]
    for (period_code, unit_code), named in misses:
        with pytest.raises(Http404) as raised:
            selectors.report_get(period_code=period_code, unit_code=unit_code)
        assert named in str(raised.value), (period_code, unit_code, str(raised.value))


def _form_queries(client, report: ReportRequest) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_url(report))
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in queries]


def test_the_form_reads_edit_conflicts_only_of_a_report_that_has_some(client, plan, asker,
                                                                        reporter):
    report = _report_asking(plan, asker, 3)
    client.force_login(reporter)
    client.get(_url(report))  # first request of the session: its own queries
    html, quiet = _form_queries(client, report)
    # whether there are any comes with the report's own query
    assert not [sql for sql in quiet if sql.startswith('SELECT "reporting_conflictcopy"')]
    assert 'id="conflict-' not in html
    report_save(report=report, actor=asker, version=1, values={"q1": 4})
    with pytest.raises(ConflictError):
        report_save(report=selectors.report_get(period_code=report.period.code,
                                                unit_code="sct"),
                    actor=reporter, version=1, values={"q1": 5})
    html, busy = _form_queries(client, report)
    assert [sql for sql in busy if sql.startswith('SELECT "reporting_conflictcopy"')]
    assert len(busy) == len(quiet) + 1
    assert 'id="conflict-' in html


def test_the_form_reads_values_and_last_periods_numbers_in_one_query_and_its_document_with_it(
        client, plan, reporter, make_user):
    from documents.services import official_document_record
    from reporting.services import period_open, report_submit
    from reporting.tests.conftest import complete_payload, report_of

    def filled(code: str, unit: str, actor, whole: int) -> ReportRequest:
        report = report_of(period_open(plan=plan, code=code, actor=None, notify=False)[0], unit)
        values, answers = complete_payload(report, whole=whole, part=5)
        return report_save(report=report, actor=actor, version=report.version,
                           values=values, answers=answers)

    report_submit(report=filled("2021S1", "sct", reporter, 10), actor=reporter)
    neighbour = make_user(Role.REPORTER, "tp-ha-long", username="neighbour")
    report_submit(report=filled("2021S1", "tp-ha-long", neighbour, 77), actor=neighbour)
    filled("2021", "sct", reporter, 88)  # last year's annual report: another kind
    report = filled("2022S1", "sct", reporter, 12)
    client.force_login(reporter)
    client.get(_url(report))  # first request of the session: its own queries

    html, queries = _form_queries(client, report)
    previous = re.findall(r'class="muted prev">[^<]*?([\d.,]+)</small>', html)
    assert previous and set(previous) <= {"10", "5"}, previous
    assert ['FROM "reporting_datavalue"' in sql for sql in queries].count(True) == 1
    assert not [sql for sql in queries if sql.startswith('SELECT "documents_officialdocument"')]

    report = report_submit(report=report, actor=reporter)
    official_document_record(report=report, actor=reporter, number="125/BC-SCT",
                             issued_on=dt.date(2022, 6, 10), signatory="Nguyễn Văn A",
                             position="Phó Giám đốc")
    html, queries = _form_queries(client, report)
    assert "125/BC-SCT" in html
    assert not [sql for sql in queries if sql.startswith('SELECT "documents_officialdocument"')]


def test_the_form_takes_its_tasks_from_the_process_copy_and_sees_a_changed_task_at_once(
        client, plan, asker, reporter):
    from plans.models import Task

    report = _report_asking(plan, asker, 1)
    client.force_login(reporter)
    client.get(_url(report))  # first request of the session: its own queries
    html, queries = _form_queries(client, report)
    assert not [sql for sql in queries if 'JOIN "plans_task"' in sql
                or sql.startswith('SELECT "plans_task"')]
    task = Task.objects.get(plan=plan, ref="IV.16.1")
    assert task.text[:20] in html
    task.text = "Nội dung nhiệm vụ đã sửa trong kế hoạch"
    task.save()
    html, _queries = _form_queries(client, report)
    assert "Nội dung nhiệm vụ đã sửa trong kế hoạch" in html


def test_a_task_missing_from_the_process_copy_is_read_not_a_failure(plan, asker,
                                                                     monkeypatch):
    # a plan load committing between the copy's check and the answers query
    report = _report_asking(plan, asker, 1)
    real = selectors.form_parts

    def stale(*, plan_id: int):
        elements, tasks = real(plan_id=plan_id)
        return elements, {pk: t for pk, t in tasks.items() if t.ref != "IV.16.1"}

    monkeypatch.setattr(selectors, "form_parts", stale)
    layout = selectors.report_layout(report=report)
    assert "IV.16.1" in layout.answers
    assert layout.answers["IV.16.1"].task.ref == "IV.16.1"
