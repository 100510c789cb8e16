"""Writes shared by every app: the audit record."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from common.models import AuditEvent, scope_of


def audit_event(
    *,
    actor: Any,
    action: str,
    target: models.Model,
    changes: list[dict[str, Any]] | None = None,
    scope: models.Model | None = None,
    note: str = "",
) -> AuditEvent:
    """One change's audit record, not yet stored (`audit_record` stores one; a bulk write
    stores many with `AuditEvent.objects.bulk_create`)."""
    return AuditEvent(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        target_repr=str(target)[:255],
        scope=scope_of(scope if scope is not None else target),
        changes=_jsonable(changes or []),
        note=note,
    )


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model,
    changes: list[dict[str, Any]] | None = None,
    scope: models.Model | None = None,
    note: str = "",
) -> AuditEvent:
    """Record one change. Call inside the service's transaction so the change and its
    record commit or roll back together."""
    event = audit_event(actor=actor, action=action, target=target, changes=changes,
                        scope=scope, note=note)
    event.save()
    return event


_SCALARS = frozenset({type(None), bool, int, float, str})


def _jsonable(value: Any) -> Any:
    """Dates, decimals and the like as strings, so any value can go in the JSON column."""
    if type(value) in _SCALARS:  # most values: checked first, an import records thousands
        return value
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
