"""The shell: sign-in, Vietnamese by default with English available, local assets only."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from accounts.models import Role


def test_login_page_is_vietnamese_even_for_an_english_browser(client, plan):
    response = client.get(reverse("web:login"), headers={"Accept-Language": "en-US,en"})
    html = response.content.decode()
    assert "Đăng nhập" in html and 'lang="vi"' in html


def test_sign_in_with_a_wrong_password_shows_an_error(client, make_user, plan):
    make_user(Role.VIEWER, "ubnd-quang-ninh", username="nguoixem")
    response = client.post(reverse("web:login"), {"username": "nguoixem", "password": "sai"})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()


def test_sign_in_then_home(client, make_user, plan):
    make_user(Role.VIEWER, "ubnd-quang-ninh", username="nguoixem")
    response = client.post(reverse("web:login"), {"username": "nguoixem", "password": "pw"},
                           follow=True)
    assert response.redirect_chain[-1][0] == reverse("web:home")
    # a viewer's home is the overview of the targets' progress
    assert "Tiến độ thực hiện mục tiêu" in response.content.decode()


def test_english_is_available(client, make_user, plan):
    client.force_login(make_user(Role.VIEWER, "ubnd-quang-ninh"))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("web:home")).content.decode()
    assert "Progress against the targets" in html and 'lang="en"' in html


def test_dates_show_as_dd_mm_yyyy_and_numbers_with_decimal_comma(client, make_user, plan):
    from django.template import Context, Template
    from django.utils import translation

    template = Template("{% load humanize %}{{ d|date:'SHORT_DATE_FORMAT' }} "
                        "{{ n|floatformat:'2g' }} {{ big|intcomma }} {{ year }}")
    context = Context({"d": plan.issued_on, "n": 1500050.3, "big": 1500050, "year": 2025})
    with translation.override("vi"):
        assert template.render(context) == "06/08/2020 1.500.050,30 1.500.050 2025"
    with translation.override("en"):
        assert template.render(context) == "06/08/2020 1,500,050.30 1,500,050 2025"


def test_no_page_asset_comes_from_another_host():
    templates = Path(settings.BASE_DIR).glob("*/templates/**/*.html")
    pattern = re.compile(r"""(?:src|href)=["'](?:https?:)?//""")
    offenders = [str(p) for p in templates if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_robots_txt_keeps_crawlers_out_without_a_session_or_query(db, client,
                                                                  django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content == b"User-agent: *\nDisallow: /\n"
