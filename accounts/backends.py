"""The sign-in backend: Django's, with the user's unit read in the same query as the user
on every request (pages, permissions and the access log all read it)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from accounts.models import User
from common.compiled import Compiled

# every signed-in page starts here: compiled once per process (common.compiled)
_USER = Compiled(lambda pk: User.objects.select_related("org_unit").filter(pk=pk), pk=int)


class UserWithUnitBackend(ModelBackend):
    """ModelBackend whose per-request look-up of the signed-in user brings its unit along."""

    def get_user(self, user_id: Any) -> User | None:
        try:  # the session keeps the key as text
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        user = _USER.one(pk=pk)
        return user if user is not None and self.user_can_authenticate(user) else None
