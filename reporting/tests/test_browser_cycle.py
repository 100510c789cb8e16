"""The whole cycle in a real browser (Playwright driving Debian's Chromium) and over real
HTTP through the API: the coordinator opens a period, the reporter fills in and submits,
the coordinator returns it with a reason, the reporter corrects and resubmits, the
coordinator accepts, and the report is locked."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from accounts.models import Role
from accounts.services import token_create, user_upsert
from orgunits.models import OrgUnit
from reporting.models import DataValue, ReportRequest, ReportState

PERIOD = "2024"


@pytest.fixture
def people(reference_data):
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=["sct"])}
    coordinator = user_upsert(username="dieuphoi", role=Role.COORDINATOR, actor=None,
                              org_unit=units["sct"], password="pw",
                              email="dieuphoi@example.invalid")[0]
    reporter = user_upsert(username="bc-sct", role=Role.REPORTER, actor=None,
                           org_unit=units["sct"], password="pw",
                           email="bc-sct@example.invalid")[0]
    return coordinator, reporter


def _sign_in(browser, base: str, username: str, width: int = 1280):
    page = browser.new_context(viewport={"width": width, "height": 900},
                               locale="vi-VN").new_page()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)  # each role's own home
    return page


@pytest.mark.browser
def test_full_cycle_in_the_browser(live_server, people, browser):
    base = live_server.url
    coordinator = _sign_in(browser, base, "dieuphoi")
    # The coordinator opens the annual period 2024.
    coordinator.goto(f"{base}/reporting/periods/")
    coordinator.select_option("select[name=code]", PERIOD)
    coordinator.click("text=Mở kỳ báo cáo")
    # the confirmation says what will happen, then opens
    assert "Hạn nộp" in coordinator.content()
    coordinator.click("text=Đồng ý mở kỳ báo cáo")
    coordinator.wait_for_url(f"{base}/reporting/periods/{PERIOD}/")
    assert "Sở Công Thương" in coordinator.content()

    # The reporter (on a phone) finds the request in the inbox and opens the form.
    reporter = _sign_in(browser, base, "bc-sct", width=390)
    reporter.goto(f"{base}/reporting/")
    reporter.click(f"a[href='/reporting/r/{PERIOD}/sct/'] >> nth=0")
    reporter.wait_for_url(f"{base}/reporting/r/{PERIOD}/sct/")
    # Inline validation: a negative count is flagged as soon as the field loses focus.
    reporter.fill("input[name='v:supermarkets-total']", "-5")
    reporter.locator("input[name='v:zones-total']").focus()
    reporter.wait_for_selector("#m-supermarkets-total .field-error")
    assert "không được âm" in reporter.inner_text("#m-supermarkets-total")
    for name, value in {"supermarkets-total": "1.200", "supermarkets-eco-packaging": "800",
                        "zones-total": "52", "zones-reached": "30", "scp-models": "12"}.items():
        reporter.fill(f"input[name='v:{name}']", value)
    for select in reporter.locator("select[name$=':status']").all():
        select.select_option("in_progress")
    for area in reporter.locator("textarea[name$=':results']").all():
        area.fill("Đã tổ chức các hoạt động theo kế hoạch.")
    reporter.click("button[value=submit]")
    _confirm(reporter)
    reporter.wait_for_selector("#report-state >> text=Đã nộp")

    # The coordinator returns it with a reason.
    coordinator.goto(f"{base}/reporting/review/")
    coordinator.click(f"a[href='/reporting/r/{PERIOD}/sct/'] >> nth=0")
    coordinator.fill("#review textarea[name=reason]", "Đề nghị bổ sung kết quả nhiệm vụ IV.1.3.")
    coordinator.click("text=Trả lại đơn vị")
    _confirm(coordinator)
    coordinator.wait_for_selector("#report-state >> text=Bị trả lại")

    # The reporter sees the reason, corrects and resubmits.
    reporter.goto(f"{base}/reporting/r/{PERIOD}/sct/")
    assert "Đề nghị bổ sung kết quả nhiệm vụ IV.1.3." in reporter.content()
    reporter.fill("textarea[name='t:IV.1.3:results']", "Tổ chức 5 đợt tuyên truyền tại chợ.")
    reporter.click("button[value=submit]")
    _confirm(reporter)
    reporter.wait_for_selector("#report-state >> text=Đã nộp")

    # The coordinator accepts; the report is locked.
    coordinator.goto(f"{base}/reporting/r/{PERIOD}/sct/")
    coordinator.click("text=Chấp nhận và khóa")
    _confirm(coordinator)
    coordinator.wait_for_selector("#report-state >> text=Đã chấp nhận")
    reporter.goto(f"{base}/reporting/r/{PERIOD}/sct/")
    assert reporter.locator("input[name='v:supermarkets-total']").count() == 0
    assert reporter.locator("button[value=submit]").count() == 0
    assert "đã khóa" in reporter.content()

    report = ReportRequest.objects.get(period__code=PERIOD, org_unit__code="sct")
    assert report.state == ReportState.ACCEPTED
    assert DataValue.objects.get(request=report, element__code="supermarkets-total").value \
        == "1200"
    assert report.task_answers.get(task__ref="IV.1.3").results.startswith("Tổ chức 5 đợt")


def _confirm(page) -> None:
    """Irreversible actions ask first, in the page's dialog: answer yes."""
    page.locator("#confirm-dialog button[value=yes]").click()


def _call(base: str, token: str, method: str, path: str, body: dict | None = None):
    request = urllib.request.Request(
        f"{base}/api/v1/reporting{path}", method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def test_full_cycle_over_http_through_the_api(live_server, people):
    coordinator, reporter = people
    base = live_server.url
    boss = token_create(user=coordinator, name="t", actor=None)[1]
    unit = token_create(user=reporter, name="t", actor=None)[1]
    assert _call(base, boss, "POST", "/periods", {"code": PERIOD})[0] == 201
    status, report = _call(base, unit, "GET", f"/reports/{PERIOD}/sct")
    assert status == 200 and report["state"] == "draft"
    values = {"supermarkets-total": 40, "supermarkets-eco-packaging": 30, "zones-total": 50,
              "zones-reached": 20, "scp-models": 9}
    tasks = {t["ref"]: {"status": "in_progress", "results": "Đã thực hiện."}
             for t in report["tasks"]}
    status, saved = _call(base, unit, "POST", f"/reports/{PERIOD}/sct/values",
                          {"version": report["version"], "values": values, "tasks": tasks})
    assert status == 200
    assert _call(base, unit, "POST", f"/reports/{PERIOD}/sct/submit",
                 {"version": saved["version"]})[1]["state"] == "submitted"
    status, body = _call(base, boss, "POST", f"/reports/{PERIOD}/sct/return", {"reason": ""})
    assert status == 422 and "reason" in body["errors"]
    assert _call(base, boss, "POST", f"/reports/{PERIOD}/sct/return",
                 {"reason": "Bổ sung"})[1]["state"] == "returned"
    status, fixed = _call(base, unit, "GET", f"/reports/{PERIOD}/sct")
    status, fixed = _call(base, unit, "POST", f"/reports/{PERIOD}/sct/values",
                          {"version": fixed["version"], "values": {"scp-models": 10}})
    assert status == 200
    assert _call(base, unit, "POST", f"/reports/{PERIOD}/sct/submit", {})[1]["state"] == \
        "submitted"
    assert _call(base, unit, "POST", f"/reports/{PERIOD}/sct/accept", {})[0] == 403
    assert _call(base, boss, "POST", f"/reports/{PERIOD}/sct/accept", {})[1]["state"] == \
        "accepted"
    status, body = _call(base, unit, "POST", f"/reports/{PERIOD}/sct/values",
                         {"version": fixed["version"] + 5, "values": {"scp-models": 11}})
    assert status == 409 and "state" in body["errors"]
    assert DataValue.objects.get(request__period__code=PERIOD, request__org_unit__code="sct",
                                 element__code="scp-models").value == "10"
