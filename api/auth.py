"""Token authentication for the REST API: `Authorization: Bearer <token>`; the browser
session is accepted too, so the API can be tried from a signed-in page."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from accounts.models import ApiToken
from accounts.services import token_digest, token_touch
from common.compiled import Compiled

# every API call starts here: compiled once per process (common.compiled)
_TOKEN = Compiled(lambda digest: ApiToken.objects.select_related("user", "user__org_unit")
                  .filter(digest=digest, user__is_active=True), digest=str)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        found = _TOKEN.one(digest=token_digest(token))  # the digest is unique
        if found is None or not found.is_active:  # revoked or expired: the model's rule
            return None
        token_touch(token=found)
        request.user = found.user
        return found.user


class SignedInSession(SessionAuth):
    """The browser session, CSRF-checked on writes. Without a signed-in user there is no
    session to forge: the request is unauthenticated (401, "sign in or send a valid
    token"), not refused for a missing CSRF token (403), as a script with a wrong or
    expired token would otherwise be told."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)


auth = [TokenAuth(), SignedInSession()]
