"""Console commands: `period`, `token`, `send-reminders` (its reminders are tested in
test_reminders)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import ApiToken, Role
from reporting.models import Period


def _run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_period_open_list_show(plan):
    text = _run("period", "open", "2023s1", "--no-mail")
    assert "2023S1: data 15/12/2022–14/06/2023, due 14/06/2023; 37 requests opened" in text
    assert "0 requests opened" in _run("period", "open", "2023S1", "--no-mail")
    assert "2023S1" in _run("period", "list")
    shown = _run("period", "show", "2023S1")
    assert "sct" in shown and "completeness" in shown
    assert Period.objects.filter(code="2023S1").count() == 1


@pytest.mark.parametrize("args", [("period", "open", "2023S3"), ("period", "open", "1990"),
                                  ("period", "show", "2099")])
def test_period_errors_are_command_errors(plan, args):
    with pytest.raises(CommandError):
        _run(*args)


def test_token_create_prints_it_once_and_revoke(make_user, client, plan):
    user = make_user(Role.COORDINATOR, "sct", username="dp")
    raw = _run("token", "create", "dp", "--name", "xuất số liệu").strip()
    assert raw.startswith("scp_") and len(raw) > 30
    token = ApiToken.objects.get(user=user)
    assert token.name == "xuất số liệu" and token.digest != raw
    assert client.get("/api/v1/reporting/periods",
                      HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    assert token.prefix in _run("token", "list", "dp")
    _run("token", "revoke", token.prefix)
    assert client.get("/api/v1/reporting/periods",
                      HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    with pytest.raises(CommandError):
        _run("token", "revoke", token.prefix)  # no active token starts with it any more
    with pytest.raises(CommandError):
        _run("token", "create", "nobody")
