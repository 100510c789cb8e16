"""Token authentication for the REST API: `Authorization: Bearer <token>`; the browser
session is accepted too, so the API can be tried from a signed-in page."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, django_auth

from accounts.models import ApiToken
from accounts.services import token_digest, token_touch


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        try:  # the digest is unique: get(), which neither orders nor compiles as much
            found = ApiToken.objects.select_related("user", "user__org_unit").get(
                Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()),
                digest=token_digest(token), revoked_at__isnull=True, user__is_active=True)
        except ApiToken.DoesNotExist:
            return None
        token_touch(token=found)
        request.user = found.user
        return found.user


auth = [TokenAuth(), django_auth]
