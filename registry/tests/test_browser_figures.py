"""The enterprise's report page in a real browser (Playwright driving Debian's Chromium):
figures typed in the report are saved by the one "Lưu nháp" and submitted by "Nộp báo
cáo" (issue 7, item 1), leaving with unsaved changes warns, and on a phone the figures
table shows whole numbers with their units."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pytest

from registry import services
from registry.models import ConsumptionLine
from reporting.models import ReportRequest, ReportState
from reporting.services import period_open

SHOTS = os.environ.get("SCP_SCREENSHOTS", "")


@pytest.fixture
def cement(reference_data, make_enterprise, units_loaded):
    enterprise = make_enterprise("Công ty CP Xi măng Hạ Long", sector="cement")
    designation = services.enterprise_designate(enterprise=enterprise, actor=None,
                                                password="pw", since=dt.date(2021, 1, 1))
    period, _ = period_open(plan=reference_data, code="2022S1", actor=None, notify=False)
    report = ReportRequest.objects.select_related("period", "org_unit").get(
        period=period, org_unit=designation.unit)
    services.consumption_record_save(enterprise=enterprise, year=2022, period="h1",
                                     lines=[("clinker", 1_000_000, "t"),
                                            ("coal-fuel-3-4", 100_000, "t")], actor=None)
    return enterprise, designation.user, report


def _sign_in(browser, base: str, username: str, width: int = 1280):
    page = browser.new_context(viewport={"width": width, "height": 900},
                               locale="vi-VN").new_page()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)  # each role's own home
    return page


def _clinker_input(page):
    row = page.locator("select[name$='-item']").evaluate_all(
        "els => els.find(e => e.value === 'clinker').name.replace('-item', '-quantity')")
    return page.locator(f"input[name='{row}']")


def _clinker() -> Decimal:
    return ConsumptionLine.objects.get(item__code="clinker").quantity


@pytest.mark.browser
def test_lưu_nháp_keeps_the_figure_and_nộp_submits_it(live_server, cement, browser):
    _enterprise, user, report = cement
    base = live_server.url
    url = f"{base}/reporting/r/{report.period.code}/{report.org_unit.code}/"
    page = _sign_in(browser, base, user.username)
    page.goto(url)
    field = _clinker_input(page)
    assert field.input_value() == "1.000.000"
    field.fill("2.000.000")
    page.click("button[value=save]")
    page.wait_for_url(url)
    assert "Đã lưu." in page.content()
    assert _clinker_input(page).input_value() == "2.000.000"
    assert _clinker() == Decimal(2_000_000)

    _clinker_input(page).fill("2.100.000")
    page.click("button[value=submit]")
    with page.expect_navigation():
        page.locator("#confirm-dialog button[value=yes]").click()  # submitting asks first
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    assert _clinker() == Decimal(2_100_000)
    assert "2.100.000" in page.locator("#registry-figures").inner_text()


@pytest.mark.browser
def test_leaving_with_unsaved_changes_warns(live_server, cement, browser):
    _enterprise, user, report = cement
    base = live_server.url
    url = f"{base}/reporting/r/{report.period.code}/{report.org_unit.code}/"
    page = _sign_in(browser, base, user.username)
    page.goto(url)
    dialogs: list[str] = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    # nothing changed: the link leaves without a question
    page.click("text=Lịch sử thay đổi")
    page.wait_for_url(f"{url}history/")
    assert dialogs == []
    page.go_back()
    page.wait_for_url(url)
    field = _clinker_input(page)
    field.click()
    field.press("End")
    page.keyboard.type("5")
    page.click("text=Lịch sử thay đổi")
    page.wait_for_timeout(500)  # the question is asked; dismissed, the page stays
    assert dialogs == ["beforeunload"]
    assert page.url == url
    assert _clinker() == Decimal(1_000_000)


@pytest.mark.browser
def test_on_a_phone_the_figures_show_whole_numbers_and_units(live_server, cement, browser):
    _enterprise, user, report = cement
    base = live_server.url
    url = f"{base}/reporting/r/{report.period.code}/{report.org_unit.code}/"
    page = _sign_in(browser, base, user.username, width=390)
    page.goto(url)
    section = page.locator("#registry-figures")
    section.scroll_into_view_if_needed()
    if SHOTS:
        section.screenshot(path=os.path.join(SHOTS, "figures-390.png"))
    field = _clinker_input(page)
    # the whole number fits in its box, and the unit beside it is readable
    assert field.evaluate("e => e.scrollWidth <= e.clientWidth")
    unit = page.locator(f"select[name='{field.get_attribute('name').replace('quantity', 'unit')}']")
    assert unit.evaluate("e => e.options[e.selectedIndex].text") == "t"
    assert unit.evaluate("e => e.scrollWidth <= e.clientWidth + 1 && e.clientWidth >= 40")
    assert section.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
