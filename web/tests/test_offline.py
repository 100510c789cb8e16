"""Intranet without internet: no page, nor the API docs, loads anything from another host."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders

from accounts.models import Role

# what a browser fetches by itself: scripts, styles, images, fonts, frames
_FETCHED = re.compile(
    r"""<(?:script|img|iframe|source|video|audio|embed)\b[^>]*\bsrc=["']([^"']+)"""
    r"""|<link\b[^>]*\bhref=["']([^"']+)|url\(\s*["']?([^"')]+)""", re.I)

PAGES = ["/", "/plan/agencies/", "/plan/tasks/", "/reporting/", "/registry/",
         "/registry/areas/", "/registry/by-place/", "/registry/units/", "/profile/",
         "/api/v1/docs", "/khong-co/"]


def outside_references(html: str) -> list[str]:
    found = [next(g for g in m.groups() if g) for m in _FETCHED.finditer(html)]
    return [u for u in found if re.match(r"(?:[a-z]+:)?//", u, re.I) and not u.startswith("data:")]


def test_the_check_catches_outside_hosts():
    html = ('<script src="https://cdn.example/x.js"></script><link rel="stylesheet" '
            'href="//fonts.example/css"><img src="/static/a.png"><div style="background:'
            'url(http://img.example/b.png)">')
    assert outside_references(html) == ["https://cdn.example/x.js", "//fonts.example/css",
                                        "http://img.example/b.png"]


@pytest.mark.parametrize("role,unit", [(Role.COORDINATOR, "sct"), (Role.REPORTER, "sct")])
def test_no_page_references_an_outside_host(client, make_user, plan, role, unit):
    client.force_login(make_user(role, unit))
    for path in PAGES:
        response = client.get(path, follow=True)
        assert response.status_code in {200, 403, 404}, path
        assert outside_references(response.content.decode()) == [], path


def test_api_docs_are_served_from_the_project(client, make_user, plan):
    client.force_login(make_user(Role.COORDINATOR, "sct"))
    html = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/static/ninja/swagger-ui.css" in html
    # no validator badge fetched from validator.swagger.io
    assert '"validatorUrl": null' in html
    for name in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui.css", "ninja/swagger-ui-init.js"):
        assert finders.find(name), name


def test_static_styles_reference_no_outside_host():
    for name in ("web/app.css", "vendor/pico-2.1.1.min.css", "ninja/swagger-ui.css"):
        path = finders.find(name)
        assert path, name
        with open(path, encoding="utf-8") as f:
            css = f.read()
        urls = re.findall(r"url\(\s*[\"']?([^\"')]+)", css)
        assert [u for u in urls if re.match(r"(?:[a-z]+:)?//", u, re.I)] == [], name
