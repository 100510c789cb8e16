"""Request size caps, the busy database, unexpected API errors, request ids in JSON logs,
the health endpoint."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from accounts.services import token_create
from ops.logging import RequestContextFilter
from ops.selectors import app_version


@pytest.fixture
def coordinator_token(coordinator):
    return {"Authorization": "Bearer " + token_create(user=coordinator, name="t", actor=None)[1]}


@pytest.mark.parametrize("debug", [True, False])
def test_a_3_mb_json_body_is_refused_with_json_in_every_setting(client, coordinator_token,
                                                                debug, plan):
    body = json.dumps({"name": "x" * 3_000_000})
    with override_settings(DEBUG=debug):
        response = client.post("/api/v1/registry/areas", body, content_type="application/json",
                               headers=coordinator_token)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Yêu cầu quá lớn: chỉ nhận tối đa 1,0\xa0MB."}


def test_the_body_is_refused_before_it_is_read(client, coordinator_token, plan):
    # The test client's payload refuses to be read past the bytes it holds: a 413 here
    # proves the cap came from the header alone.
    response = client.generic("POST", "/api/v1/registry/areas", b"{}",
                              content_type="application/json", headers=coordinator_token,
                              CONTENT_LENGTH=str(500 * 1024 * 1024))
    assert response.status_code == 413


def test_a_too_large_upload_gets_a_page_in_vietnamese(client, coordinator, plan):
    client.force_login(coordinator)
    upload = SimpleUploadedFile("big.xlsx", b"0" * 4096)
    with override_settings(SCP_MAX_UPLOAD_BYTES=2048):
        response = client.post("/registry/areas/import/", {"file": upload})
    assert response.status_code == 413
    assert "text/html" in response["Content-Type"]
    assert "Tệp quá lớn: chỉ được tải lên tối đa 2,0\xa0KB." in response.content.decode()


def test_an_upload_under_the_cap_reaches_the_view(client, coordinator, plan):
    client.force_login(coordinator)
    upload = SimpleUploadedFile("small.xlsx", b"not really excel")
    response = client.post("/registry/areas/import/", {"file": upload})
    assert response.status_code == 302  # the import view queued it as a job
    assert response.url.startswith("/jobs/")


def test_a_busy_database_answers_503_json_to_the_api(client, coordinator_token, monkeypatch,
                                                     plan):
    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr("plans.api.plan_current", locked)
    response = client.get("/api/v1/plan", headers=coordinator_token)
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response.json() == {"detail": "Cơ sở dữ liệu đang bận. Vui lòng thử lại sau giây lát."}


def test_a_busy_database_answers_503_page_to_people(client, make_user, monkeypatch, plan):
    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr("web.views.plan_current", locked)
    client.force_login(make_user(Role.REPORTER, "sct"))
    response = client.get("/objectives/")  # the plan's objectives: read through plan_current
    assert response.status_code == 503
    assert "Cơ sở dữ liệu đang bận" in response.content.decode()


@pytest.mark.parametrize("debug", [True, False])
def test_an_unexpected_api_error_is_json_without_a_traceback(client, coordinator_token,
                                                              monkeypatch, debug, plan):
    def broken(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("plans.api.plan_current", broken)
    with override_settings(DEBUG=debug):
        response = client.get("/api/v1/plan", headers=coordinator_token)
    assert response.status_code == 500
    detail = response.json()["detail"]
    assert response["X-Request-ID"] in detail
    assert "secret internals" not in response.content.decode()
    assert "Traceback" not in response.content.decode()


@pytest.fixture
def json_log():
    """The JSON lines the request logger writes, through the configured formatter."""
    from pythonjsonlogger.json import JsonFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter("%(message)s %(request_id)s %(user)s %(unit)s"))
    logger = logging.getLogger("scp.request")
    logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)


def test_every_request_is_logged_as_a_json_line_with_request_id_user_and_unit(
        client, make_user, json_log, plan):
    reporter = make_user(Role.REPORTER, "sct", username="bc-sct-log")
    client.force_login(reporter)
    response = client.get("/profile/", headers={"X-Request-ID": "abc123def456"})
    assert response["X-Request-ID"] == "abc123def456"
    line = json.loads(json_log.getvalue().strip().splitlines()[-1])
    assert line["request_id"] == "abc123def456"
    assert line["user"] == "bc-sct-log" and line["unit"] == "sct"
    assert line["status"] == 200 and line["path"] == "/profile/"


def test_a_token_call_is_logged_with_the_token_s_user(client, coordinator, coordinator_token,
                                                      json_log, plan):
    response = client.get("/api/v1/plan", headers={**coordinator_token, "X-Request-ID": "<bad>"})
    assert len(response["X-Request-ID"]) == 32  # a malformed id is replaced
    line = json.loads(json_log.getvalue().strip().splitlines()[-1])
    assert line["user"] == coordinator.username and line["unit"] == "sct"


def test_health_reports_the_database_and_the_version(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": app_version(), "database": "ok",
                               "database_vendor": response.json()["database_vendor"]}
    assert app_version() != "unknown"


def test_health_is_503_when_the_database_fails(client, db, monkeypatch):
    class Broken:
        vendor = "sqlite"

        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr("ops.selectors.connection", Broken())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_a_token_call_does_not_read_the_session_s_user(client, coordinator, coordinator_token,
                                                      make_user, plan):
    """The API authenticates a token call itself: the session cookie a browser also sends
    is not read for it (two queries a call on deadline day)."""
    client.force_login(make_user(Role.REPORTER, "sct", username="session-user"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/reporting/periods", headers=coordinator_token)
    assert response.status_code == 200
    assert not [q for q in queries if "django_session" in q["sql"]]
    assert client.get("/api/v1/reporting/periods").status_code == 200  # the session alone
