"""In a real browser (Playwright driving Debian's Chromium), as each role: the main pages
show no English and no raw codes; nothing is fetched from another host (the API docs
included, in Vietnamese); irreversible actions ask first. With SCP_SCREENSHOTS=DIR set,
screenshots of the reporter's home, an error page, the API docs, the periods page and
adding units to an open period at 1280 and 390 px go to DIR."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from accounts.services import user_upsert
from orgunits.models import OrgUnit, OrgUnitKind
from reporting.models import ReportRequest, ReportState
from reporting.services import period_open
from web.tests.uiwalk import context, problems

PAGES = ["/", "/objectives/", "/plan/tasks/", "/reporting/", "/registry/", "/profile/"]

pytestmark = pytest.mark.browser
# the text shown (the confirmation dialog's is checked where it opens)
_SHOWN_TEXT = """() => { const b = document.body.cloneNode(true);
  b.querySelectorAll('script, style, dialog').forEach(e => e.remove());
  return b.textContent; }"""


@pytest.fixture
def people(reference_data):
    """One user per role, the 2022S1 period open (long past its deadline)."""
    from plans.selectors import plan_current

    units = {u.code: u for u in OrgUnit.objects.filter(code__in=["sct", "ubnd-quang-ninh"])}
    enterprise = OrgUnit.objects.create(code="dn-5700100256", name="Công ty Than Hà Lầm",
                                        kind=OrgUnitKind.ENTERPRISE)
    spec = [("admin", Role.ADMIN, None), ("dieuphoi", Role.COORDINATOR, units["sct"]),
            ("ubnd", Role.VIEWER, units["ubnd-quang-ninh"]),
            ("bc-sct", Role.REPORTER, units["sct"]), ("bc-dn", Role.REPORTER, enterprise)]
    for username, role, unit in spec:
        user_upsert(username=username, role=role, actor=None, org_unit=unit, password="pw",
                    email=f"{username}@example.invalid")
    period_open(plan=plan_current(), code="2022S1", actor=None, notify=False)
    return [username for username, _role, _unit in spec]


def _page(browser, base: str, username: str | None, width: int = 1280):
    context_ = browser.new_context(viewport={"width": width, "height": 900}, locale="vi-VN")
    context_.set_default_timeout(90000)  # a loaded test machine serves slowly, not wrongly
    page = context_.new_page()
    outside: list[str] = []
    host = urlparse(base).netloc

    def guard(route):
        if urlparse(route.request.url).netloc not in {host, ""}:
            outside.append(route.request.url)
            return route.abort()
        return route.continue_()

    page.route("**/*", guard)
    page.outside = outside  # type: ignore[attr-defined]
    if username:
        page.goto(f"{base}/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", "pw")
        page.click("button[type=submit]")
        page.wait_for_load_state()
    return page


def test_each_role_sees_vietnamese_without_codes(live_server, people, browser):
    base = live_server.url
    unit_codes = {c for c in OrgUnit.objects.values_list("code", flat=True) if len(c) >= 3}
    found: list[str] = []
    for username in people:
        page = _page(browser, base, username)
        for path in PAGES:
            page.goto(base + path)
            text = " ".join(page.evaluate(_SHOWN_TEXT).split())
            found += [f"{username} {path}: {context(text, p)}"
                      for p in problems(text, unit_codes)]
        assert page.outside == [], (username, page.outside)  # type: ignore[attr-defined]
        page.context.close()
    assert found == [], "\n".join(found)


def test_api_docs_work_offline_in_vietnamese(live_server, people, browser):
    page = _page(browser, live_server.url, "dieuphoi")
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "API Theo dõi SX&TDBV" in page.inner_text(".swagger-ui .info")
    assert page.locator(".opblock").count() > 10  # the operations are listed
    assert page.locator(".opblock-tag", has_text="Kế hoạch").count() == 1
    # an operation opened: Swagger UI's own labels are Vietnamese, and stay so after
    # "try it out" re-renders them
    operation = page.locator(".opblock-get", has_text="Các kỳ báo cáo, mới nhất trước")
    operation.locator(".opblock-summary").click()
    body = operation.locator(".opblock-body")
    expect(body).to_contain_text("Tham số", timeout=60000)
    expect(body).to_contain_text("Kết quả trả về")
    body.get_by_role("button", name="Thử gọi").click()
    body.get_by_role("button", name="Gửi yêu cầu").click()
    expect(body.locator(".live-responses-table")).to_contain_text("2022S1", timeout=60000)
    for label in ("Máy chủ trả lời", "Địa chỉ yêu cầu", "Nội dung trả về"):
        expect(body).to_contain_text(label)
    text = page.inner_text("body")
    for english in ("Try it out", "Execute", "Parameters", "Responses", "Request URL",
                    "Server response", "Authorize", "Schemas", "Response body"):
        assert english not in text, english
    assert page.outside == []  # type: ignore[attr-defined]


def test_submit_asks_first_and_cancel_keeps_the_draft(live_server, people, browser):
    page = _page(browser, live_server.url, "bc-sct")
    page.goto(f"{live_server.url}/reporting/r/2022S1/sct/")
    page.click("button[name=action][value=submit]")
    dialog = page.locator("#confirm-dialog")
    dialog.wait_for(state="visible")
    assert "Nộp báo cáo 6 tháng đầu năm 2022 của Sở Công Thương" in dialog.inner_text()
    dialog.locator("button[value=cancel]").click()
    dialog.wait_for(state="hidden")
    report = ReportRequest.objects.get(period__code="2022S1", org_unit__code="sct")
    assert report.state == ReportState.DRAFT and report.version == 1
    # "yes" sends the form: the submission is tried (and refused: nothing is filled in)
    page.click("button[name=action][value=submit]")
    dialog.wait_for(state="visible")
    dialog.locator("button[value=yes]").click()
    page.wait_for_load_state()
    report.refresh_from_db()
    assert report.version > 1 or "trước khi nộp" in page.inner_text("body")


def test_screenshots(live_server, people, browser):
    target = os.environ.get("SCP_SCREENSHOTS")
    if not target:
        pytest.skip("set SCP_SCREENSHOTS=DIR to take screenshots")
    out = Path(target)
    out.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page = _page(browser, live_server.url, "bc-sct", width)
        page.goto(f"{live_server.url}/")
        page.screenshot(path=str(out / f"reporter-home-{width}.png"), full_page=True)
        page.goto(f"{live_server.url}/khong-co-trang-nay/")
        page.screenshot(path=str(out / f"error-404-{width}.png"), full_page=True)
        page.goto(f"{live_server.url}/reporting/r/2022S1/sct/")
        page.click("button[name=action][value=submit]")
        page.locator("#confirm-dialog").wait_for(state="visible")
        page.screenshot(path=str(out / f"confirm-submit-{width}.png"))
        page.context.close()
        page = _page(browser, live_server.url, "dieuphoi", width)
        page.goto(f"{live_server.url}/api/v1/docs")
        page.wait_for_selector(".swagger-ui .info .title")
        page.screenshot(path=str(out / f"api-docs-{width}.png"))
        operation = page.locator(".opblock-get", has_text="Các kỳ báo cáo, mới nhất trước")
        operation.locator(".opblock-summary").click()
        operation.get_by_role("button", name="Thử gọi").click()
        operation.get_by_role("button", name="Gửi yêu cầu").click()
        expect(operation.locator(".live-responses-table")).to_contain_text("2022S1",
                                                                            timeout=60000)
        operation.screenshot(path=str(out / f"api-docs-operation-{width}.png"))
        page.goto(f"{live_server.url}/reporting/periods/")
        page.screenshot(path=str(out / f"periods-{width}.png"), full_page=True)
        OrgUnit.objects.get_or_create(code="dn-5700100999", defaults={
            "name": "Công ty Mới nạp", "kind": OrgUnitKind.ENTERPRISE})
        page.goto(f"{live_server.url}/reporting/periods/2022S1/")
        page.click("button[data-confirm]")
        page.locator("#confirm-dialog").wait_for(state="visible")
        page.screenshot(path=str(out / f"period-add-units-{width}.png"))
        page.goto(f"{live_server.url}/")
        page.screenshot(path=str(out / f"coordinator-home-{width}.png"), full_page=True)
        assert page.outside == []  # type: ignore[attr-defined]
        page.context.close()
