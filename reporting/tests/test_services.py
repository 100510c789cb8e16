"""The workflow: save with versions, submit, return, resubmit, accept, reopen; validation
before submission; audit records; nothing stored from a refused request."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from common.exceptions import ConflictError
from common.parsing import MAX_TEXT
from common.selectors import audit_events_for
from reporting.models import ConflictCopy, DataValue, ReportRequest, ReportState, TaskAnswer
from reporting.sections import _SECTIONS, ExtraSection, section_register
from reporting.selectors import report_conflicts_open, report_issues, report_layout
from reporting.services import (
    MAX_CONFLICT_BYTES,
    MAX_CONFLICTS_KEPT,
    conflict_resolve,
    period_open,
    report_accept,
    report_reopen,
    report_resubmit,
    report_return,
    report_save,
    report_save_submit,
    report_submit,
)
from reporting.tests.conftest import complete_payload, report_of


def _fill(report, actor, **kw):
    values, answers = complete_payload(report, **kw)
    return report_save(report=report, actor=actor, version=report.version, values=values,
                       answers=answers)


def test_save_stores_values_and_answers_and_bumps_the_version(sct_report, reporter):
    saved = report_save(report=sct_report, actor=reporter, version=1,
                        values={"supermarkets-total": "12", "iv-1-1-budget-spent": 1500000},
                        answers={"IV.1.1": {"status": "in_progress", "results": "Đã ban hành"}})
    assert saved.version == 2
    values = dict(DataValue.objects.filter(request=sct_report)
                  .values_list("element__code", "numeric"))
    assert values == {"supermarkets-total": 12, "iv-1-1-budget-spent": 1500000}
    answer = TaskAnswer.objects.get(request=sct_report, task__ref="IV.1.1")
    assert (answer.status, answer.results) == ("in_progress", "Đã ban hành")


def test_every_change_is_audited_with_old_and_new_value(sct_report, reporter):
    report_save(report=sct_report, actor=reporter, version=1, values={"supermarkets-total": 12})
    report_save(report=sct_report, actor=reporter, version=2,
                values={"supermarkets-total": {"value": 14, "comment": "Thêm 2 siêu thị"}},
                answers={"IV.1.2": {"status": "completed"}})
    event = audit_events_for(obj=sct_report).filter(action="report.save").first()
    assert event.actor == reporter
    changes = {c["field"]: (c["old"], c["new"]) for c in event.changes}
    assert changes == {"value:supermarkets-total": ("12", "14"),
                       "comment:supermarkets-total": (None, "Thêm 2 siêu thị"),
                       "task:IV.1.2:status": (None, "completed")}


def test_a_save_without_change_changes_nothing(sct_report, reporter):
    report_save(report=sct_report, actor=reporter, version=1, values={"supermarkets-total": 12})
    again = report_save(report=sct_report, actor=reporter, version=2,
                        values={"supermarkets-total": "12"})
    assert again.version == 2
    assert audit_events_for(obj=sct_report).filter(action="report.save").count() == 1


def test_one_bad_value_refuses_the_whole_save(sct_report, reporter):
    with pytest.raises(ValidationError) as caught:
        report_save(report=sct_report, actor=reporter, version=1,
                    values={"supermarkets-total": 12, "zones-total": "-3",
                            "no-such-question": 1, "iv-1-1-yearly-plan-issued": "maybe"},
                    answers={"IV.1.1": {"status": "finished"}, "IV.9.9": {"status": "completed"},
                             "IV.1.2": {"results": ["a list"]}})
    errors = caught.value.message_dict
    assert set(errors) == {"values.zones-total", "values.no-such-question",
                           "values.iv-1-1-yearly-plan-issued", "tasks.IV.1.1.status",
                           "tasks.IV.9.9", "tasks.IV.1.2.results"}
    assert not DataValue.objects.filter(request=sct_report).exists()
    sct_report.refresh_from_db()
    assert sct_report.version == 1


def test_a_stale_version_is_refused_and_both_versions_are_kept(sct_report, reporter,
                                                              coordinator):
    report_save(report=sct_report, actor=coordinator, version=1,
                values={"supermarkets-total": 20})
    with pytest.raises(ConflictError) as caught:
        report_save(report=sct_report, actor=reporter, version=1,
                    values={"supermarkets-total": 25})
    assert DataValue.objects.get(request=sct_report).value == "20"
    copy = ConflictCopy.objects.get(request=sct_report)
    assert caught.value.current == copy
    assert (copy.base_version, copy.current_version, copy.author) == (1, 2, reporter)
    assert copy.payload == {"values": {"supermarkets-total": {"value": "25"}}, "answers": {},
                            "machine": True}
    # Resolving with "mine" applies the refused changes on top of the current version.
    conflict_resolve(conflict=copy, actor=reporter, keep="mine")
    assert DataValue.objects.get(request=sct_report).value == "25"
    copy.refresh_from_db()
    assert copy.resolution == "mine" and copy.resolved_at is not None
    with pytest.raises(ValidationError):
        conflict_resolve(conflict=copy, actor=reporter, keep="theirs")


def test_the_open_conflicts_flag_follows_the_copies(sct_report, reporter, coordinator):
    def flagged() -> bool:
        return ReportRequest.objects.get(pk=sct_report.pk).has_open_conflicts

    assert not flagged()
    report_save(report=sct_report, actor=coordinator, version=1,
                values={"supermarkets-total": 20})
    for attempt in (25, 26):  # two refused saves: two open copies
        with pytest.raises(ConflictError):
            report_save(report=sct_report, actor=reporter, version=1,
                        values={"supermarkets-total": attempt})
    assert flagged()
    first, second = ConflictCopy.objects.filter(request=sct_report).order_by("pk")
    conflict_resolve(conflict=first, actor=reporter, keep="theirs")
    assert flagged()  # the other copy is still open
    resolved = conflict_resolve(conflict=second, actor=reporter, keep="theirs")
    assert not flagged() and not resolved.has_open_conflicts
    assert report_conflicts_open(report=resolved) == []


def test_a_stale_save_with_unknown_or_bad_fields_is_refused_not_kept(sct_report, reporter,
                                                                     coordinator):
    report_save(report=sct_report, actor=coordinator, version=1,
                values={"supermarkets-total": 20})
    for values, answers in [({"no-such-question": "x" * 100_000}, {}),
                            ({"supermarkets-total": {"value": 3, "junk": "x" * 1000}}, {}),
                            ({}, {"IV.1.1": {"status": "in_progress", "junk": "x"}}),
                            ({}, {"IV.1.1": {"results": "x" * (MAX_TEXT + 1)}})]:
        with pytest.raises(ValidationError):
            report_save(report=sct_report, actor=reporter, version=1, values=values,
                        answers=answers)
    assert not ConflictCopy.objects.exists()


def test_many_large_stale_saves_keep_a_bounded_number_of_bounded_copies(
        sct_report, reporter, coordinator):
    """30 stale saves of nearly the longest texts allowed: at most MAX_CONFLICTS_KEPT
    copies are kept, the newest, each within MAX_CONFLICT_BYTES; a save too large to keep
    says so and keeps nothing."""
    layout = report_layout(report=sct_report, with_issues=False)
    refs = list(layout.answers)
    report_save(report=sct_report, actor=coordinator, version=1,
                values={"supermarkets-total": 20})
    big = "Kết quả " * 2_000  # 16.000 characters
    for n in range(30):
        with pytest.raises(ConflictError) as caught:
            report_save(report=sct_report, actor=reporter, version=1,
                        values={"supermarkets-total": n},
                        answers={ref: {"results": big, "difficulties": big[:3000]}
                                 for ref in refs[:4]})
        assert isinstance(caught.value.current, ConflictCopy)
    copies = list(ConflictCopy.objects.filter(request=sct_report).order_by("-created_at",
                                                                           "-pk"))
    assert len(copies) == MAX_CONFLICTS_KEPT
    assert [c.payload["values"]["supermarkets-total"]["value"] for c in copies] == [
        str(n) for n in range(29, 29 - MAX_CONFLICTS_KEPT, -1)]
    assert all(len(json.dumps(c.payload, ensure_ascii=False).encode()) <= MAX_CONFLICT_BYTES
               for c in copies)
    assert len(refs) >= 5
    with pytest.raises(ConflictError) as caught:
        report_save(report=sct_report, actor=reporter, version=1,
                    answers={ref: {"results": big, "difficulties": big, "proposals": big}
                             for ref in refs})
    assert caught.value.current is None
    assert "quá lớn để giữ lại bên cạnh bản hiện tại (hơn 200 kB)" in caught.value.message
    assert ConflictCopy.objects.filter(request=sct_report).count() == MAX_CONFLICTS_KEPT


def test_keeping_theirs_discards_the_copy(sct_report, reporter, coordinator):
    report_save(report=sct_report, actor=coordinator, version=1,
                values={"supermarkets-total": 20})
    with pytest.raises(ConflictError):
        report_save(report=sct_report, actor=reporter, version=1,
                    values={"supermarkets-total": 25})
    conflict_resolve(conflict=ConflictCopy.objects.get(), actor=reporter, keep="theirs")
    assert DataValue.objects.get(request=sct_report).value == "20"


def test_submit_needs_required_answers_and_task_statuses(sct_report, reporter):
    with pytest.raises(ValidationError) as caught:
        report_submit(report=sct_report, actor=reporter)
    errors = caught.value.message_dict
    assert "values.supermarkets-total" in errors and "tasks.IV.1.1.status" in errors
    assert "«Số siêu thị, trung tâm thương mại trên địa bàn»" in errors[
        "values.supermarkets-total"][0]
    sct_report.refresh_from_db()
    assert sct_report.state == ReportState.DRAFT


def test_a_part_may_not_exceed_its_whole(sct_report, reporter):
    _fill(sct_report, reporter)
    report_save(report=sct_report, actor=reporter, version=2,
                values={"supermarkets-eco-packaging": 11})
    with pytest.raises(ValidationError) as caught:
        report_submit(report=sct_report, actor=reporter)
    assert list(caught.value.message_dict) == ["values.supermarkets-eco-packaging"]


def test_save_and_submit_keeps_the_save_when_the_submission_is_refused(sct_report, reporter):
    report, refused = report_save_submit(report=sct_report, actor=reporter, version=1,
                                         values={"supermarkets-total": "12"})
    assert refused is not None and "state" not in refused.message_dict
    assert (report.state, report.version) == (ReportState.DRAFT, 2)
    assert DataValue.objects.get(request=sct_report,
                                 element__code="supermarkets-total").numeric == 12
    values, answers = complete_payload(report)
    report, refused = report_save_submit(report=report, actor=reporter, version=2,
                                         values=values, answers=answers)
    assert refused is None and report.state == ReportState.SUBMITTED


def test_save_and_submit_of_a_stale_version_keeps_a_conflict_copy(sct_report, reporter):
    _fill(sct_report, reporter)
    with pytest.raises(ConflictError):
        report_save_submit(report=sct_report, actor=reporter, version=1,
                           values={"supermarkets-total": "13"})
    assert ConflictCopy.objects.filter(request=sct_report).count() == 1
    assert report_of(sct_report.period, "sct").state == ReportState.DRAFT


def test_status_needs_results(sct_report, reporter):
    _fill(sct_report, reporter)
    report_save(report=sct_report, actor=reporter, version=2,
                answers={"IV.1.1": {"results": ""}})
    with pytest.raises(ValidationError) as caught:
        report_submit(report=sct_report, actor=reporter)
    assert list(caught.value.message_dict) == ["tasks.IV.1.1.results"]


def test_one_off_tasks_cannot_be_done_for_the_period(period, make_user):
    report = report_of(period, "stnmt")  # IV.2.3 is a one-off task
    actor = make_user("reporter", "stnmt")
    with pytest.raises(ValidationError) as caught:
        report_save(report=report, actor=actor, version=1,
                    answers={"IV.2.3": {"status": "recurring_done"}})
    assert list(caught.value.message_dict) == ["tasks.IV.2.3.status"]
    report_save(report=report, actor=actor, version=1,
                answers={"IV.2.1": {"status": "recurring_done", "results": "Đã làm"}})


def test_full_cycle_submit_return_resubmit_accept_lock_reopen(sct_report, reporter,
                                                             coordinator):
    _fill(sct_report, reporter)
    report = report_submit(report=sct_report, actor=reporter)
    assert report.state == ReportState.SUBMITTED
    first_on = report.first_submitted_on
    assert first_on == timezone.localdate()
    with pytest.raises(ValidationError) as caught:
        report_save(report=report, actor=reporter, version=report.version,
                    values={"supermarkets-total": 1})
    assert "state" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        report_return(report=report, actor=coordinator, reason="   ")
    assert "reason" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        report_return(report=report, actor=reporter, reason="tự trả lại")
    report = report_return(report=report, actor=coordinator, reason="Thiếu số liệu IV.1.3")
    assert (report.state, report.return_reason) == (ReportState.RETURNED, "Thiếu số liệu IV.1.3")
    report = report_save(report=report, actor=reporter, version=report.version,
                         values={"supermarkets-total": 11})
    report = report_resubmit(report=report, actor=reporter)
    assert report.state == ReportState.SUBMITTED and report.first_submitted_on == first_on
    with pytest.raises(PermissionDenied):
        report_accept(report=report, actor=reporter)
    report = report_accept(report=report, actor=coordinator)
    assert report.state == ReportState.ACCEPTED and report.accepted_by == coordinator
    for attempt in (
        lambda: report_save(report=report, actor=reporter, version=report.version,
                            values={"supermarkets-total": 1}),
        lambda: report_submit(report=report, actor=reporter),
        lambda: report_save(report=report, actor=coordinator, version=report.version,
                            values={"supermarkets-total": 1}),
    ):
        with pytest.raises(ValidationError):
            attempt()
    assert DataValue.objects.get(request=report, element__code="supermarkets-total").value == "11"
    with pytest.raises(ValidationError):
        report_reopen(report=report, actor=coordinator, reason="")
    report = report_reopen(report=report, actor=coordinator, reason="Sai số liệu siêu thị")
    assert report.state == ReportState.RETURNED and report.accepted_at is None
    actions = [e.action for e in audit_events_for(obj=report)]
    assert actions[:6] == ["report.reopen", "report.accept", "report.resubmit", "report.save",
                           "report.return", "report.submit"]
    states = [c for e in audit_events_for(obj=report) for c in e.changes if c["field"] == "state"]
    assert states[0] == {"field": "state", "old": "accepted", "new": "returned"}


def test_a_change_returns_the_row_as_stored_without_reading_it_back(sct_report, reporter,
                                                                   coordinator):
    report = _fill(sct_report, reporter)
    for change in (lambda r: report_save(report=r, actor=reporter, version=r.version,
                                         values={"supermarkets-total": 7}),
                   lambda r: report_submit(report=r, actor=reporter),
                   lambda r: report_return(report=r, actor=coordinator, reason="Thiếu IV.1.3"),
                   lambda r: report_resubmit(report=r, actor=reporter),
                   lambda r: report_accept(report=r, actor=coordinator)):
        before = report.version
        with CaptureQueriesContext(connection) as queries:
            report = change(report)
        sql = [q["sql"] for q in queries.captured_queries]
        written = next(i for i, q in enumerate(sql)
                       if q.startswith('UPDATE "reporting_reportrequest"'))
        # the row is not read back (a signal's handler may join it to other tables)
        assert not any(q.startswith('SELECT "reporting_reportrequest"')
                       for q in sql[written:]), "\n".join(q[:200] for q in sql[written:])
        stored = ReportRequest.objects.get(pk=report.pk)
        assert report.version == before + 1
        assert model_to_dict(report) == model_to_dict(stored)
        assert report.updated_at == stored.updated_at
    assert report.state == ReportState.ACCEPTED and report.accepted_by == coordinator


def test_resubmit_only_from_returned(sct_report, reporter):
    _fill(sct_report, reporter)
    with pytest.raises(ValidationError):
        report_resubmit(report=sct_report, actor=reporter)


def test_a_reporter_cannot_touch_another_units_report(sct_report, other_reporter):
    with pytest.raises(PermissionDenied):
        report_save(report=sct_report, actor=other_reporter, version=1,
                    values={"supermarkets-total": 1})
    with pytest.raises(PermissionDenied):
        report_submit(report=sct_report, actor=other_reporter)
    assert not DataValue.objects.filter(request=sct_report).exists()


def test_a_viewer_cannot_write(sct_report, viewer):
    with pytest.raises(PermissionDenied):
        report_save(report=sct_report, actor=viewer, version=1, values={"supermarkets-total": 1})


def test_figures_far_from_the_previous_period_need_a_comment(plan, reporter, coordinator):
    previous, _ = period_open(plan=plan, code="2021S1", actor=None, notify=False)
    old = report_of(previous, "sct")
    _fill(old, reporter, whole=10, part=5)
    report_submit(report=old, actor=reporter)
    current, _ = period_open(plan=plan, code="2022S1", actor=None, notify=False)
    report = report_of(current, "sct")
    report = _fill(report, reporter, whole=10, part=5)
    report = report_save(report=report, actor=reporter, version=report.version,
                         values={"supermarkets-total": 40})
    warnings = [i for i in report_issues(report=report) if i.level == "warning"]
    assert [i.key for i in warnings] == ["values.supermarkets-total"]
    assert warnings[0].blocking
    with pytest.raises(ValidationError) as caught:
        report_submit(report=report, actor=reporter)
    assert list(caught.value.message_dict) == ["values.supermarkets-total"]
    report = report_save(report=report, actor=reporter, version=report.version,
                         values={"supermarkets-total": {"comment": "Khai trương 30 cửa hàng"}})
    assert report_submit(report=report, actor=reporter).state == ReportState.SUBMITTED


def test_extra_sections_block_submission(sct_report, reporter):
    section_register(ExtraSection(
        key="test-extra", title="Extra", template="reporting/_field_messages.html",
        applies=lambda r: r.org_unit.code == "sct", context=lambda r: {},
        validate=lambda r: ["Thiếu số liệu tiêu thụ"]))
    try:
        _fill(sct_report, reporter)
        with pytest.raises(ValidationError) as caught:
            report_submit(report=sct_report, actor=reporter)
        assert caught.value.message_dict == {"sections.test-extra": ["Thiếu số liệu tiêu thụ"]}
    finally:
        _SECTIONS.pop("test-extra", None)


def test_late_submission_keeps_the_first_date(sct_report, reporter, coordinator):
    _fill(sct_report, reporter)
    late = timezone.make_aware(dt.datetime(2022, 6, 20, 9, 0))
    report = report_submit(report=sct_report, actor=reporter, now=late)
    assert report.first_submitted_on == dt.date(2022, 6, 20)
    report = report_return(report=report, actor=coordinator, reason="Bổ sung")
    report = report_submit(report=report, actor=reporter)
    assert report.first_submitted_on == dt.date(2022, 6, 20)


def test_returning_and_accepting_mail_the_unit(sct_report, reporter, coordinator, mailoutbox,
                                               django_capture_on_commit_callbacks):
    _fill(sct_report, reporter)
    report = report_submit(report=sct_report, actor=reporter)
    with django_capture_on_commit_callbacks(execute=True):
        report_return(report=report, actor=coordinator, reason="Thiếu IV.1.3")
    assert mailoutbox[-1].to == [reporter.email] and "Thiếu IV.1.3" in mailoutbox[-1].body
