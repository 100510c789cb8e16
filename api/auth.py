"""Token authentication for the REST API: `Authorization: Bearer <token>`; the browser
session is accepted too, so the API can be tried from a signed-in page."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, django_auth

from accounts.models import ApiToken
from accounts.services import token_digest


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        found = (
            ApiToken.objects.select_related("user", "user__org_unit")
            .filter(digest=token_digest(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        # One write per minute at most: enough to show "last used" without a write per call.
        now = timezone.now()
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


auth = [TokenAuth(), django_auth]
