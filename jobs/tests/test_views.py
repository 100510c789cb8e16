"""A job's page: who sees it (others get 404, as for a job that does not exist), the
progress bar while it runs (htmx asks again every second; without JavaScript the page
refreshes itself), the outcome when it ends; few queries and a small answer."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role
from jobs.models import Job
from jobs.services import job_claim, job_enqueue, job_fail, job_progress
from jobs.tests.conftest import echo

WHO = ["owner", "other reporter", "coordinator", "admin", "viewer", "anonymous"]
SEES = {"owner": 200, "other reporter": 404, "coordinator": 200, "admin": 200,
        "viewer": 404, "anonymous": 302}


@pytest.fixture
def running(make_user, test_kind):
    owner = make_user(Role.REPORTER, "sct")
    job = job_enqueue(kind=test_kind(echo), actor=owner, filename="so-lieu.xlsx",
                      params={"title": "Khu công nghiệp"})
    job_progress(job=job_claim(worker="w"), done=500, total=2001)
    return job


@pytest.mark.parametrize("who", WHO)
def test_access_matrix(client, make_user, running, who):
    users = {"owner": running.owner, "other reporter": make_user(Role.REPORTER, "sct"),
             "coordinator": make_user(Role.COORDINATOR, "sct"),
             "admin": make_user(Role.ADMIN), "viewer": make_user(Role.VIEWER, "ubnd-quang-ninh")}
    if who in users:
        client.force_login(users[who])
    url = reverse("jobs:detail", args=[running.pk])
    response = client.get(url)
    assert response.status_code == SEES[who]
    if who == "anonymous":
        assert "/login/" in response.url
    if SEES[who] == 404:  # the same answer as for a job that is not there
        assert client.get(reverse("jobs:detail", args=[running.pk + 1000])).status_code == 404


def test_running_page_shows_the_bar_and_keeps_asking(client, running,
                                                     django_assert_max_num_queries):
    client.force_login(running.owner)
    url = reverse("jobs:detail", args=[running.pk])
    with django_assert_max_num_queries(4):
        html = client.get(url).content.decode()
    assert '<progress id="job-progress" value="500" max="2001">' in html
    assert "500 trên 2.001 bước (24%)" in html and "so-lieu.xlsx" in html
    assert 'hx-trigger="every 1s"' in html
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in html
    with django_assert_max_num_queries(4):
        fragment = client.get(url, headers={"HX-Request": "true"})
    assert fragment["Cache-Control"] == "no-store"
    assert len(fragment.content) < 1500 and b"<html" not in fragment.content
    assert b'hx-trigger="every 1s"' in fragment.content


def test_ended_page_stops_asking_and_lists_the_problems(client, running,
                                                        django_assert_max_num_queries):
    problems = [{"sheet": "Khu", "row": n, "column": "Địa bàn", "message": f"lỗi {n}"}
                for n in range(2, 302)]
    job_fail(job=Job.objects.get(pk=running.pk), message="Tệp không được nhập: 300 lỗi.",
             result={"problems": problems, "more": "… và 5 lỗi nữa."})
    client.force_login(running.owner)
    with django_assert_max_num_queries(4):
        response = client.get(reverse("jobs:detail", args=[running.pk]),
                              headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "hx-trigger" not in html and "Tệp không được nhập: 300 lỗi." in html
    assert html.count("<tr>") == 301 and "<td>Khu</td><td class=\"num\">301</td>" in html
    assert "… và 5 lỗi nữa." in html
    assert len(response.content) < 40_000
    page = client.get(reverse("jobs:detail", args=[running.pk])).content.decode()
    assert "http-equiv" not in page
