"""API tokens: created on the profile page (shown once), stored hashed, revocable."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import ApiToken, Role
from accounts.services import token_create, token_revoke
from common.models import AuditEvent


def test_token_is_stored_hashed_and_authenticates_until_revoked(client, make_user, plan):
    user = make_user(Role.VIEWER, "ubnd-quang-ninh")
    token, raw = token_create(user=user, name="script", actor=user)
    assert raw not in {token.digest, token.prefix} and raw.startswith(token.prefix)
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/plan", headers=headers).status_code == 200
    token_revoke(token=token, actor=user)
    response = client.get("/api/v1/plan", headers=headers)
    assert response.status_code == 401
    assert "detail" in response.json()
    assert AuditEvent.objects.filter(action__in=["token.create", "token.revoke"]).count() == 2


def test_wrong_token_is_401_json(client, plan):
    response = client.get("/api/v1/plan", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.json()["detail"]


def test_profile_page_creates_and_revokes_own_tokens_only(client, make_user, plan):
    owner, other = make_user(Role.REPORTER, "sct"), make_user(Role.REPORTER, "stc")
    client.force_login(owner)
    response = client.post(reverse("web:profile"), {"name": "export"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=owner)
    assert token.prefix in response.content.decode()
    others_token, _ = token_create(user=other, name="x", actor=other)
    denied = client.post(reverse("web:token-revoke", args=[others_token.pk]))
    assert denied.status_code == 404
    others_token.refresh_from_db()
    assert others_token.is_active
    assert token.is_active
    client.post(reverse("web:token-revoke", args=[token.pk]))
    token.refresh_from_db()
    assert not token.is_active


def test_revoke_needs_post(client, make_user, plan):
    user = make_user(Role.VIEWER, "ubnd-quang-ninh")
    token, raw = token_create(user=user, name="x", actor=user)
    client.force_login(user)
    assert client.get(reverse("web:token-revoke", args=[token.pk])).status_code == 405
    # the refused GET left the token active and working
    token.refresh_from_db()
    assert token.is_active
    assert type(client)().get("/api/v1/plan", headers={"Authorization": f"Bearer {raw}"}
                              ).status_code == 200
