"""The sign-in backend: Django's, with the user's unit read in the same query as the user
on every request (pages, permissions and the access log all read it)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from accounts.models import User


class UserWithUnitBackend(ModelBackend):
    """ModelBackend whose per-request look-up of the signed-in user brings its unit along."""

    def get_user(self, user_id: Any) -> User | None:
        try:  # get(), not first(): a key names one row, and ordering it costs every request
            user = User.objects.select_related("org_unit").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
