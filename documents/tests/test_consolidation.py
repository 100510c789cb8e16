"""The consolidation view: every obliged unit of each task, answered or not; filters;
totals over the units that answered; access as the reporting selectors give it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role
from documents.selectors import consolidation_for_period
from reporting.models import ReportState, TaskAnswer
from reporting.services import period_open, report_accept, report_save, report_submit
from reporting.tests.conftest import complete_payload, report_of


@pytest.fixture
def period(plan):
    return period_open(plan=plan, code="2022", actor=None, notify=False)[0]


def _submit(period, code, *, accept=False, whole=10):
    report = report_of(period, code)
    values, answers = complete_payload(report, whole=whole, part=5)
    report = report_save(report=report, actor=None, version=report.version, values=values,
                         answers=answers)
    report = report_submit(report=report, actor=None)
    if accept:
        report = report_accept(report=report, actor=None, notify=False)
    return report


def test_every_obliged_unit_shown_missing_marked_totals(period, django_assert_max_num_queries):
    _submit(period, "sct", accept=True, whole=10)
    _submit(period, "stnmt", whole=7)
    with django_assert_max_num_queries(6):
        found = consolidation_for_period(period=period, user=None)
    obliged = TaskAnswer.objects.filter(request__period=period)
    assert sum(len(t.rows) for t in found.tasks) == obliged.count()
    iv161 = next(t for t in found.tasks if t.task.ref == "IV.16.1")
    units = {r.unit.code for r in iv161.rows}
    assert {"sct", "stnmt", "tp-ha-long", "sngv"} <= units
    answered = {r.unit.code for r in iv161.answered}
    assert answered == {"sct", "stnmt"}
    iv11 = next(t for t in found.tasks if t.task.ref == "IV.1.1")
    spent = iv11.questions.index(next(q for q in iv11.questions if q.code ==
                                      "iv-1-1-budget-estimated"))
    assert iv11.totals[spent] == 10  # sct only: it alone holds IV.1.1
    # A task every unit holds sums over the answering units only.
    with_numbers = [t for t in found.tasks if t.task.ref.startswith("IV.16") and t.questions]
    for item in with_numbers:
        for q, total in zip(item.questions, item.totals, strict=True):
            if q.value_type == "integer" and not q.part_of:
                assert total == 17
    accepted = consolidation_for_period(period=period, user=None, accepted_only=True)
    assert {r.unit.code for t in accepted.tasks for r in t.rows} == {"sct"}


def test_filters(period):
    found = consolidation_for_period(period=period, user=None, group="III.4")
    assert found.tasks and all(t.group == "III.4" for t in found.tasks)
    assert "IV.2.1" in {t.task.ref for t in found.tasks}
    one = consolidation_for_period(period=period, user=None, unit_code="stnmt")
    assert {r.unit.code for t in one.tasks for r in t.rows} == {"stnmt"}
    assert len(one.units) > 1  # the unit filter still offers every unit


def test_every_task_is_placed_in_a_group(plan):
    from documents.layout_file import document_settings
    from plans.models import Task

    conf = document_settings()
    refs = set(Task.objects.filter(plan=plan).values_list("ref", flat=True))
    placed = [r for refs_ in conf.task_groups.values() for r in refs_]
    assert sorted(placed) == sorted(refs)  # each task exactly once, none unknown


def test_access_matrix(period, make_user, client, coordinator, viewer):
    _submit(period, "sct", accept=True)
    _submit(period, "stnmt")
    url = reverse("documents:consolidation", args=[period.code])
    reporter = make_user(Role.REPORTER, "stnmt")
    seen = {}
    for name, user in (("coordinator", coordinator), ("viewer", viewer),
                       ("reporter", reporter)):
        found = consolidation_for_period(period=period, user=user)
        seen[name] = {r.unit.code for t in found.tasks for r in t.rows}
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
    assert "sngv" in seen["coordinator"] and "stnmt" in seen["coordinator"]
    assert seen["viewer"] == {"sct"}  # accepted only
    assert seen["reporter"] == {"stnmt"}  # its own unit only
    client.force_login(coordinator)
    page = client.get(url, {"group": "III.2"}).content.decode()
    assert "IV.1.3" in page and "IV.2.1" not in page
    client.logout()
    assert client.get(url).status_code == 302


def test_page_query_count(period, client, coordinator, django_assert_max_num_queries):
    _submit(period, "sct", accept=True)
    client.force_login(coordinator)
    url = reverse("documents:consolidation", args=[period.code])
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.content) < 3_000_000
    page = response.content.decode()
    assert ",0000" not in page  # totals shown as whole numbers, not stored decimals
    assert ReportState.ACCEPTED
