"""Completeness and timeliness: per period, per unit over time, in few queries."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import Role
from orgunits.models import AGENCY_KINDS, OrgUnit, OrgUnitKind
from orgunits.selectors import orgunit_graph, orgunit_sort_key
from plans.models import Sector
from plans.selectors import plan_current
from registry.checks import tax_code_check_digit
from registry.models import Enterprise
from registry.services import enterprise_designate, enterprise_save
from reporting.models import ReportRequest
from reporting.selectors import (
    LATE,
    MISSING,
    ON_TIME,
    PENDING,
    completeness_by_period,
    completeness_by_unit,
    completeness_for_period,
    report_ids_visible,
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


def test_period_rows_are_ordered_and_paged_in_the_database(plan, make_user,
                                                           django_assert_num_queries):
    """The database's order is the one the page promised (missing, late by most days, then
    on time, each by unit in the Vietnamese alphabet), and a page reads its rows in one
    query whatever the period's size."""
    period, created = period_open(plan=plan, code="2022S1", actor=None, notify=False)
    for code, day in (("sct", 10), ("tp-ha-long", 19), ("tp-cam-pha", 24), ("stnmt", 14)):
        _submit(report_of(period, code), make_user(Role.REPORTER, code),
                dt.datetime(2022, 6, day, 10))
    found = completeness_for_period(period=period, today=dt.date(2022, 7, 1))
    with django_assert_num_queries(1):
        rows = list(found.rows)
    rank = {MISSING: 0, LATE: 1, PENDING: 2, ON_TIME: 3}
    assert [r.report_id for r in rows] == [r.report_id for r in sorted(
        rows, key=lambda r: (rank[r.status], -r.days_late, orgunit_sort_key(r.unit)))]
    assert [(r.unit.code, r.days_late) for r in rows if r.status == LATE] == [
        ("tp-cam-pha", 10), ("tp-ha-long", 5)]
    assert len(found.rows) == len(created) == len(rows)
    with django_assert_num_queries(1):
        page = found.rows[10:20]
    assert [r.report_id for r in page] == [r.report_id for r in rows[10:20]]
    assert found.rows[-1].report_id == rows[-1].report_id


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
    orgunit_graph()  # read once per process, as on a running server
    with django_assert_max_num_queries(4):
        history = completeness_by_unit(plan=plan, today=dt.date(2022, 6, 1), per_page=1000)
    units = history.rows
    with django_assert_max_num_queries(1):  # the periods as the unit history read them
        assert completeness_by_period(plan=plan, today=dt.date(2022, 6, 1),
                                      periods=history.periods) == rows
    sct_row = next(r for r in units if r.unit.code == "sct")
    assert sct_row.cells["2021S1"][0] == ON_TIME and sct_row.cells["2021"][:2] == (LATE, 6)
    assert sct_row.rates.completeness == 100.0 and sct_row.rates.timeliness == 50.0
    other = next(r for r in units if r.unit.code == "h-co-to")
    assert other.rates.completeness == 0.0


def _designate_enterprises(n: int, actor) -> None:
    sector = Sector.objects.get(plan=plan_current(), code="coal")
    place = OrgUnit.objects.get(code="tp-ha-long")
    serial = 0
    while n:
        serial += 1
        first_nine = f"57{serial:07d}"
        check = tax_code_check_digit(first_nine)
        if check is None:
            continue
        enterprise = enterprise_save(data={
            "tax_code": f"{first_nine}{check}", "name": f"Doanh nghiệp {serial}",
            "sector": sector, "place": place, "valid_from": dt.date(2015, 1, 1)}, actor=actor)
        enterprise_designate(enterprise=enterprise, actor=actor)
        n -= 1


def test_units_come_a_page_at_a_time_in_a_fixed_number_of_queries(
        plan, coordinator, django_assert_num_queries):
    """The matrix of units × periods is paged and grouped: the work and the queries of one
    page do not grow with the number of units."""
    for code in ("2021S1", "2021"):
        period_open(plan=plan, code=code, actor=None, notify=False)

    def page(**kwargs):
        orgunit_graph()
        with django_assert_num_queries(4):
            return completeness_by_unit(plan=plan, today=dt.date(2022, 6, 1), per_page=10,
                                        **kwargs)

    before = page()
    _designate_enterprises(25, coordinator)  # designated now: obliged from the 2026 report
    period_open(plan=plan, code="2026", actor=None, notify=False)
    after = page()
    units = ReportRequest.objects.values("org_unit").distinct().count()
    assert after.page.paginator.count == units >= before.page.paginator.count + 25
    assert len(after.rows) == len(before.rows) == 10
    assert (before.group_sizes["enterprises"], after.group_sizes["enterprises"]) == (0, 25)
    assert sum(after.group_sizes.values()) == units
    # Ordered as everywhere else (kind, then the Vietnamese name), across pages.
    whole = completeness_by_unit(plan=plan, today=dt.date(2022, 6, 1), per_page=1000).rows
    assert [r.unit for r in whole] == sorted((r.unit for r in whole), key=orgunit_sort_key)
    last = page(page=after.page.paginator.num_pages)
    assert last.rows[-1].unit == whole[-1].unit
    # A group keeps only its units; its cells are those of the page's units.
    agencies = page(group="agencies")
    assert agencies.rows and all(r.unit.kind in AGENCY_KINDS for r in agencies.rows)
    assert agencies.page.paginator.count == after.group_sizes["agencies"]
    assert all(set(r.cells) <= {"2021S1", "2021", "2026"} for r in agencies.rows)
    assert set(next(r for r in whole if r.unit.code == "sct").cells) == {"2021S1", "2021", "2026"}
    firms = page(group="enterprises", page=3)
    assert firms.page.number == 3
    assert all(r.unit.kind == OrgUnitKind.ENTERPRISE for r in firms.rows)
    assert Enterprise.objects.filter(reporting_unit__isnull=False).count() >= 25


def test_the_completeness_page_is_paged_and_grouped(client, plan, coordinator):
    for code in ("2021S1", "2021"):
        period_open(plan=plan, code=code, actor=None, notify=False)
    client.force_login(coordinator)
    html = client.get("/reporting/completeness/?group=agencies").content.decode()
    assert 'href="?group=agencies#by-unit" aria-current="page"' in html
    assert "Sở Công Thương" in html and "Ủy ban nhân dân huyện Cô Tô" not in html
    everyone = client.get("/reporting/completeness/?group=nonsense&page=999")
    assert everyone.status_code == 200
    assert 'href="?#by-unit" aria-current="page"' in everyone.content.decode()


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


def test_the_reports_a_reader_may_open_cost_a_query_only_for_who_sees_some(
        plan, make_user, django_assert_num_queries):
    period, _ = period_open(plan=plan, code="2022S1", actor=None, notify=False)
    ids = list(period.requests.values_list("pk", flat=True))
    own = report_of(period, "sct").pk
    coordinator, reporter, viewer = (make_user(Role.COORDINATOR, "sct"),
                                     make_user(Role.REPORTER, "sct"),
                                     make_user(Role.VIEWER, "ubnd-quang-ninh"))
    with django_assert_num_queries(0):  # a coordinator opens every report
        assert report_ids_visible(user=coordinator, ids=ids) == set(ids)
    with django_assert_num_queries(1):
        assert report_ids_visible(user=reporter, ids=ids) == {own}
    with django_assert_num_queries(1):  # a viewer: accepted reports only, none yet
        assert report_ids_visible(user=viewer, ids=ids) == set()


def test_the_completeness_page_costs_eight_queries_whatever_the_number_of_units(
        client, plan, make_user, django_assert_num_queries):
    from django.urls import reverse

    client.force_login(make_user(Role.COORDINATOR, "sct"))
    units = []
    # designated now: obliged from the 2026 report
    for code, enterprises in (("2025", 0), ("2026", 60)):
        _designate_enterprises(enterprises, None)
        period_open(plan=plan, code=code, actor=None, notify=False)
        client.get(reverse("reporting:completeness"))  # the org units read once
        # session, user, plan, periods, unit rates, org units' fingerprint, the page's
        # cells, period rates
        with django_assert_num_queries(8):
            html = client.get(reverse("reporting:completeness")).content.decode()
        units.append(html.split('id="by-unit"')[1].count("<tr><td>"))
    assert units == [units[0], 50] and units[0] <= 50
