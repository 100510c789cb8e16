"""Pages that list reports or changes show them a page at a time with the shared pager, in
a number of queries that does not grow with the list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from orgunits.models import OrgUnit
from reporting.models import ReportRequest
from reporting.services import adhoc_request_open, report_save

pytestmark = pytest.mark.django_db


def _adhoc(plan, actor, units):
    return adhoc_request_open(
        plan=plan, title="Rà soát", due_date=timezone.localdate() + dt.timedelta(days=9),
        recipients=units, questions=[{"name": "Số cơ sở", "value_type": "integer"}],
        actor=actor, notify=False)


def _get(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_a_period_lists_its_units_a_page_at_a_time(client, plan, coordinator, nation):
    client.force_login(coordinator)
    communes = list(OrgUnit.objects.filter(code__startswith="xa-thu-").order_by("pk"))
    small, large = _adhoc(plan, coordinator, communes[:10]), _adhoc(plan, coordinator,
                                                                    communes[:400])
    _get(client, reverse("reporting:period", args=[small.code]))
    small_html, small_queries = _get(client, reverse("reporting:period", args=[small.code]))
    large_html, large_queries = _get(client, reverse("reporting:period", args=[large.code]))
    assert large_queries == small_queries
    assert small_html.count("Xã Thử Nghiệm") == 10 and "Trang 1/" not in small_html
    assert large_html.count("Xã Thử Nghiệm") == 50 and "Trang 1/8" in large_html
    last, _queries = _get(client, reverse("reporting:period", args=[large.code]), {"page": 8})
    assert last.count("Xã Thử Nghiệm") == 400 - 7 * 50


def test_a_report_history_lists_its_changes_a_page_at_a_time(client, plan, coordinator,
                                                             make_user):
    reporter = make_user(Role.REPORTER, "sct", username="many-saves")
    period = _adhoc(plan, coordinator, [OrgUnit.objects.get(code="sct")])
    report = ReportRequest.objects.get(period=period)
    url = reverse("reporting:history", args=[period.code, "sct"])
    client.force_login(coordinator)
    for n in range(3):
        report_save(report=report, actor=reporter, version=report.version + n,
                    values={"q1": n + 1})
    _get(client, url)
    few_html, few_queries = _get(client, url)
    for n in range(3, 60):
        report_save(report=report, actor=reporter, version=1 + n, values={"q1": n + 1})
    many_html, many_queries = _get(client, url)
    assert many_queries == few_queries
    assert few_html.count("many-saves") == 3
    assert many_html.count("many-saves") == 50 and "Trang 1/2" in many_html
