"""The enterprise-figures section of an enterprise's report form: it appears only on
enterprises' reports, edits the period's figures while the report may change, and blocks
submission while output is missing."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from common.models import AuditEvent
from registry import services
from registry.models import ConsumptionLine, ConsumptionRecord, FigureSource
from registry.sections import SECTION_KEY, figures_locked, section_applies, section_validate
from reporting.models import DataValue, ReportRequest, ReportState
from reporting.sections import sections_for
from reporting.services import period_open, report_save, report_submit

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


def test_the_section_is_registered_and_applies_only_to_enterprises(setup, plan):
    _enterprise, _user, report = setup
    assert SECTION_KEY in [s.key for s in sections_for(report)]
    agency = ReportRequest.objects.filter(period=report.period, org_unit__code="sct").first()
    assert agency is not None and not section_applies(agency)
    assert SECTION_KEY not in [s.key for s in sections_for(agency)]


def test_missing_output_blocks_submission(setup):
    _enterprise, user, report = setup
    problems = section_validate(report)
    assert problems and "First half of 2022" in problems[0]
    with pytest.raises(ValidationError) as exc:
        report_submit(report=report, actor=user)
    assert f"sections.{SECTION_KEY}" in exc.value.message_dict


def test_figures_are_locked_once_the_report_is_submitted(setup, client):
    enterprise, user, report = setup
    services.consumption_record_save(enterprise=enterprise, year=2022, period="h1",
                                     lines=[("coal", 10, "t"), ("diesel", 5, "l")], actor=user)
    report_submit(report=report, actor=user)
    assert figures_locked(enterprise=enterprise, year=2022, period="h1")
    assert not figures_locked(enterprise=enterprise, year=2022, period="year")
    client.force_login(user)
    response = client.post(reverse("registry:figures-edit", args=[enterprise.pk, 2022, "h1"]),
                           {"lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0",
                            "version": "1", "lines-0-item": "coal", "lines-0-quantity": "5",
                            "lines-0-unit": "t"})
    assert response.status_code == 403
    assert ConsumptionRecord.objects.get().lines.get(item__code="coal").quantity == 10


def _page(client, report):
    return client.get(reverse("reporting:report", args=[report.period.code,
                                                       report.org_unit.code]))


def _form(client, report, **changes: str) -> dict[str, str]:
    """The report page's one form as the browser would post it: every input, select and
    textarea with its value as rendered, then `changes` (field name → new value)."""
    page = _page(client, report)
    assert page.status_code == 200
    html = page.content.decode()
    form = html[html.index('<form id="report-form"'):]
    form = form[:form.index("</form>")]
    data: dict[str, str] = {}
    for tag in re.finditer(r"<input\b[^>]*>", form):
        name = re.search(r'name="([^"]*)"', tag.group(0))
        value = re.search(r'value="([^"]*)"', tag.group(0))
        if name:
            data[unescape(name.group(1))] = unescape(value.group(1)) if value else ""
    for tag in re.finditer(r'<select\b[^>]*name="([^"]*)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', tag.group(2))
        data[unescape(tag.group(1))] = unescape(chosen.group(1)) if chosen else ""
    for tag in re.finditer(r'<textarea\b[^>]*name="([^"]*)"[^>]*>(.*?)</textarea>', form,
                           re.S):
        data[unescape(tag.group(1))] = unescape(tag.group(2))
    return data | changes


def _post(client, report, data, action="save"):
    return client.post(reverse("reporting:report", args=[report.period.code,
                                                        report.org_unit.code]),
                       data | {"action": action})


def _row(data: dict[str, str], item: str) -> str:
    """The form prefix of the row showing `item` (e.g. "lines-0")."""
    return next(k[:-len("-item")] for k, v in data.items() if k.endswith("-item") and v == item)


def _complete_answers(report) -> dict[str, str]:
    from reporting.tests.conftest import complete_payload

    values, answers = complete_payload(report)
    out = {f"v:{code}": str(v) for code, v in values.items()}
    for ref, item in answers.items():
        out |= {f"t:{ref}:{name}": text for name, text in item.items()}
    return out


@pytest.fixture
def cement(plan, make_enterprise, units_loaded):
    """A cement plant reporting for 2022S1, with figures already entered: clinker 1.000.000 t,
    coal for fuel 100.000 t."""
    enterprise = make_enterprise("Công ty CP Xi măng Hạ Long", sector="cement")
    designation = services.enterprise_designate(enterprise=enterprise, actor=None,
                                                password="pw", since=dt.date(2021, 1, 1))
    period, _ = period_open(plan=plan, code="2022S1", actor=None, notify=False)
    report = ReportRequest.objects.select_related("period", "org_unit").get(
        period=period, org_unit=designation.unit)
    services.consumption_record_save(enterprise=enterprise, year=2022, period="h1",
                                     lines=[("clinker", 1_000_000, "t"),
                                            ("coal-fuel-3-4", 100_000, "t")], actor=None)
    return enterprise, designation.user, report


def _clinker() -> Decimal:
    return ConsumptionLine.objects.get(item__code="clinker").quantity


def test_the_page_has_one_form_and_no_second_save_button(cement, client):
    _enterprise, user, report = cement
    client.force_login(user)
    html = _page(client, report).content.decode()
    assert html.count("<form id=\"report-form\"") == 1
    form = html[html.index('<form id="report-form"'):]
    form = form[:form.index("</form>")]
    assert 'name="lines-0-quantity"' in form
    assert form.count("<form") == 1  # no other section's form nested in it
    assert "Lưu số liệu" not in html and "report-figures" not in html


def test_the_page_reads_the_unit_table_once(cement, client, monkeypatch):
    """The form's choices and the stored figures' conversions share one reading."""
    from registry import conversion

    built = []
    real = conversion.UnitTable.__init__

    def counting(self) -> None:
        built.append(1)
        real(self)

    monkeypatch.setattr(conversion.UnitTable, "__init__", counting)
    _enterprise, user, report = cement
    client.force_login(user)
    html = _page(client, report).content.decode()
    assert 'name="lines-0-quantity"' in html and "1.000.000" in html
    assert len(built) == 1


def test_the_page_looks_the_enterprise_up_once(cement, client):
    """Whether the section applies, its issues, its form and its check ask for the same
    enterprise: one query, kept on the report."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _enterprise, user, report = cement
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        html = _page(client, report).content.decode()
    assert 'name="lines-0-quantity"' in html
    assert sum('FROM "registry_enterprise"' in q["sql"] for q in queries) == 1


def test_save_draft_keeps_a_changed_figure(cement, client):
    """The issue's steps: Clinker to 2.000.000, "Lưu nháp": the figure is kept."""
    _enterprise, user, report = cement
    client.force_login(user)
    data = _form(client, report)
    row = _row(data, "clinker")
    assert data[f"{row}-quantity"] == "1.000.000"
    response = _post(client, report, data | {f"{row}-quantity": "2.000.000"})
    assert response.status_code == 302
    assert _clinker() == Decimal(2_000_000)
    assert ConsumptionRecord.objects.get().source == FigureSource.REPORT
    assert _form(client, report)[f"{row}-quantity"] == "2.000.000"
    report.refresh_from_db()
    event = AuditEvent.objects.filter(action="report.save").latest("pk")
    assert [c["field"] for c in event.changes] == [f"section:{SECTION_KEY}"]


def test_submit_submits_the_new_figure(cement, client):
    _enterprise, user, report = cement
    client.force_login(user)
    data = _form(client, report) | _complete_answers(report)
    row = _row(data, "clinker")
    response = _post(client, report, data | {f"{row}-quantity": "2.000.000"}, "submit")
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    assert _clinker() == Decimal(2_000_000)


def test_a_refused_figure_stores_nothing_and_says_what_is_missing(cement, client):
    _enterprise, user, report = cement
    client.force_login(user)
    data = _form(client, report) | _complete_answers(report)
    empty = next(k[:-len("-item")] for k, v in data.items() if k.endswith("-item") and not v)
    response = _post(client, report, data | {f"{empty}-item": "limestone",
                                             f"{empty}-quantity": ""})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Chưa lưu gì: hãy sửa các ô được đánh dấu dưới đây." in html
    assert "Hãy nhập số lượng của Đá vôi." in html
    # the answers typed beside it were not stored either, and are still on the page
    assert not DataValue.objects.filter(request=report).exists()
    assert _clinker() == Decimal(1_000_000)
    assert 'value="limestone" selected' in html


def test_a_refused_answer_stores_no_figure(cement):
    """One transaction: the report's answers refused, the figures beside them are not
    stored either (and the refusal names both)."""
    _enterprise, user, report = cement
    lines = [{"item": "clinker", "quantity": Decimal(2_000_000), "unit": "t"},
             {"item": "coal-fuel-3-4", "quantity": Decimal(100_000), "unit": "t"}]
    with pytest.raises(ValidationError) as exc:
        report_save(report=report, actor=user, version=report.version,
                    values={"no-such-question": "1"}, sections={SECTION_KEY: (lines, 1)})
    assert set(exc.value.message_dict) == {"values.no-such-question"}
    assert _clinker() == Decimal(1_000_000)
    bad = [*lines, {"item": "limestone", "quantity": None, "unit": "t"}]
    with pytest.raises(ValidationError) as exc:
        report_save(report=report, actor=user, version=report.version,
                    values={"no-such-question": "1"}, sections={SECTION_KEY: (bad, 1)})
    assert set(exc.value.message_dict) == {"values.no-such-question",
                                           f"sections.{SECTION_KEY}.lines.2.quantity"}
    assert _clinker() == Decimal(1_000_000)


def test_unchanged_figures_do_not_conflict_with_a_newer_version(cement, client):
    enterprise, user, report = cement
    client.force_login(user)
    data = _form(client, report)
    services.consumption_record_save(enterprise=enterprise, year=2022, period="h1",
                                     lines=[("clinker", 1_500_000, "t"),
                                            ("coal-fuel-3-4", 100_000, "t")], actor=None)
    response = _post(client, report, data)
    assert response.status_code == 302
    assert _clinker() == Decimal(1_500_000)  # the other save stands


def test_changed_figures_over_a_newer_version_are_refused(cement, client):
    enterprise, user, report = cement
    client.force_login(user)
    data = _form(client, report)
    services.consumption_record_save(enterprise=enterprise, year=2022, period="h1",
                                     lines=[("clinker", 1_500_000, "t"),
                                            ("coal-fuel-3-4", 100_000, "t")], actor=None)
    row = _row(data, "clinker")
    response = _post(client, report, data | {f"{row}-quantity": "2.000.000"})
    assert response.status_code == 409
    assert _clinker() == Decimal(1_500_000)
    assert "Người khác vừa lưu các số liệu này" in response.content.decode()


def test_figures_of_a_submitted_report_cannot_be_saved(cement, client):
    _enterprise, user, report = cement
    client.force_login(user)
    data = _form(client, report)
    row = _row(data, "clinker")
    report_submit(report=report, actor=user)
    response = _post(client, report, data | {f"{row}-quantity": "2.000.000"})
    assert response.status_code == 422
    assert _clinker() == Decimal(1_000_000)


def test_the_enterprise_sees_its_own_sector_items_first(cement, client):
    _enterprise, user, report = cement
    client.force_login(user)
    html = _page(client, report).content.decode()
    select = re.search(r'<select name="lines-0-item".*?</select>', html, re.S).group(0)
    groups = re.findall(r'<optgroup label="([^"]*)">', select)
    assert groups[0] == "Xi măng"
    first = re.search(r'<optgroup label="Xi măng">(.*?)</optgroup>', select, re.S).group(1)
    assert "Clinker" in first and "Bia" not in first


def test_another_enterprise_cannot_save_the_figures(cement, client, make_enterprise):
    _enterprise, _user, report = cement
    other = make_enterprise("Than khác")
    other_user = services.enterprise_designate(enterprise=other, actor=None).user
    client.force_login(other_user)
    response = client.post(reverse("reporting:report", args=[report.period.code,
                                                            report.org_unit.code]),
                           {"version": "0", "action": "save", "lines-TOTAL_FORMS": "1",
                            "lines-INITIAL_FORMS": "0", "lines-0-item": "clinker",
                            "lines-0-quantity": "5", "lines-0-unit": "t"})
    assert response.status_code == 403
    assert _clinker() == Decimal(1_000_000)


def test_the_period_picker_offers_only_what_the_plan_asks(cement, client, coordinator):
    """The plan asks for the first half-year and the whole year: "6 tháng cuối năm" (the
    second half) is not offered."""
    enterprise, _user, _report = cement
    client.force_login(coordinator)
    html = client.get(reverse("registry:detail", args=["enterprises", enterprise.pk])
                      ).content.decode()
    picker = re.search(r'<select name="period">(.*?)</select>', html, re.S).group(1)
    assert re.findall(r'<option value="([^"]*)"', picker) == ["year", "h1"]
    assert "6 tháng cuối năm" not in picker
