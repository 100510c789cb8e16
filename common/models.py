"""Shared model bases and the audit trail every service writes to."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Abstract base: creation and last-change timestamps."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class NamedModel(models.Model):
    """Abstract base for things people find by name: a stored sort key of the name (the
    Vietnamese alphabet, so lists ORDER BY it and paginate) and the folded text of the
    fields a search box looks in (`search_fields`), both refreshed on every save."""

    search_fields: tuple[str, ...] = ("name",)

    name_sort = models.CharField(_("sort key of the name"), max_length=255, blank=True,
                                 default="", editable=False)
    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.text_keys_refresh()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_sort", "search_text"}
        super().save(*args, **kwargs)

    def text_keys_refresh(self) -> None:
        from common.text import fold, sort_key

        self.name_sort = sort_key(getattr(self, "name", ""))
        self.search_text = fold(" ".join(str(getattr(self, f, "") or "")
                                         for f in self.search_fields))


class ValidityQuerySet(models.QuerySet):
    """Filters for rows that carry a [valid_from, valid_to) validity window."""

    def active_on(self, day: dt.date) -> ValidityQuerySet:
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gt=day),
        )


class ValidityModel(models.Model):
    """Abstract base for things that open and close: valid from `valid_from` up to, not
    including, `valid_to` (so a unit closed on 1 July 2025 no longer exists that day)."""

    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until (exclusive)"), null=True, blank=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        abstract = True

    def is_active_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or self.valid_to > day
        )


class AuditEvent(models.Model):
    """One recorded change: who did what to which object, with each field's old and new value.

    `scope` groups events for one screen (e.g. every change to one report and its values),
    so a history page is a single indexed query."""

    occurred_at = models.DateTimeField(_("occurred at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
    )
    action = models.CharField(_("action"), max_length=64)
    target_type = models.ForeignKey(
        ContentType, verbose_name=_("object type"), on_delete=models.PROTECT
    )
    target_id = models.CharField(_("object id"), max_length=64)
    target_repr = models.CharField(_("object"), max_length=255)
    scope = models.CharField(_("scope"), max_length=100, db_index=True, blank=True)
    changes = models.JSONField(_("changes"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.target_repr}"


def scope_of(obj: models.Model) -> str:
    """The audit scope string of an object: `app_label.model:pk`."""
    return f"{obj._meta.label_lower}:{obj.pk}"


def changes_between(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """The fields whose value differs, as audit change records."""
    return [
        {"field": key, "old": old.get(key), "new": new.get(key)}
        for key in new
        if old.get(key) != new.get(key)
    ]
