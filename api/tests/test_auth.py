"""Who the API takes a request from (api.auth): a valid token, or the signed-in browser
session with its CSRF token; anything else is told, in Vietnamese, what to do."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from accounts.models import ApiToken, Role
from accounts.services import token_create

PERIODS = "/api/v1/reporting/periods"
BODY = json.dumps({"code": "2022s1"})
UNAUTHENTICATED = "Hãy đăng nhập hoặc gửi mã truy cập hợp lệ."


def _post(client: Client, **headers: str):
    return client.post(PERIODS, BODY, content_type="application/json", **headers)


@pytest.mark.parametrize("headers", [
    {}, {"HTTP_AUTHORIZATION": "Bearer scp_no-such-token"},
    {"HTTP_AUTHORIZATION": "Bearer "}, {"HTTP_AUTHORIZATION": "Basic eDp5"}])
def test_a_write_without_a_valid_token_or_session_is_401_not_a_csrf_refusal(plan, headers):
    response = _post(Client(enforce_csrf_checks=True), **headers)
    assert response.status_code == 401
    assert response.json() == {"detail": UNAUTHENTICATED}


def test_an_expired_token_is_401_on_a_write(plan, make_user):
    user = make_user(Role.COORDINATOR, "sct")
    token, secret = token_create(user=user, name="t", actor=None)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    ApiToken.objects.filter(pk=token.pk).update(expires_at="2020-01-01T00:00:00Z")
    assert _post(Client(enforce_csrf_checks=True), **auth).status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(expires_at=None)
    assert _post(Client(enforce_csrf_checks=True), **auth).status_code == 201


def test_a_signed_in_page_s_write_needs_its_csrf_token(plan, make_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.COORDINATOR, "sct"))
    refused = _post(client)
    assert refused.status_code == 403
    assert refused.json() == {
        "detail": "Mã bảo mật của trang bị thiếu hoặc đã hết hạn: hãy tải lại trang."}
    client.get("/reporting/")  # a page with a form sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    assert _post(client, HTTP_X_CSRFTOKEN=token).status_code == 201
