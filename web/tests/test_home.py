"""Each role starts where its work is: a reporter in the inbox (what is due, returned,
overdue), a coordinator or a viewer on the progress dashboard."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role
from reporting.services import period_open, report_return, report_save, report_submit
from reporting.tests.conftest import complete_payload, report_of


@pytest.fixture
def cycle(plan, make_user):
    """2022S1 open (long overdue); Sở Công Thương submitted, Sở Xây dựng returned."""
    period = period_open(plan=plan, code="2022S1", actor=None, notify=False)[0]
    coordinator = make_user(Role.COORDINATOR, "sct", username="dieuphoi")
    for code, returned in (("sct", False), ("sxd", True)):
        reporter = make_user(Role.REPORTER, code, username=f"bc-{code}")
        report = report_of(period, code)
        values, answers = complete_payload(report)
        report = report_save(report=report, actor=reporter, version=1, values=values,
                             answers=answers)
        report = report_submit(report=report, actor=reporter)
        if returned:
            report_return(report=report, actor=coordinator, reason="Bổ sung số liệu",
                          notify=False)
    return period, coordinator


def test_reporter_home_is_the_inbox(client, cycle):
    from accounts.models import User

    client.force_login(User.objects.get(username="bc-sxd"))
    response = client.get(reverse("web:home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("reporting:inbox")
    html = response.content.decode()
    assert "1 bị trả lại để sửa" in html and "1 quá hạn" in html
    assert "Bổ sung số liệu" in html


@pytest.mark.parametrize("username", ["dieuphoi", "ubnd"])
def test_coordinator_and_viewer_start_on_the_progress_dashboard(client, cycle, make_user,
                                                                username):
    from accounts.models import User

    if username == "ubnd":
        make_user(Role.VIEWER, "ubnd-quang-ninh", username="ubnd")
    client.force_login(User.objects.get(username=username))
    response = client.get(reverse("web:home"))
    assert response.status_code == 200
    assert "progress/overview.html" in [t.name for t in response.templates]


def test_objectives_page_for_every_role(client, cycle):
    from accounts.models import User

    client.force_login(User.objects.get(username="bc-sct"))
    html = client.get(reverse("web:objectives")).content.decode()
    assert "Mục tiêu và chỉ tiêu" in html
