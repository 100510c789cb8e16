"""Error pages in Vietnamese with the site's navigation and a way back; the API answers
JSON for unknown paths, refused access and wrong methods."""

from __future__ import annotations

import pytest
from django.template import loader
from django.test import Client
from django.utils import translation

from accounts.models import Role


@pytest.fixture
def viewer_client(client, make_user, plan):
    client.force_login(make_user(Role.VIEWER, "ubnd-quang-ninh"))
    return client


def test_404_is_vietnamese_with_navigation_and_a_way_back(viewer_client):
    response = viewer_client.get("/khong-co-trang-nay/", HTTP_REFERER="/registry/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Không tìm thấy trang" in html and "Lỗi 404" in html
    assert 'class="nav-links"' in html  # the site's menu
    assert 'href="/"' in html and "Về trang chủ" in html
    assert 'href="/registry/"' in html and "Quay lại trang trước" in html


def test_403_is_vietnamese_with_navigation(client, make_user, plan):
    client.force_login(make_user(Role.REPORTER, "sct"))
    response = client.get("/registry/areas/new/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "Không có quyền truy cập" in html and "Lỗi 403" in html
    assert 'class="nav-links"' in html and "Về trang chủ" in html


@pytest.mark.django_db
def test_500_renders_without_a_request_or_a_database(django_assert_num_queries):
    with translation.override("vi"), django_assert_num_queries(0):
        html = loader.get_template("500.html").render({})
    assert "Máy chủ gặp sự cố" in html and "Lỗi 500" in html and 'href="/"' in html


def test_500_handler_answers_in_vietnamese(rf):
    """Django's handler finds the project's 500 page (not its plain English one)."""
    from django.views import defaults

    with translation.override("vi"):
        response = defaults.server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Máy chủ gặp sự cố" in response.content.decode()


def test_csrf_failure_page_is_vietnamese(plan):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "Biểu mẫu đã hết hạn" in response.content.decode()


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/registry/areas/x/y/z",
                                  "/api/v2/", "/api/v1/plan/tasks/NOPE"])
def test_unknown_api_paths_answer_json_404(viewer_client, path):
    response = viewer_client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


def test_api_wrong_method_answers_json_405(viewer_client):
    response = viewer_client.delete("/api/v1/plan")
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert "GET" in response.json()["detail"] and "GET" in response["Allow"]


def test_api_refusal_answers_json_403(client, make_user, plan):
    client.force_login(make_user(Role.REPORTER, "sct"))
    response = client.post("/api/v1/reporting/periods", '{"code": "2023"}',
                           content_type="application/json")
    assert response.status_code == 403
    assert response.json()["detail"]


def test_api_validation_messages_are_vietnamese(viewer_client):
    response = viewer_client.post("/api/v1/reporting/periods", "{}",
                                  content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"]["code"] == ["Trường này là bắt buộc."]
    response = viewer_client.post("/api/v1/reporting/periods", '{"code": [1]}',
                                  content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"]["code"] == ["Phải là văn bản."]
