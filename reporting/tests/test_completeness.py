"""Completeness and timeliness: per period, per unit over time, in few queries."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import Role
from reporting.selectors import (
    LATE,
    MISSING,
    ON_TIME,
    PENDING,
    completeness_by_period,
    completeness_by_unit,
    completeness_for_period,
    timeliness,
)
from reporting.services import period_open, report_save, report_submit
from reporting.tests.conftest import complete_payload, report_of


def _submit(report, actor, when: dt.datetime):
    values, answers = complete_payload(report)
    report = report_save(report=report, actor=actor, version=report.version, values=values,
                         answers=answers)
    return report_submit(report=report, actor=actor, now=timezone.make_aware(when))


def test_timeliness_rules():
    due = dt.date(2022, 6, 14)
    assert timeliness(due_date=due, first_submitted_on=due, today=due) == (ON_TIME, 0)
    assert timeliness(due_date=due, first_submitted_on=dt.date(2022, 6, 17),
                      today=due) == (LATE, 3)
    assert timeliness(due_date=due, first_submitted_on=None, today=due) == (PENDING, 0)
    assert timeliness(due_date=due, first_submitted_on=None,
                      today=dt.date(2022, 6, 24)) == (MISSING, 10)


def test_period_completeness(plan, make_user, django_assert_max_num_queries):
    period, created = period_open(plan=plan, code="2022S1", actor=None, notify=False)
    _submit(report_of(period, "sct"), make_user(Role.REPORTER, "sct"),
            dt.datetime(2022, 6, 10, 10))
    _submit(report_of(period, "tp-ha-long"), make_user(Role.REPORTER, "tp-ha-long"),
            dt.datetime(2022, 6, 19, 10))
    with django_assert_max_num_queries(1):
        found = completeness_for_period(period=period, today=dt.date(2022, 7, 1))
    by_code = {r.unit.code: r for r in found.rows}
    assert (by_code["sct"].status, by_code["sct"].days_late) == (ON_TIME, 0)
    assert (by_code["tp-ha-long"].status, by_code["tp-ha-long"].days_late) == (LATE, 5)
    assert (by_code["h-co-to"].status, by_code["h-co-to"].days_late) == (MISSING, 17)
    rates = found.rates
    assert (rates.total, rates.on_time, rates.late, rates.missing) == (len(created), 1, 1,
                                                                       len(created) - 2)
    assert rates.completeness == round(200 / len(created), 1)
    assert found.rows[0].status == MISSING and found.rows[-1].status == ON_TIME


def test_rates_over_time_are_computed_in_the_database(plan, make_user,
                                                      django_assert_max_num_queries):
    sct = make_user(Role.REPORTER, "sct")
    for code, when in (("2021S1", dt.datetime(2021, 6, 1, 9)),
                       ("2021", dt.datetime(2021, 12, 20, 9)),
                       ("2022S1", None)):
        period, _ = period_open(plan=plan, code=code, actor=None, notify=False)
        if when:
            _submit(report_of(period, "sct"), sct, when)
    with django_assert_max_num_queries(2):
        rows = completeness_by_period(plan=plan, today=dt.date(2022, 6, 1))
    assert [p.code for p, _r in rows] == ["2021S1", "2021", "2022S1"]
    first, second, third = (r for _p, r in rows)
    assert (first.on_time, first.late) == (1, 0)
    assert (second.on_time, second.late) == (0, 1)
    assert third.pending == third.total and third.completeness is None
    with django_assert_max_num_queries(3):
        _periods, units = completeness_by_unit(plan=plan, today=dt.date(2022, 6, 1))
    sct_row = next(r for r in units if r.unit.code == "sct")
    assert sct_row.cells["2021S1"][0] == ON_TIME and sct_row.cells["2021"][:2] == (LATE, 6)
    assert sct_row.rates.completeness == 100.0 and sct_row.rates.timeliness == 50.0
    other = next(r for r in units if r.unit.code == "h-co-to")
    assert other.rates.completeness == 0.0


def test_completeness_links_only_reports_the_reader_may_open(plan, make_user, client):
    """A viewer reads accepted reports only: on both completeness pages only those are
    links, and each link opens; the coordinator gets every report as a link."""
    from django.urls import reverse

    from reporting.services import report_accept

    period, _ = period_open(plan=plan, code="2022S1", actor=None, notify=False)
    accepted, submitted = report_of(period, "sct"), report_of(period, "tp-ha-long")
    _submit(accepted, None, dt.datetime(2022, 6, 1, 9))
    report_accept(report=accepted, actor=None, notify=False)
    _submit(submitted, None, dt.datetime(2022, 6, 1, 9))
    links = {accepted: reverse("reporting:report", args=[period.code, "sct"]),
             submitted: reverse("reporting:report", args=[period.code, "tp-ha-long"])}
    for role, opens in [(Role.VIEWER, {accepted}), (Role.COORDINATOR, {accepted, submitted})]:
        client.force_login(make_user(role, "ubnd-quang-ninh" if role == Role.VIEWER
                                     else "sct"))
        for page in (reverse("reporting:completeness"),
                     reverse("reporting:period", args=[period.code])):
            html = client.get(page).content.decode()
            for report, link in links.items():
                assert (f'href="{link}"' in html) is (report in opens), (role, page, link)
        for report in opens:
            assert client.get(links[report]).status_code == 200
