"""Writes on users and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken, Role, User
from common.models import changes_between
from common.services import audit_record


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(*, user: User, name: str, actor: User) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns it with the raw key, which is never stored."""
    raw = "scp_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name or "API", prefix=raw[:10], digest=token_digest(raw)
    )
    audit_record(actor=actor, action="token.create", target=token, scope=user)
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit_record(actor=actor, action="token.revoke", target=token, scope=token.user)
    return token


@transaction.atomic
def user_upsert(
    *,
    username: str,
    role: str,
    actor: User | None,
    org_unit=None,
    email: str = "",
    full_name: str = "",
    password: str | None = None,
    password_hash: str | None = None,
) -> tuple[User, bool]:
    """Create or update a user by username; returns (user, created). `password_hash`
    (from make_password) spares re-hashing one password for many users, as the demo does."""
    user = User.objects.filter(username=username).first()
    created = user is None
    if user is None:
        user = User(username=username)
    first, _, last = full_name.rpartition(" ")
    before = {"role": user.role, "org_unit": user.org_unit_id, "email": user.email}
    user.role = role
    user.org_unit = org_unit
    user.email = email
    user.first_name, user.last_name = first, last
    user.is_staff = role == Role.ADMIN
    user.is_superuser = role == Role.ADMIN
    if password is not None:
        user.set_password(password)
    elif password_hash is not None:
        user.password = password_hash
    user.full_clean(exclude=["password"])
    user.save()
    after = {"role": user.role, "org_unit": user.org_unit_id, "email": user.email}
    changes = changes_between(before, after)
    if created or changes:
        audit_record(
            actor=actor, action="user.create" if created else "user.update",
            target=user, changes=changes,
        )
    return user, created
