"""Writes on users and API tokens."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import DatabaseError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import ApiToken, Role, User
from common.models import changes_between
from common.services import audit_record


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


log = logging.getLogger(__name__)

# The durations a token's owner may choose, in days.
TOKEN_DAY_CHOICES = (30, 90, 180, 365)


@transaction.atomic
def token_create(*, user: User, name: str, actor: User | None,
                 days: int | None = None) -> tuple[ApiToken, str]:
    """Create a token for `user`, valid `days` days (SCP_TOKEN_DAYS by default); returns it
    with the raw key, which is never stored."""
    raw = "scp_" + secrets.token_urlsafe(32)
    days = days or settings.SCP_TOKEN_DAYS
    token = ApiToken.objects.create(
        user=user, name=name or "API", prefix=raw[:10], digest=token_digest(raw),
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit_record(actor=actor, action="token.create", target=token, scope=user)
    return token, raw


def token_touch(*, token: ApiToken) -> None:
    """Note that `token` was just used, at most once per SCP_TOKEN_TOUCH_SECONDS so that a
    read is not a write, and never failing the request: a busy database skips the note."""
    now = timezone.now()
    last = token.last_used_at
    if last is not None and (now - last).total_seconds() < settings.SCP_TOKEN_TOUCH_SECONDS:
        return
    try:
        with transaction.atomic():
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    except DatabaseError as exc:
        log.warning("last use of token %s not recorded: %s", token.prefix, exc)


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: User | None) -> ApiToken:
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
    elif created:
        # Nobody knows a password for the new account; its owner sets one from the e-mail.
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    after = {"role": user.role, "org_unit": user.org_unit_id, "email": user.email}
    changes = changes_between(before, after)
    if created or changes:
        audit_record(
            actor=actor, action="user.create" if created else "user.update",
            target=user, changes=changes,
        )
    if created and password is None and password_hash is None and user.email:
        transaction.on_commit(lambda: password_link_send(user=user, new_account=True))
    return user, created


def password_link_send(*, user: User, new_account: bool) -> None:
    """E-mail `user` a one-time link to set a password: the welcome of a new account, or
    the answer to "forgot password". The link stops working once the password is set, and
    after PASSWORD_RESET_TIMEOUT."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("web:password-reset-confirm", args=[uid, token])
    context = {"user": user, "link": settings.SCP_BASE_URL.rstrip("/") + path,
               "new_account": new_account, "hours": settings.PASSWORD_RESET_TIMEOUT // 3600}
    subject = render_to_string("accounts/email/password_link_subject.txt", context)
    body = render_to_string("accounts/email/password_link.txt", context)
    send_mail(" ".join(subject.split()), body, None, [user.email])


@transaction.atomic
def login_lockout_clear(*, username: str = "", ip_address: str = "", actor: User) -> int:
    """Unlock sign-in for an account or an address locked out after repeated failures;
    returns how many failure records were cleared."""
    from axes.models import AccessAttempt

    attempts = AccessAttempt.objects.all()
    if username:
        attempts = attempts.filter(username=username)
    if ip_address:
        attempts = attempts.filter(ip_address=ip_address)
    if not (username or ip_address):
        return 0
    count, _ = attempts.delete()
    if count:
        locked = User.objects.filter(username=username).first() if username else None
        audit_record(actor=actor, action="login.unlock", target=locked or actor,
                     note=f"username={username or '-'} ip={ip_address or '-'}")
    return count
