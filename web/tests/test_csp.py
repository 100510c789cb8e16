"""Content-Security-Policy: every page a role can reach carries it, and no page has inline
script, inline style or event-handler attributes that the policy would block; a browser
reports no violation. User-supplied text is escaped."""

from __future__ import annotations

import re
from collections import deque

import pytest
from django.conf import settings
from django.test import Client

from accounts.demo import demo_load as users_load
from accounts.models import Role, User

POLICY = frozenset([
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "font-src 'self'", "connect-src 'self'", "form-action 'self'", "frame-ancestors 'none'",
    "base-uri 'self'", "object-src 'none'"])
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<style", re.I), "<style> element"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event-handler attribute"),
    (re.compile(r"\shx-on", re.I), "hx-on attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]
SKIP = ("/static/", "/i18n/", "/logout/", "/api/v1/docs", "/admin/")
def policy(response) -> frozenset[str]:
    return frozenset(response.get("Content-Security-Policy", "").split("; "))


HREF = re.compile(r"""href="(/[^"#?]*)""")


def walk(client: Client, start: str = "/", limit: int = 60) -> dict[str, object]:
    """Pages reached from `start` through links, one per URL shape (ids collapsed)."""
    seen_shapes: set[str] = set()
    pages: dict[str, object] = {}
    queue = deque([start, "/profile/", "/admin/"])
    while queue and len(pages) < limit:
        url = queue.popleft()
        shape = re.sub(r"\d+", "N", url)
        if shape in seen_shapes:
            continue
        seen_shapes.add(shape)
        response = client.get(url)
        pages[url] = response
        if "text/html" in response.get("Content-Type", ""):
            for link in HREF.findall(response.content.decode()):
                if not link.startswith(SKIP):
                    queue.append(link)
    return pages


def small_demo() -> None:
    """The demo users, an open period and one entry per registry kind: every kind of page
    exists, quickly (the full demo takes minutes)."""
    import datetime as dt

    from orgunits.models import OrgUnit
    from plans.selectors import plan_current
    from registry import services
    from reporting.services import period_open

    admin = users_load(actor=None)[0]
    plan = plan_current()
    assert plan is not None
    period_open(plan=plan, code="2022S1", actor=None, notify=False)
    services.units_load(path=settings.SCP_UNITS_FILE, actor=None)
    services.area_save(data={
        "code": "", "kind": "industrial_park", "name": "KCN Cái Lân",
        "place": OrgUnit.objects.get(code="tp-ha-long"), "later_place": None,
        "valid_from": dt.date(2010, 1, 1), "valid_to": None}, actor=admin)
    services.retailer_save(data={
        "name": "Siêu thị A", "kind": "supermarket",
        "place": OrgUnit.objects.get(code="tp-ha-long"), "later_place": None,
        "valid_from": dt.date(2015, 1, 1), "valid_to": None}, actor=admin)
    services.enterprise_save(data={
        "tax_code": "5700001008", "name": "Công ty Than Hà Lầm",
        "sector": plan.sectors.get(code="coal"), "place": OrgUnit.objects.get(code="tp-ha-long"),
        "valid_from": dt.date(2005, 1, 1), "valid_to": None}, actor=admin)


@pytest.fixture
def demo(plan):
    small_demo()


def test_main_pages_carry_the_policy_and_nothing_inline_for_every_role(demo):
    offenders: list[str] = []
    walked = 0
    for username in ["admin", "dieuphoi", "ubnd", "bc-sct"]:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        pages = walk(client)
        walked += len(pages)
        for url, response in pages.items():
            if response.status_code >= 500:
                offenders.append(f"{username} {url}: {response.status_code}")
            if policy(response) != POLICY:
                offenders.append(f"{username} {url}: policy "
                                 f"{response.get('Content-Security-Policy')}")
            if "text/html" in response.get("Content-Type", ""):
                html = response.content.decode()
                offenders += [f"{username} {url}: {what}" for pattern, what in INLINE
                              if pattern.search(html)]
    assert walked > 40
    assert offenders == []


def test_sign_in_and_password_pages_carry_the_policy(client, plan):
    for url in ["/login/", "/password/reset/", "/password/reset/sent/", "/healthz"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert policy(response) == POLICY


def test_htmx_injects_no_style(client, plan):
    html = client.get("/login/").content.decode()
    assert '"includeIndicatorStyles": false' in html


def test_user_supplied_text_is_escaped_in_pages(client, plan, make_user):
    from orgunits.models import OrgUnit
    from registry import services

    evil = '<script>alert("x")</script>'
    coordinator = make_user(Role.COORDINATOR, "sct")
    coordinator.first_name = evil
    coordinator.save()
    services.units_load(path=settings.SCP_UNITS_FILE, actor=None)
    area = services.area_save(data={
        "code": "", "kind": "industrial_park", "name": evil,
        "place": OrgUnit.objects.get(code="tp-ha-long"), "later_place": None,
        "valid_from": __import__("datetime").date(2010, 1, 1), "valid_to": None},
        actor=coordinator)
    client.force_login(coordinator)
    for url in ["/registry/areas/", f"/registry/areas/{area.pk}/", "/profile/"]:
        html = client.get(url).content.decode()
        assert evil not in html, url
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html, url


@pytest.mark.browser
def test_no_csp_violation_in_the_browser(live_server, reference_data):
    from playwright.sync_api import sync_playwright

    small_demo()
    User.objects.filter(username="dieuphoi").update(password=User.objects.get(
        username="admin").password)
    violations: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page()
        page.on("console", lambda m: violations.append(m.text)
                if "Content Security Policy" in m.text or "Content-Security-Policy" in m.text
                else None)
        page.add_init_script("document.addEventListener('securitypolicyviolation', e => "
                             "console.error('Content Security Policy: ' + e.violatedDirective"
                             " + ' ' + e.blockedURI))")
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", "dieuphoi")
        page.fill("input[name=password]", "demo1234")
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        visited = 0
        for url in ["/", "/plan/tasks/", "/reporting/", "/registry/", "/registry/areas/",
                    "/registry/enterprises/", "/profile/", "/admin/", "/api/v1/docs"]:
            response = page.goto(f"{live_server.url}{url}")
            assert response is not None and response.status < 500, url
            page.wait_for_load_state("networkidle")
            visited += 1
        browser.close()
    assert visited == 9
    assert violations == []
