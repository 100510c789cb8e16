"""Figures that belong to a report follow that report's visibility everywhere (issue 7,
item 2): the enterprise page, the API, the Excel export and the totals, walked as a
matrix of role × report state. One selector (`registry.selectors.records_visible`)
decides for all of them; figures outside any report follow the registry's rules."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from registry import selectors, services
from reporting.models import ReportRequest, ReportState
from reporting.services import period_open, report_accept, report_return, report_submit

pytestmark = pytest.mark.django_db

ROLES = ["admin", "coordinator", "reporter_other", "enterprise_own", "enterprise_other",
         "viewer"]
STATES = ["draft", "submitted", "returned", "accepted"]


def sees_report_figures(role: str, state: str) -> bool:
    """The report's own rule: the coordinator and the unit itself always, a viewer once
    it is accepted, nobody else."""
    return role in ("admin", "coordinator", "enterprise_own") or (
        role == "viewer" and state == "accepted")


def opens_the_enterprise(role: str) -> bool:
    return role != "enterprise_other"


@pytest.fixture
def world(plan, make_user, make_enterprise, units_loaded):
    def make(state: str):
        enterprise = make_enterprise("Công ty CP Xi măng Thăng Long", sector="cement")
        own = services.enterprise_designate(enterprise=enterprise, actor=None, password="pw",
                                            since=dt.date(2021, 1, 1))
        other = make_enterprise("Than khác")
        other_user = services.enterprise_designate(enterprise=other, actor=None).user
        period, _ = period_open(plan=plan, code="2022", actor=None, notify=False)
        report = ReportRequest.objects.get(period=period, org_unit=own.unit)
        # in the report: 1.234.567 t of clinker; outside any report (2020, entered by the
        # coordinator): 7.654.321 t
        services.consumption_record_save(enterprise=enterprise, year=2022, period="year",
                                         lines=[("clinker", 1234567, "t"),
                                                ("coal-fuel-3-4", 1000, "t")], actor=None)
        services.consumption_record_save(enterprise=enterprise, year=2020, period="year",
                                         lines=[("clinker", 7654321, "t"),
                                                ("coal-fuel-3-4", 2000, "t")], actor=None)
        if state != "draft":
            report_submit(report=report, actor=None)
        if state == "returned":
            report_return(report=report, actor=None, reason="Kiểm tra lại.", notify=False)
        if state == "accepted":
            report_accept(report=report, actor=None, notify=False)
        assert ReportRequest.objects.get(pk=report.pk).state == getattr(
            ReportState, state.upper())
        users = {
            "admin": make_user(Role.ADMIN),
            "coordinator": make_user(Role.COORDINATOR, "sct"),
            "reporter_other": make_user(Role.REPORTER, "tp-ha-long"),
            "enterprise_own": own.user,
            "enterprise_other": other_user,
            "viewer": make_user(Role.VIEWER, "ubnd-quang-ninh"),
        }
        return enterprise, users
    return make


def _page_and_api(client, enterprise, users, role, state):
    client.force_login(users[role])
    page = client.get(reverse("registry:detail", args=["enterprises", enterprise.pk]))
    api = client.get(f"/api/v1/registry/enterprises/{enterprise.pk}/figures")
    entry = client.get(f"/api/v1/registry/enterprises/{enterprise.pk}")
    if not opens_the_enterprise(role):
        assert (page.status_code, api.status_code, entry.status_code) == (403, 403, 403)
        return
    assert (page.status_code, api.status_code, entry.status_code) == (200, 200, 200)
    html = page.content.decode()
    shown = sees_report_figures(role, state)
    assert ("1.234.567" in html) is shown
    assert "7.654.321" in html  # outside any report: the registry's rule
    codes = [r["period_code"] for r in api.json()["results"]]
    assert codes == (["2022", "2020"] if shown else ["2020"])
    assert [f["period_code"] for f in entry.json()["figures"]] == codes


def _export_and_totals(client, enterprise, users, role, state):
    client.force_login(users[role])
    response = client.get(reverse("registry:figures-export"))
    shown = sees_report_figures(role, state)
    if role.startswith("enterprise"):
        assert response.status_code == 403  # enterprises do not read the registries
    else:
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.getvalue())).active
        years = sorted({row[1] for row in sheet.iter_rows(min_row=2, values_only=True)
                        if row[0] == enterprise.tax_code})
        assert years == ([2020, 2022] if shown else [2020])
    visible = selectors.records_visible(user=users[role]).filter(enterprise=enterprise)
    assert sorted(visible.values_list("year", flat=True)) == (
        [2020, 2022] if shown else [2020])
    assert set(selectors.toe_total_by_sector(year=2022, user=users[role])) == (
        {"cement"} if shown else set())
    assert set(selectors.toe_total_by_sector(year=2020, user=users[role])) == {"cement"}


@pytest.mark.parametrize("state", STATES)
def test_figures_follow_the_report_by_role(client, world, state):
    """Each role × this state: the enterprise page, the API (figures and the entry), the
    Excel export and the totals."""
    enterprise, users = world(state)
    # what counts in the province's figures (progress) is what a viewer sees
    assert set(selectors.records_accepted().filter(enterprise=enterprise)) == set(
        selectors.records_visible(user=users["viewer"]).filter(enterprise=enterprise))
    for role in ROLES:
        try:
            _page_and_api(client, enterprise, users, role, state)
            _export_and_totals(client, enterprise, users, role, state)
        except AssertionError as exc:
            raise AssertionError(f"{role} × {state}: {exc}") from exc


def test_the_selector_reads_in_one_query(world, django_assert_num_queries):
    _enterprise, users = world("submitted")
    with django_assert_num_queries(1):
        list(selectors.records_visible(user=users["viewer"]))
