"""Reads shared by every app."""

from __future__ import annotations

from django.db import models
from django.db.models import QuerySet

from common.models import AuditEvent, scope_of


def audit_events_for(*, obj: models.Model) -> QuerySet[AuditEvent]:
    """Every audit event in the scope of `obj`, newest first, with the actor joined."""
    return AuditEvent.objects.filter(scope=scope_of(obj)).select_related("actor")
