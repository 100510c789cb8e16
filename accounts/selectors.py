"""Reads on users."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import ApiToken, User


def users_of_unit_kinds(*, kinds: Iterable[str]) -> QuerySet[User]:
    """Active users whose organisation unit is of one of `kinds`, by username."""
    return (User.objects.filter(is_active=True, org_unit__kind__in=list(kinds))
            .select_related("org_unit").order_by("username"))


def tokens_of(*, user: User) -> QuerySet[ApiToken]:
    """A user's API tokens, newest first (revoked and expired ones too, marked so)."""
    return ApiToken.objects.filter(user=user)


def login_lockouts() -> list:
    """Accounts and addresses currently locked out of sign-in (django-axes' failure records
    at or over the limit within the cool-off time), newest first."""
    from axes.models import AccessAttempt

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return list(AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since,
    ).order_by("-attempt_time")[:500])
