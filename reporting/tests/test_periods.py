"""Period codes, data windows and due dates, and opening periods and ad-hoc requests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role
from common.models import AuditEvent
from orgunits.models import COMMUNE_LEVEL_KINDS, DISTRICT_LEVEL_KINDS, OrgUnit, OrgUnitKind
from plans.models import ReportKind
from reporting.models import ReportRequest, ReportState, TaskAnswer
from reporting.periods import period_code_parse, period_spec
from reporting.services import adhoc_request_open, period_open, period_units_add


@pytest.mark.parametrize(("code", "kind", "start", "end", "due"), [
    ("2025S1", ReportKind.SEMIANNUAL, dt.date(2024, 12, 15), dt.date(2025, 6, 14),
     dt.date(2025, 6, 14)),
    ("2025", ReportKind.ANNUAL, dt.date(2024, 12, 15), dt.date(2025, 12, 14),
     dt.date(2025, 12, 14)),
    ("2021s1", ReportKind.SEMIANNUAL, dt.date(2020, 12, 15), dt.date(2021, 6, 14),
     dt.date(2021, 6, 14)),
])
def test_windows_follow_decree_09_and_the_plans_due_dates(plan, code, kind, start, end, due):
    spec = period_spec(plan=plan, code=code)
    assert (spec.kind, spec.start, spec.end, spec.due_date) == (kind, start, end, due)
    assert spec.code == code.upper()


@pytest.mark.parametrize("code", ["2025S2", "2025Q1", "25S1", "", "2019", "2031S1", "AH-2025-01",
                                  "2025S1; drop table", "x" * 50])
def test_bad_period_codes_are_refused_naming_the_period(plan, code):
    with pytest.raises(ValidationError) as caught:
        period_spec(plan=plan, code=code)
    assert "period" in caught.value.message_dict


def test_adhoc_codes_parse():
    assert period_code_parse("AH-2026-03") == (ReportKind.ADHOC, 2026)


def test_opening_creates_one_request_per_obliged_unit_with_its_tasks(plan):
    period, created = period_open(plan=plan, code="2022S1", actor=None, notify=False)
    codes = {r.org_unit.code for r in created}
    # 24 agencies (the 20 departments and bodies of department rank, with the People's
    # Committee's office re-established in 2021; 3 boards and agencies; the bank) and 13
    # district-level units
    assert len(created) == 37
    assert {"sct", "nhnn-qn", "tp-ha-long", "h-co-to", "syt", "stp", "thanh-tra", "vp-ubnd",
            "ban-dan-toc", "bqlkkt", "bqlkkt-van-don", "ttt-qn"} <= codes
    assert "vp-dbqh-hdnd-ubnd" not in codes
    iv16 = list(TaskAnswer.objects.filter(request__org_unit__code="syt")
                .values_list("task__ref", flat=True))
    assert iv16 == ["IV.16.1", "IV.16.2", "IV.16.3"]
    sct = period.requests.get(org_unit__code="sct")
    refs = list(TaskAnswer.objects.filter(request=sct).values_list("task__ref", flat=True))
    assert refs[:6] == [f"IV.1.{n}" for n in range(1, 7)] and len(refs) == 9
    assert all(r.state == ReportState.DRAFT and r.version == 1 for r in created)


def test_opening_is_idempotent(plan):
    period, first = period_open(plan=plan, code="2023", actor=None, notify=False)
    again, second = period_open(plan=plan, code="2023", actor=None, notify=False)
    assert again.pk == period.pk and second == [] and period.requests.count() == len(first)


def test_after_the_reorganisation_communes_report_instead_of_districts(plan):
    _period, created = period_open(plan=plan, code="2025", actor=None, notify=False)
    kinds = [r.org_unit.kind for r in created]
    assert sum(k in COMMUNE_LEVEL_KINDS for k in kinds) == 54
    assert not any(k in DISTRICT_LEVEL_KINDS for k in kinds)
    codes = {r.org_unit.code for r in created}
    assert "snnmt" in codes and "stnmt" not in codes
    assert "sdttg" in codes and "ban-dan-toc" not in codes and "bqlkkt-van-don" not in codes
    # The tasks that moved in 2025 are asked of the units that took them over.
    def refs(code: str) -> set[str]:
        return set(TaskAnswer.objects.filter(request__period=_period, request__org_unit__code=code)
                   .values_list("task__ref", flat=True))
    assert "IV.7.1" in refs("svhttdl") and "IV.7.1" not in refs("skhcn")
    assert "IV.8.1" in refs("sgddt") and "IV.8.1" not in refs("snv")


def test_enterprises_designated_get_a_request(plan):
    enterprise = OrgUnit.objects.create(code="dn-test", name="Công ty TNHH Thử nghiệm",
                                        kind=OrgUnitKind.ENTERPRISE,
                                        valid_from=dt.date(2021, 1, 1))
    period, _created = period_open(plan=plan, code="2022", actor=None, notify=False)
    report = period.requests.get(org_unit=enterprise)
    assert report.task_answers.count() == 0


def test_an_enterprise_designated_later_is_added_when_the_period_is_opened_again(plan):
    _period, _ = period_open(plan=plan, code="2022", actor=None, notify=False)
    OrgUnit.objects.create(code="dn-moi", name="Công ty Mới", kind=OrgUnitKind.ENTERPRISE)
    _, created = period_open(plan=plan, code="2022", actor=None, notify=False)
    assert [r.org_unit.code for r in created] == ["dn-moi"]


def test_only_coordinators_open_periods(plan, make_user):
    with pytest.raises(PermissionDenied):
        period_open(plan=plan, code="2022", actor=make_user(Role.REPORTER, "sct"))
    with pytest.raises(PermissionDenied):
        period_open(plan=plan, code="2022", actor=make_user(Role.VIEWER))
    _period, created = period_open(plan=plan, code="2022", actor=make_user(Role.COORDINATOR,
                                                                           "sct"))
    assert created


def test_opening_mails_the_units_after_commit(plan, make_user, mailoutbox,
                                              django_capture_on_commit_callbacks):
    make_user(Role.REPORTER, "sct")
    with django_capture_on_commit_callbacks(execute=True):
        period_open(plan=plan, code="2024S1", actor=None)
    assert any("2024S1" in m.body and m.to[0].startswith("reporter-sct") for m in mailoutbox)


def test_adhoc_request_with_its_own_questions(plan, coordinator):
    units = list(OrgUnit.objects.filter(code__in=["sct", "stc"]))
    period = adhoc_request_open(
        plan=plan, title="Báo cáo nhanh về bao bì", due_date=dt.date.today() + dt.timedelta(10),
        recipients=units, actor=coordinator, notify=False,
        questions=[{"name": "Số cơ sở dùng túi ni lông khó phân hủy", "value_type": "integer",
                    "required": True},
                   {"name": "Mức độ", "value_type": "choice", "choices": ["Thấp", "Cao"]}])
    assert period.code.startswith("AH-") and period.kind == ReportKind.ADHOC
    assert [q.code for q in period.questions.all()] == ["q1", "q2"]
    assert period.requests.count() == 2
    assert not TaskAnswer.objects.filter(request__period=period).exists()


def test_adhoc_request_errors_name_each_field_and_store_nothing(plan, coordinator):
    before = ReportRequest.objects.count()
    with pytest.raises(ValidationError) as caught:
        adhoc_request_open(plan=plan, title="", due_date=dt.date(2000, 1, 1), recipients=[],
                           actor=coordinator, notify=False,
                           questions=[{"name": "", "value_type": "nonsense"},
                                      {"name": "ok", "value_type": "choice"},
                                      {"name": "n", "value_type": "integer", "min": "abc"}])
    errors = caught.value.message_dict
    assert {"title", "due_date", "recipients", "questions.0.name", "questions.0.value_type",
            "questions.1.choices", "questions.2.min"} <= set(errors)
    assert ReportRequest.objects.count() == before


def test_units_loaded_after_opening_are_added_to_the_open_period(plan, coordinator):
    period, first = period_open(plan=plan, code="2022", actor=None, notify=False)
    OrgUnit.objects.create(code="dn-moi", name="Công ty Mới", kind=OrgUnitKind.ENTERPRISE)
    OrgUnit.objects.create(code="dn-moi-2", name="Công ty Mới Hai", kind=OrgUnitKind.ENTERPRISE)
    added = period_units_add(period=period, actor=coordinator, notify=False)
    assert sorted(r.org_unit.code for r in added) == ["dn-moi", "dn-moi-2"]
    assert period.requests.count() == len(first) + 2
    assert all(r.state == ReportState.DRAFT and r.period.due_date == period.due_date
               for r in added)
    event = AuditEvent.objects.filter(action="period.units_add").get()
    assert event.target_id == str(period.pk) and event.changes == [
        {"field": "recipients", "old": None, "new": ["dn-moi", "dn-moi-2"]}]
    # nothing more to add: refused, and nothing recorded
    with pytest.raises(ValidationError) as caught:
        period_units_add(period=period, actor=coordinator, notify=False)
    assert "đã có yêu cầu báo cáo" in caught.value.message_dict["period"][0]
    assert AuditEvent.objects.filter(action="period.units_add").count() == 1


def test_only_coordinators_add_units_and_never_to_an_adhoc_request(plan, coordinator,
                                                                    make_user):
    period, _ = period_open(plan=plan, code="2022", actor=None, notify=False)
    OrgUnit.objects.create(code="dn-moi", name="Công ty Mới", kind=OrgUnitKind.ENTERPRISE)
    for user in (make_user(Role.REPORTER, "sct"), make_user(Role.VIEWER)):
        with pytest.raises(PermissionDenied):
            period_units_add(period=period, actor=user, notify=False)
    assert not period.requests.filter(org_unit__code="dn-moi").exists()
    adhoc = adhoc_request_open(
        plan=plan, title="Số liệu nhanh", due_date=dt.date.today() + dt.timedelta(days=5),
        recipients=list(OrgUnit.objects.filter(code="sct")), actor=coordinator,
        questions=[{"name": "Số cơ sở", "value_type": "integer"}], notify=False)
    with pytest.raises(ValidationError) as caught:
        period_units_add(period=adhoc, actor=coordinator, notify=False)
    assert "đột xuất" in caught.value.message_dict["period"][0]
    assert adhoc.requests.count() == 1


def test_units_added_are_mailed_after_commit(plan, coordinator, make_user, mailoutbox,
                                             django_capture_on_commit_callbacks):
    period, _ = period_open(plan=plan, code="2022", actor=None, notify=False)
    OrgUnit.objects.create(code="dn-moi", name="Công ty Mới", kind=OrgUnitKind.ENTERPRISE)
    make_user(Role.REPORTER, "sct")
    reporter = make_user(Role.REPORTER, "dn-moi")
    with django_capture_on_commit_callbacks(execute=True):
        period_units_add(period=period, actor=coordinator)
    # only the unit just asked is written to, not those asked when the period opened
    assert [m.to for m in mailoutbox] == [[reporter.email]]
