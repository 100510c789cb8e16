"""The enterprise-figures section of an enterprise's report form: it appears only on
enterprises' reports, edits the period's figures while the report may change, and blocks
submission while output is missing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Role
from registry import services
from registry.models import ConsumptionRecord, FigureSource
from registry.sections import SECTION_KEY, figures_locked, section_applies, section_validate
from reporting.models import ReportRequest
from reporting.sections import sections_for
from reporting.services import period_open, report_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(plan, make_enterprise, units_loaded):
    enterprise = make_enterprise("Công ty CP Than Hà Lầm")
    designation = services.enterprise_designate(enterprise=enterprise, actor=None,
                                                password="pw", since=dt.date(2021, 1, 1))
    period, _ = period_open(plan=plan, code="2022S1", actor=None, notify=False)
    report = ReportRequest.objects.select_related("period", "org_unit").get(
        period=period, org_unit=designation.unit)
    return enterprise, designation.user, report


FORM = {"lines-TOTAL_FORMS": "3", "lines-INITIAL_FORMS": "0", "version": "0",
        "lines-0-item": "coal", "lines-0-quantity": "1.150.000", "lines-0-unit": "t",
        "lines-1-item": "electricity", "lines-1-quantity": "36.000.000", "lines-1-unit": "kWh",
        "lines-2-item": "", "lines-2-quantity": "", "lines-2-unit": ""}


def test_the_section_is_registered_and_applies_only_to_enterprises(setup, plan):
    _enterprise, _user, report = setup
    assert [s.key for s in sections_for(report)] == [SECTION_KEY]
    agency = ReportRequest.objects.filter(period=report.period, org_unit__code="sct").first()
    assert agency is not None and not section_applies(agency)


def test_missing_output_blocks_submission(setup):
    _enterprise, user, report = setup
    problems = section_validate(report)
    assert problems and "First half of 2022" in problems[0]
    with pytest.raises(ValidationError) as exc:
        report_submit(report=report, actor=user)
    assert f"sections.{SECTION_KEY}" in exc.value.message_dict


def test_the_enterprise_fills_in_its_figures_in_the_report(setup, client):
    enterprise, user, report = setup
    client.force_login(user)
    page = client.get(reverse("reporting:report", args=[report.period.code,
                                                       report.org_unit.code]))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("registry:report-figures", args=[report.pk]) in html
    response = client.post(reverse("registry:report-figures", args=[report.pk]), FORM,
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    record = ConsumptionRecord.objects.get(enterprise=enterprise)
    assert (record.year, record.period, record.source) == (2022, "h1", FigureSource.REPORT)
    assert section_validate(report) == []
    # a bad line comes back in the section, nothing stored
    bad = FORM | {"version": "1", "lines-1-unit": "t"}
    response = client.post(reverse("registry:report-figures", args=[report.pk]), bad,
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "field-error" in response.content.decode()
    assert ConsumptionRecord.objects.get().version == 1


def test_figures_are_locked_once_the_report_is_submitted(setup, client):
    enterprise, user, report = setup
    services.consumption_record_save(enterprise=enterprise, year=2022, period="h1",
                                     lines=[("coal", 10, "t"), ("diesel", 5, "l")], actor=user)
    report_submit(report=report, actor=user)
    assert figures_locked(enterprise=enterprise, year=2022, period="h1")
    assert not figures_locked(enterprise=enterprise, year=2022, period="year")
    client.force_login(user)
    response = client.post(reverse("registry:report-figures", args=[report.pk]), FORM)
    assert response.status_code == 403
    response = client.post(reverse("registry:figures-edit", args=[enterprise.pk, 2022, "h1"]),
                           FORM)
    assert response.status_code == 403
    assert ConsumptionRecord.objects.get().lines.get(item__code="coal").quantity == 10


def test_another_enterprise_cannot_use_the_section(setup, client, make_enterprise):
    _enterprise, _user, report = setup
    other = make_enterprise("Than khác")
    other_user = services.enterprise_designate(enterprise=other, actor=None).user
    client.force_login(other_user)
    response = client.post(reverse("registry:report-figures", args=[report.pk]), FORM)
    assert response.status_code == 403
    assert not ConsumptionRecord.objects.exists()


def test_section_for_a_non_enterprise_report_is_404(setup, client, make_user):
    _enterprise, _user, report = setup
    agency = ReportRequest.objects.filter(period=report.period, org_unit__code="sct").first()
    client.force_login(make_user(Role.COORDINATOR, "sct"))
    response = client.post(reverse("registry:report-figures", args=[agency.pk]), FORM)
    assert response.status_code == 404
