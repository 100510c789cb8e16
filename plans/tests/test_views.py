"""The plan's pages: home (objectives), agencies, tasks; sign-in required."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role


@pytest.fixture
def client_in(client, make_user):
    client.force_login(make_user(Role.REPORTER, "tp-ha-long"))
    return client


@pytest.mark.parametrize("name,kwargs", [
    ("web:home", {}), ("plans:agency-list", {}), ("plans:task-list", {}),
    ("plans:agency-detail", {"code": "sct"}), ("plans:task-detail", {"ref": "IV.2.1"}),
])
def test_pages_need_sign_in(client, plan, name, kwargs):
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert reverse("web:login") in response["Location"]


def test_home_shows_targets_by_milestone_in_vietnamese(client_in, plan):
    html = client_in.get(reverse("web:objectives")).content.decode()
    assert "Mục tiêu" in html
    assert "Giai đoạn 2021 - 2025" in html
    assert "−5 – 8%" in html  # a range target, decrease


def test_agency_list_in_fixed_queries(client_in, plan, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        response = client_in.get(reverse("plans:agency-list"), {"on": "01/06/2022"})
    html = response.content.decode()
    assert "Sở Kế hoạch và Đầu tư" in html and "Thành phố Hạ Long" in html


def test_agency_list_after_reorganisation_shows_successors(client_in, plan):
    html = client_in.get(reverse("plans:agency-list"), {"on": "01/08/2025"}).content.decode()
    assert "Sở Kế hoạch và Đầu tư" not in html
    assert "Sở Nông nghiệp và Môi trường" in html


def test_closed_agency_page_shows_its_tasks_and_successor(client_in, plan):
    html = client_in.get(reverse("plans:agency-detail", kwargs={"code": "skhdt"}),
                         {"on": "01/08/2025"}).content.decode()
    assert "IV.3.1" in html and "Sở Tài chính" in html


def test_task_page_names_who_is_responsible_on_a_date(client_in, plan):
    url = reverse("plans:task-detail", kwargs={"ref": "IV.2.1"})
    before = client_in.get(url, {"on": "01/01/2024"}).content.decode()
    after = client_in.get(url, {"on": "01/08/2025"}).content.decode()
    assert "Sở Tài nguyên và Môi trường" in before
    assert "Sở Nông nghiệp và Môi trường" in after


def test_bad_date_is_an_error_message_not_a_crash(client_in, plan):
    response = client_in.get(reverse("plans:task-detail", kwargs={"ref": "IV.2.1"}),
                             {"on": "32/13/2025"})
    assert response.status_code == 200
    assert "field-error" in response.content.decode()


def test_unknown_task_is_404(client_in, plan):
    assert client_in.get(reverse("plans:task-detail", kwargs={"ref": "IV.99.9"})).status_code == 404
