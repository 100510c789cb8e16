"""An unexpected error is logged as one JSON line with its traceback and the request's
context (request id, user, unit), whether a page or a token-authenticated API call met
it; the person sees neither the traceback nor the message. An upload is refused from its
declared length alone."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.test import Client

from accounts.models import Role
from accounts.services import token_create
from ops.logging import RequestContextFilter, logging_config


@pytest.fixture
def error_lines():
    """What the configured JSON handler writes for Django's and the API's error loggers."""
    from pythonjsonlogger.json import JsonFormatter

    options = dict(logging_config(fmt="json", level="INFO")["formatters"]["json"])
    options.pop("()")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter(**options))
    loggers = [logging.getLogger(name) for name in ("django.request", "scp.api")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def _broken(**kwargs):
    raise RuntimeError("secret internals 42")


def test_a_page_error_is_logged_with_context_and_shown_without_it(make_user, error_lines,
                                                                  monkeypatch, plan):
    monkeypatch.setattr("web.views.plan_current", _broken)
    client = Client(raise_request_exception=False)
    client.force_login(make_user(Role.REPORTER, "sct", username="bc-sct-loi"))
    response = client.get("/objectives/", headers={"X-Request-ID": "req-page-000001"})
    assert response.status_code == 500
    page = response.content.decode()
    assert "secret internals" not in page and "Traceback" not in page
    lines = error_lines()
    assert len(lines) == 1, lines
    line = lines[0]
    assert (line["level"], line["logger"]) == ("ERROR", "django.request")
    assert (line["request_id"], line["user"], line["unit"]) == ("req-page-000001",
                                                                "bc-sct-loi", "sct")
    assert "RuntimeError: secret internals 42" in line["exc_info"]


def test_an_api_error_is_logged_with_the_token_s_user(make_user, error_lines, monkeypatch,
                                                      plan):
    monkeypatch.setattr("plans.api.plan_current", _broken)
    user = make_user(Role.COORDINATOR, "sct", username="dieuphoi-loi")
    raw = token_create(user=user, name="t", actor=None)[1]
    response = Client().get("/api/v1/plan", headers={"Authorization": f"Bearer {raw}",
                                                     "X-Request-ID": "req-api-0000001"})
    assert response.status_code == 500
    assert "secret internals" not in response.content.decode()
    [line] = error_lines()
    assert (line["level"], line["logger"]) == ("ERROR", "scp.api")
    assert (line["request_id"], line["user"], line["unit"]) == ("req-api-0000001",
                                                                "dieuphoi-loi", "sct")
    assert "RuntimeError: secret internals 42" in line["exc_info"]


def test_an_upload_is_refused_from_its_declared_length_before_it_is_read(client,
                                                                         coordinator, plan):
    client.force_login(coordinator)
    # a multipart request declaring 50 MB while carrying a few bytes: reading it would
    # fail, so the 413 comes from the header alone
    response = client.generic(
        "POST", "/registry/areas/import/", b"--x\r\n",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(50 * 1024 * 1024))
    assert response.status_code == 413
    assert "Tệp quá lớn: chỉ được tải lên tối đa 10,0\xa0MB." in response.content.decode()
