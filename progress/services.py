"""Writes of the progress app: the coordinator's assessment of a qualitative target,
recorded and audited like any value."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from common.parsing import ParseError, text_clean
from common.services import audit_record
from plans.models import Target, TargetKind
from progress.models import AssessedStatus, Assessment


@transaction.atomic
def assessment_record(*, target: Target, year: Any, status: Any, justification: Any,
                      actor: Any) -> Assessment:
    """Record (or change) the coordinator's assessment of a qualitative target for a year."""
    if getattr(actor, "role", None) not in (Role.ADMIN, Role.COORDINATOR):
        raise PermissionDenied(_("Only the coordinator assesses qualitative targets."))
    errors: dict[str, list[str]] = {}
    if target.kind != TargetKind.QUALITATIVE:
        errors["target"] = [_("Only qualitative targets are assessed; the others are "
                              "computed from the data.")]
    try:
        year_number = int(str(year).strip())
    except ValueError:
        year_number = 0
    if not target.plan.start_year <= year_number <= target.plan.end_year:
        errors["year"] = [_("Enter a year from %(start)s to %(end)s.")
                          % {"start": target.plan.start_year, "end": target.plan.end_year}]
    if status not in AssessedStatus.values:
        errors["status"] = [_("Choose a status.")]
    try:
        text = text_clean(justification, multiline=True)
    except ParseError as exc:
        errors["justification"] = [str(exc)]
        text = ""
    if not text and "justification" not in errors:
        errors["justification"] = [_("Say why: the justification is required.")]
    if errors:
        raise ValidationError(errors)
    existing = Assessment.objects.select_for_update().filter(target=target,
                                                             year=year_number).first()
    old = (existing.status, existing.justification) if existing else (None, None)
    assessment = existing or Assessment(target=target, year=year_number)
    assessment.status, assessment.justification = status, text
    assessment.assessed_by = actor if getattr(actor, "pk", None) else None
    assessment.assessed_at = timezone.now()
    assessment.save()
    audit_record(actor=actor, action="progress.assess", target=assessment,
                 changes=[{"field": "status", "old": old[0], "new": status},
                          {"field": "justification", "old": old[1], "new": text}])
    return assessment
