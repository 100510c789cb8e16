"""Irreversible actions ask first: submit, accept, return and reopen carry the text of a
confirmation (shown by web/static/web/confirm.js in a <dialog>); a coordinator entering a
unit's report is told so ("Nhập thay cho …")."""

from __future__ import annotations

import html as htmllib
import re

import pytest
from django.urls import reverse

from reporting.services import report_accept, report_save, report_submit
from reporting.tests.conftest import complete_payload, report_of

pytestmark = pytest.mark.django_db


def _confirms(html: str) -> dict[str, str]:
    """The data-confirm text of each button, by its label."""
    found = {}
    for attrs, label in re.findall(r"<button([^>]*data-confirm=[^>]*)>([^<]+)</button>", html):
        text = re.search(r'data-confirm="([^"]*)"', attrs)
        assert text is not None
        found[label.strip()] = htmllib.unescape(text[1])
    return found


def _url(report, name="reporting:report"):
    return reverse(name, args=[report.period.code, report.org_unit.code])


def test_submit_asks_first(client, reporter, period):
    report = report_of(period, "sct")
    client.force_login(reporter)
    html = client.get(_url(report)).content.decode()
    confirms = _confirms(html)
    assert confirms["Nộp báo cáo"].startswith("Nộp báo cáo 6 tháng đầu năm 2022 của Sở Công Thương")
    assert "Nhập thay cho" not in html  # the unit's own reporter
    assert 'id="confirm-dialog"' in html and "/static/web/confirm.js" in html


def test_coordinator_sees_accept_return_and_on_behalf(client, reporter, coordinator, period,
                                                     make_user):
    report = report_of(period, "sct")
    values, answers = complete_payload(report)
    report = report_save(report=report, actor=reporter, version=1, values=values,
                         answers=answers)
    report_submit(report=report, actor=reporter)
    client.force_login(coordinator)
    confirms = _confirms(client.get(_url(report)).content.decode())
    assert "bị khóa" in confirms["Chấp nhận và khóa"]
    assert confirms["Trả lại đơn vị"].startswith("Trả lại báo cáo cho Sở Công Thương?")
    # a draft of another unit, entered by the coordinator
    other = report_of(period, "tp-ha-long")
    html = client.get(_url(other)).content.decode()
    assert "Nhập thay cho Thành phố Hạ Long" in html


def test_reopen_asks_first(client, reporter, coordinator, period):
    report = report_of(period, "sct")
    values, answers = complete_payload(report)
    report = report_save(report=report, actor=reporter, version=1, values=values,
                         answers=answers)
    report = report_submit(report=report, actor=reporter)
    report_accept(report=report, actor=coordinator, notify=False)
    client.force_login(coordinator)
    confirms = _confirms(client.get(_url(report)).content.decode())
    assert "Mở lại báo cáo đã chấp nhận của Sở Công Thương?" in confirms["Mở lại báo cáo"]


def test_the_confirmation_script_is_a_static_file_without_inline_handlers(client, reporter,
                                                                         period):
    from django.contrib.staticfiles import finders

    assert finders.find("web/confirm.js")
    client.force_login(reporter)
    html = client.get(_url(report_of(period, "sct"))).content.decode()
    assert not re.search(r"\son[a-z]+=|hx-on", html)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # no inline script
