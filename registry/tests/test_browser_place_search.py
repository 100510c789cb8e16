"""The place search field in a real browser (Playwright driving Debian's Chromium): typing a
few letters asks the server for matching places (htmx fills the <datalist>), and the list
filters by the place chosen. Set SCP_SCREENSHOTS=DIR for screenshots."""

from __future__ import annotations

import os

import pytest

from accounts.models import Role

SHOTS = os.environ.get("SCP_SCREENSHOTS", "")


@pytest.mark.browser
def test_typing_a_place_suggests_matches_and_filters_the_list(live_server, reference_data,
                                                               make_user, make_area, browser):
    make_user(Role.COORDINATOR, "sct", username="dp")
    make_area("KCN Cái Lân", place="p-bai-chay")
    make_area("KCN Việt Hưng", place="p-viet-hung")
    page = browser.new_context(viewport={"width": 1280, "height": 900},
                               locale="vi-VN").new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "dp")
    page.fill("input[name=password]", "pw")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    page.goto(f"{live_server.url}/registry/areas/?on=01/08/2025")
    page.click("summary")
    field = page.locator("input[name=place]")
    field.press_sequentially("bai ch", delay=50)
    options = page.locator("#id_place-places option")
    options.first.wait_for(state="attached")
    values = options.evaluate_all("els => els.map(e => e.value)")
    assert values and all("Bãi Cháy" in v for v in values)
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "registry-place-search.png"))
    field.fill(values[0])
    page.click("form.filters button[type=submit]")
    page.wait_for_url(lambda url: "place=" in url)
    html = page.content()
    assert "KCN Cái Lân" in html and "KCN Việt Hưng" not in html
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "registry-place-filtered.png"), full_page=True)
