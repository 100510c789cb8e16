"""Reminders: N days before the due date to reporters, overdue to reporters and the
coordinators; never the same reminder twice, however often the command runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from accounts.models import Role
from reporting.models import ReminderLog
from reporting.services import reminders_send, report_save, report_submit
from reporting.tests.conftest import complete_payload, report_of

DUE = dt.date(2022, 6, 14)  # 2022S1


@pytest.fixture
def people(period, make_user):
    return {"sct": make_user(Role.REPORTER, "sct"), "hl": make_user(Role.REPORTER, "tp-ha-long"),
            "coord": make_user(Role.COORDINATOR, "sct")}


def _to(mailoutbox) -> list[str]:
    return sorted(address for m in mailoutbox for address in m.to)


def test_seven_days_before_each_reporter_once(period, people, mailoutbox):
    summary = reminders_send(today=DUE - dt.timedelta(days=7))
    assert people["sct"].email in _to(mailoutbox) and people["hl"].email in _to(mailoutbox)
    assert people["coord"].email not in _to(mailoutbox)
    sent = len(mailoutbox)
    assert summary.sent == sent > 0
    again = reminders_send(today=DUE - dt.timedelta(days=7))
    assert again.sent == 0 and again.already_sent == sent and len(mailoutbox) == sent
    # A later run within the same window (5 days before) sends nothing new either.
    assert reminders_send(today=DUE - dt.timedelta(days=5)).sent == 0
    # The 1-day reminder is a different reminder.
    assert reminders_send(today=DUE - dt.timedelta(days=1)).sent == sent


def test_the_command_run_twice_sends_each_reminder_once(period, people, mailoutbox):
    call_command("send-reminders", "--today", (DUE - dt.timedelta(days=1)).isoformat())
    first = len(mailoutbox)
    assert first > 0
    call_command("send-reminders", "--today", (DUE - dt.timedelta(days=1)).isoformat())
    assert len(mailoutbox) == first
    assert ReminderLog.objects.count() == first


def test_no_reminder_for_a_submitted_report(period, people, mailoutbox):
    report = report_of(period, "sct")
    values, answers = complete_payload(report)
    report = report_save(report=report, actor=people["sct"], version=1, values=values,
                         answers=answers)
    report_submit(report=report, actor=people["sct"])
    reminders_send(today=DUE - dt.timedelta(days=1))
    assert people["sct"].email not in _to(mailoutbox)
    assert people["hl"].email in _to(mailoutbox)


def test_overdue_goes_to_reporters_and_one_digest_to_each_coordinator(period, people,
                                                                      mailoutbox):
    reminders_send(today=DUE + dt.timedelta(days=1))
    to = _to(mailoutbox)
    assert people["sct"].email in to and people["hl"].email in to
    digests = [m for m in mailoutbox if m.to == [people["coord"].email]]
    assert len(digests) == 1
    assert "\n- Thành phố Hạ Long: kỳ 2022S1, quá hạn 1 ngày\n" in digests[0].body
    count = len(mailoutbox)
    reminders_send(today=DUE + dt.timedelta(days=1))
    reminders_send(today=DUE + dt.timedelta(days=3))
    assert len(mailoutbox) == count
    reminders_send(today=DUE + dt.timedelta(days=7))
    assert len(mailoutbox) > count


def test_no_reminders_for_long_forgotten_periods(period, people, mailoutbox):
    assert reminders_send(today=DUE + dt.timedelta(days=400)).sent == 0
    assert mailoutbox == []


def test_a_unit_without_reporters_is_written_to_at_its_own_address(period, people, mailoutbox):
    unit = report_of(period, "h-co-to").org_unit
    unit.email = "ubnd-coto@example.invalid"
    unit.save()
    reminders_send(today=DUE - dt.timedelta(days=1))
    assert "ubnd-coto@example.invalid" in _to(mailoutbox)


def test_command_rejects_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("send-reminders", "--today", "14/06/2022")
