"""The overview and a target page in a real browser (Playwright driving Debian's Chromium),
on a laptop and on a phone; screenshots go to var/screenshots/ for a look."""

from __future__ import annotations

from pathlib import Path

import pytest

from accounts.models import Role
from accounts.services import user_upsert
from orgunits.models import OrgUnit
from plans.models import Target
from progress.services import assessment_record

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_overview_and_a_target_page(live_server, reference_data, browser, width):
    coordinator = user_upsert(username="dieuphoi", role=Role.COORDINATOR, actor=None,
                              org_unit=OrgUnit.objects.get(code="sct"), password="pw",
                              email="dieuphoi@example.invalid")[0]
    target = Target.objects.get(code="policy-enforcement-2030")
    assessment_record(target=target, year=2025, status="on_track",
                      justification="Các văn bản hướng dẫn đã ban hành.", actor=coordinator)
    base = live_server.url
    page = browser.new_context(viewport={"width": width, "height": 900},
                               locale="vi-VN").new_page()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "dieuphoi")
    page.fill("input[name=password]", "pw")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    # the coordinator's home is the overview, every target with a status
    assert page.locator("h1").inner_text() == "Tiến độ thực hiện mục tiêu"
    rows = page.locator("table tbody tr")
    assert rows.count() == Target.objects.count()
    assert "Đúng tiến độ" in page.locator("tr", has_text="II.2.2.1").inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"progress-overview-{width}.png"), full_page=True)
    # a target page: the chart is an image served by the project, numbers in a table
    page.click("a[href*='/progress/targets/zones-reached-2025/']")
    page.wait_for_url(f"{base}/progress/targets/zones-reached-2025/**")
    chart = page.locator("figure.chart img")
    assert chart.evaluate("img => img.complete && img.naturalWidth > 0")
    assert "70%" in page.locator("table").first.inner_text()  # the band, in the table too
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    page.screenshot(path=str(SHOTS / f"progress-target-{width}.png"), full_page=True)
