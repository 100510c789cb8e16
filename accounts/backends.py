"""The sign-in backend: Django's, with the user's unit read in the same query as the user
on every request (pages, permissions and the access log all read it)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from accounts.models import User


class UserWithUnitBackend(ModelBackend):
    """ModelBackend whose per-request look-up of the signed-in user brings its unit along."""

    def get_user(self, user_id: Any) -> User | None:
        user = User.objects.select_related("org_unit").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
