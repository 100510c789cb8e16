"""Sign-in lock-out and unlock, set-password and forgot-password e-mails, token expiry and
"last used" writes, revocation by an administrator."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import OperationalError, connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.backends import UserWithUnitBackend
from accounts.models import ApiToken, Role, User
from accounts.services import token_create, user_upsert
from accounts.sessions import SessionStore
from common.models import AuditEvent

LOGIN = "/login/"


def _fail(client, username: str, times: int, ip: str = "10.0.0.1") -> None:
    for _ in range(times):
        response = client.post(LOGIN, {"username": username, "password": "sai"},
                               REMOTE_ADDR=ip)
        assert response.status_code in {200, 429}


def _sign_in(client, username: str, ip: str = "10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": "pw"}, REMOTE_ADDR=ip)


def test_an_account_is_locked_after_five_failures_even_with_the_right_password(
        client, make_user, plan):
    make_user(Role.REPORTER, "sct", username="bc-sct")
    for _ in range(4):
        assert client.post(LOGIN, {"username": "bc-sct", "password": "sai"},
                           REMOTE_ADDR="10.0.0.1").status_code == 200
    assert client.post(LOGIN, {"username": "bc-sct", "password": "sai"},
                       REMOTE_ADDR="10.0.0.1").status_code == 429  # the 5th locks
    response = _sign_in(client, "bc-sct", ip="10.9.9.9")  # another address, right password
    assert response.status_code == 429
    html = response.content.decode()
    assert "Đăng nhập sai quá nhiều lần" in html and "30 phút" in html
    assert "_auth_user_id" not in client.session


def test_an_address_is_locked_after_five_failures_across_accounts(client, make_user, plan):
    make_user(Role.VIEWER, "ubnd-quang-ninh", username="nguoixem")
    for name in ["a1", "a2", "a3", "a4", "a5"]:
        _fail(client, name, 1, ip="10.0.0.7")
    assert _sign_in(client, "nguoixem", ip="10.0.0.7").status_code == 429
    # The same account from elsewhere is not locked.
    assert _sign_in(client, "nguoixem", ip="10.0.0.8").status_code == 302


def test_a_success_before_the_limit_resets_the_count(client, make_user, plan):
    make_user(Role.VIEWER, "ubnd-quang-ninh", username="nguoixem")
    _fail(client, "nguoixem", 4)
    assert _sign_in(client, "nguoixem").status_code == 302
    client.logout()
    _fail(client, "nguoixem", 4)
    assert _sign_in(client, "nguoixem").status_code == 302


@pytest.mark.parametrize("role, allowed", [(Role.ADMIN, True), (Role.COORDINATOR, True),
                                           (Role.REPORTER, False), (Role.VIEWER, False)])
def test_lockouts_page_by_role(client, make_user, role, allowed, plan):
    unit = {Role.REPORTER: "sct", Role.VIEWER: "ubnd-quang-ninh"}.get(role, "sct")
    client.force_login(make_user(role, unit))
    assert client.get(reverse("web:lockouts")).status_code == (200 if allowed else 403)
    assert client.post(reverse("web:lockouts"), {"username": "x"}).status_code == (
        302 if allowed else 403)


@pytest.mark.parametrize("field, value", [("username", "bc-sct"), ("ip_address", "10.0.0.1")])
def test_a_coordinator_unlocks_an_account_or_an_address(client, make_user, coordinator, field,
                                                        value, plan):
    make_user(Role.REPORTER, "sct", username="bc-sct")
    _fail(client, "bc-sct", 5)
    assert _sign_in(client, "bc-sct").status_code == 429
    client_class = type(client)
    boss = client_class()
    boss.force_login(coordinator)
    page = boss.get(reverse("web:lockouts")).content.decode()
    assert "bc-sct" in page and "10.0.0.1" in page
    boss.post(reverse("web:lockouts"), {field: value})
    assert "Không có ai bị khóa." in boss.get(reverse("web:lockouts")).content.decode()
    assert AuditEvent.objects.filter(action="login.unlock").count() == 1
    assert _sign_in(client_class(), "bc-sct").status_code == 302


def _link(message) -> str:
    found = re.search(r"http://\S+/password/reset/(\S+)/(\S+)/", message.body)
    assert found, message.body
    return found.group(0).replace("http://127.0.0.1:8000", "")


def test_a_new_account_gets_a_set_password_link_after_commit(client, plan,
                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user, created = user_upsert(username="bc-moi", role=Role.VIEWER, actor=None,
                                    email="moi@example.invalid", full_name="Nguyễn Văn Mới")
        assert mail.outbox == []  # not before the account is committed
    assert created and not user.has_usable_password()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["moi@example.invalid"]
    message = mail.outbox[0]
    assert message.subject == "SCP Monitor: tài khoản mới của bạn"
    assert "Tên đăng nhập của bạn là: bc-moi" in message.body
    form_page = client.get(_link(message), follow=True)
    assert "Đặt mật khẩu" in form_page.content.decode()
    done = client.post(form_page.redirect_chain[-1][0],
                       {"new_password1": "Hạ Long 2030!", "new_password2": "Hạ Long 2030!"})
    assert done.status_code == 302
    assert client.post(LOGIN, {"username": "bc-moi", "password": "Hạ Long 2030!"}
                       ).status_code == 302
    # The link works once.
    again = client.get(_link(message), follow=True)
    assert "không còn hiệu lực" in again.content.decode()


def test_an_account_made_with_a_password_gets_no_e_mail(plan, make_user,
                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_user(Role.VIEWER, "ubnd-quang-ninh")
    assert mail.outbox == []


def test_forgot_password_sends_a_link_to_known_addresses_only(client, make_user, plan):
    make_user(Role.REPORTER, "sct", username="bc-sct")
    page = client.get(reverse("web:password-reset"))
    assert "Quên mật khẩu?" in page.content.decode()
    response = client.post(reverse("web:password-reset"), {"email": "BC-SCT@example.invalid"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].subject == "SCP Monitor: đặt mật khẩu mới"
    client.post(reverse("web:password-reset"), {"email": "nobody@example.invalid"})
    assert len(mail.outbox) == 1
    form_page = client.get(_link(mail.outbox[0]), follow=True)
    client.post(form_page.redirect_chain[-1][0],
                {"new_password1": "Vịnh Hạ Long 99", "new_password2": "Vịnh Hạ Long 99"})
    assert client.post(LOGIN, {"username": "bc-sct", "password": "Vịnh Hạ Long 99"}
                       ).status_code == 302


def test_admin_adds_a_user_without_a_password_and_the_e_mail_goes_out(
        client, make_user, plan, django_capture_on_commit_callbacks):
    client.force_login(make_user(Role.ADMIN))
    from orgunits.models import OrgUnit

    unit = OrgUnit.objects.get(code="sct")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:accounts_user_add"), {
            "username": "bc-admin-made", "email": "made@example.invalid", "first_name": "Lan",
            "last_name": "Trần", "role": Role.REPORTER, "org_unit": unit.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="bc-admin-made")
    assert user.org_unit == unit and not user.has_usable_password()
    assert [m.to for m in mail.outbox] == [["made@example.invalid"]]
    assert AuditEvent.objects.filter(action="user.create", target_id=str(user.pk)).exists()


def _bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def test_an_expired_token_is_refused_and_shown_as_expired(client, make_user, plan):
    user = make_user(Role.VIEWER, "ubnd-quang-ninh")
    token, raw = token_create(user=user, name="cu", actor=user, days=30)
    assert client.get("/api/v1/plan", headers=_bearer(raw)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/plan", headers=_bearer(raw)).status_code == 401
    client.force_login(user)
    assert "Đã hết hạn" in client.get(reverse("web:profile")).content.decode()


def test_the_profile_page_sets_the_token_s_lifetime(client, make_user, plan):
    user = make_user(Role.VIEWER, "ubnd-quang-ninh")
    client.force_login(user)
    client.post(reverse("web:profile"), {"name": "ngắn", "days": "30"})
    token = ApiToken.objects.get(user=user)
    assert token.expires_at is not None
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert client.post(reverse("web:profile"), {"name": "x", "days": "9999"}).status_code == 200
    assert ApiToken.objects.filter(user=user).count() == 1


def test_last_used_is_written_at_most_once_per_interval(client, make_user, plan):
    user = make_user(Role.VIEWER, "ubnd-quang-ninh")
    token, raw = token_create(user=user, name="t", actor=user)
    from django.db import connection

    with CaptureQueriesContext(connection) as first:
        client.get("/api/v1/plan", headers=_bearer(raw))
    with CaptureQueriesContext(connection) as second:
        client.get("/api/v1/plan", headers=_bearer(raw))
    updates = [q["sql"] for q in first.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1 and "last_used_at" in updates[0]
    assert not [q for q in second.captured_queries if q["sql"].startswith("UPDATE")]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_busy_database_never_fails_a_token_read(client, make_user, plan, monkeypatch):
    user = make_user(Role.VIEWER, "ubnd-quang-ninh")
    token, raw = token_create(user=user, name="t", actor=user)

    def locked(self, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(QuerySet, "update", locked)
    response = client.get("/api/v1/plan", headers=_bearer(raw))
    assert response.status_code == 200
    monkeypatch.undo()
    token.refresh_from_db()
    assert token.last_used_at is None


def test_an_administrator_lists_and_revokes_anyone_s_tokens(client, make_user, plan):
    owner = make_user(Role.REPORTER, "sct")
    token, raw = token_create(user=owner, name="kịch bản", actor=owner)
    # the token works before it is revoked, so the 401 below is the revocation's doing
    assert type(client)().get("/api/v1/plan", headers=_bearer(raw)).status_code == 200
    client.force_login(make_user(Role.ADMIN))
    listing = client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()
    assert token.prefix in listing
    client.post(reverse("admin:accounts_apitoken_changelist"),
                {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert type(client)().get("/api/v1/plan", headers=_bearer(raw)).status_code == 401


def test_each_request_reads_the_signed_in_user_with_its_unit_in_one_query(
        client, make_user, plan, django_assert_num_queries):
    user = make_user(Role.REPORTER, "sct", username="r-unit")
    backend = UserWithUnitBackend()
    with django_assert_num_queries(1):
        found = backend.get_user(user.pk)
        assert found is not None and found.org_unit.code == "sct"
    client.force_login(user)  # the session names this backend: every page goes through it
    assert client.session[BACKEND_SESSION_KEY] == "accounts.backends.UserWithUnitBackend"
    user.is_active = False
    user.save()
    assert backend.get_user(user.pk) is None
    assert backend.get_user(0) is None


def test_a_session_is_read_in_one_query_and_an_expired_one_signs_out(
        client, make_user, plan):
    user = make_user(Role.REPORTER, "sct", username="r-session")
    client.force_login(user)
    key = client.cookies["sessionid"].value
    with CaptureQueriesContext(connection) as queries:
        assert SessionStore(key).load()["_auth_user_id"] == str(user.pk)
    assert len(queries) == 1
    assert client.get(reverse("reporting:inbox")).status_code == 200
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("reporting:inbox")).status_code == 302  # to the sign-in page
    client.cookies["sessionid"] = "no-such-session-key-" + "x" * 20
    assert client.get(reverse("reporting:inbox")).status_code == 302
