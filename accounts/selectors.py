"""Reads on users."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from accounts.models import ApiToken, User


def users_of_unit_kinds(*, kinds: Iterable[str]) -> QuerySet[User]:
    """Active users whose organisation unit is of one of `kinds`, by username."""
    return (User.objects.filter(is_active=True, org_unit__kind__in=list(kinds))
            .select_related("org_unit").order_by("username"))


def tokens_of(*, user: User) -> QuerySet[ApiToken]:
    """A user's API tokens, newest first (revoked ones too, marked so)."""
    return ApiToken.objects.filter(user=user)
