"""Token authentication for the REST API: `Authorization: Bearer <token>`; the browser
session is accepted too, so the API can be tried from a signed-in page."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, django_auth

from accounts.models import ApiToken
from accounts.services import token_digest, token_touch
from common.compiled import Compiled

# every API call starts here: compiled once per process (common.compiled)
_TOKEN = Compiled(lambda digest: ApiToken.objects.select_related("user", "user__org_unit")
                  .filter(digest=digest, revoked_at__isnull=True, user__is_active=True),
                  digest=str)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        found = _TOKEN.one(digest=token_digest(token))  # the digest is unique
        if found is None or (found.expires_at is not None
                             and found.expires_at <= timezone.now()):
            return None
        token_touch(token=found)
        request.user = found.user
        return found.user


auth = [TokenAuth(), django_auth]
