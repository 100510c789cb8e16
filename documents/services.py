"""Writes for official documents: recording the letter behind a unit's report (number and
symbol, date, signatory, position) and its signed scan."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from common.parsing import text_clean
from common.services import audit_record
from documents.models import MAX_SCAN_BYTES, OfficialDocument
from reporting import permissions
from reporting.models import ReportRequest, ReportState

RECORDABLE_STATES = frozenset({ReportState.SUBMITTED, ReportState.ACCEPTED})
_NUMBER = re.compile(r"^[0-9A-Za-zĐđ]{1,10}\s*/\s*[\w.\-]+(?:/[\w.\-]+)*$")


def pdf_check(content: bytes) -> list[str]:
    """Why `content` is not an acceptable signed scan ([] when it is): a PDF (it starts
    with %PDF- and ends with %%EOF) of at most 10 MB."""
    if len(content) > MAX_SCAN_BYTES:
        return [_("The scan is larger than %(mb)s MB.") % {"mb": MAX_SCAN_BYTES // 2**20}]
    if not content.startswith(b"%PDF-") or b"%%EOF" not in content[-2048:]:
        return [_("The scan must be a PDF file.")]
    return []


def _text(value: Any, field: str, label: str, limit: int, errors: dict[str, list[str]]
          ) -> str:
    text = text_clean(value, max_length=None) if isinstance(value, str) else ""
    if not text:
        errors[field] = [_("Give %(what)s.") % {"what": label}]
    elif len(text) > limit:
        errors[field] = [_("At most %(max)s characters.") % {"max": limit}]
    return text


def _scan_name(name: str) -> str:
    clean = text_clean(name or "", max_length=None)
    base = re.sub(r"[^\w.\- ]", "_", clean)[-150:] or "ban-quet.pdf"
    return base if base.lower().endswith(".pdf") else f"{base}.pdf"


@transaction.atomic
def official_document_record(*, report: ReportRequest, actor: Any, number: str,
                             issued_on: dt.date | None, signatory: str, position: str,
                             scan: bytes | None = None, scan_name: str = "",
                             remove_scan: bool = False,
                             today: dt.date | None = None) -> OfficialDocument:
    """Record (or correct) the official letter of a submitted or accepted report: its
    number and symbol ("125/BC-STNMT"), date, signatory and position, and optionally the
    signed scan (a PDF of at most 10 MB; `remove_scan` drops the one kept). The unit
    records it while its report waits for review; once accepted, only the coordinator
    may correct it. ValidationError naming each field at fault; nothing stored then."""
    permissions.require_write(actor, report)
    fresh = ReportRequest.objects.select_for_update(of=("self",)).select_related(
        "period").get(pk=report.pk)
    if fresh.state not in RECORDABLE_STATES:
        raise ValidationError({"state": [_("Submit the report first: the official document "
                                           "is recorded for a submitted report.")]})
    if fresh.state == ReportState.ACCEPTED and not permissions.can_review(actor):
        raise ValidationError({"state": [_("The report has been accepted: only the "
                                           "coordinator may correct its official document.")]})
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    number = _text(number, "number", _("the number and symbol"), 60, errors)
    if number and "number" not in errors and not _NUMBER.match(number):
        errors["number"] = [_("Write the number and symbol as on the letter, e.g. "
                              "125/BC-STNMT.")]
    signatory = _text(signatory, "signatory", _("the name of the signatory"), 120, errors)
    position = _text(position, "position", _("the position of the signatory"), 120, errors)
    if not isinstance(issued_on, dt.date):
        errors["issued_on"] = [_("Give the date of the document.")]
    elif issued_on > today:
        errors["issued_on"] = [_("The date of the document cannot be in the future.")]
    elif issued_on < fresh.period.start:
        errors["issued_on"] = [_("The date of the document is before the reporting period.")]
    if scan is not None:
        problems = pdf_check(scan)
        if problems:
            errors["scan"] = problems
    if errors:
        raise ValidationError(errors)
    document = OfficialDocument.objects.filter(request=fresh).first()
    old = ({"number": document.number, "issued_on": document.issued_on,
            "signatory": document.signatory, "position": document.position,
            "scan_name": document.scan_name} if document else {})
    if document is None:
        document = OfficialDocument(request=fresh)
    document.number, document.issued_on = number, issued_on  # type: ignore[assignment]
    document.signatory, document.position = signatory, position
    document.recorded_by = actor if isinstance(actor, User) else None
    if scan is not None:
        document.scan, document.scan_size = scan, len(scan)
        document.scan_name = _scan_name(scan_name)
    elif remove_scan:
        document.scan, document.scan_size, document.scan_name = None, 0, ""
    document.save()
    new = {"number": number, "issued_on": issued_on, "signatory": signatory,
           "position": position, "scan_name": document.scan_name}
    changes = [{"field": f"document:{key}", "old": old.get(key), "new": value}
               for key, value in new.items() if old.get(key) != value]
    if changes:
        audit_record(actor=actor, action="report.document", target=fresh, changes=changes)
    return document
