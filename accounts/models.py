"""Users, their role and organisation unit, and personal API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.models import TimeStampedModel


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    COORDINATOR = "coordinator", _("Coordinator")
    REPORTER = "reporter", _("Reporter")
    VIEWER = "viewer", _("Viewer")


class User(AbstractUser):
    """A person who signs in. The role says what they may do; a reporter belongs to one
    organisation unit (an agency, a district or commune, or an enterprise) and works only
    on that unit's data."""

    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.VIEWER)
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("organisation unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="reporter") | Q(org_unit__isnull=False),
                name="user_reporter_has_unit",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_admin_role(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser

    @property
    def is_coordinator(self) -> bool:
        """Coordinators (and administrators) see and manage everything."""
        return self.role in {Role.COORDINATOR, Role.ADMIN} or self.is_superuser

    @property
    def is_reporter(self) -> bool:
        return self.role == Role.REPORTER

    @property
    def is_viewer(self) -> bool:
        return self.role == Role.VIEWER


class ApiToken(TimeStampedModel):
    """A personal token for the REST API. Only a SHA-256 digest is stored; the token itself
    is shown once, when created."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12)
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired
