"""Pages and downloads of official documents: the consolidation of a period task by task,
the consolidated report and each unit's report as .docx and .pdf, and the official-document
record of a report with its signed scan. Thin: check, call one selector or service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.types import AuthedRequest
from documents import selectors, services
from documents.forms import OfficialDocumentForm
from documents.models import MAX_SCAN_BYTES
from documents.pdf import ConversionError, docx_to_pdf
from documents.writers import consolidated_report_docx, unit_report_docx
from reporting import permissions
from reporting.models import ReportRequest, ReportState
from reporting.selectors import period_get, report_get

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _download(content: bytes, name: str, fmt: str) -> HttpResponse:
    """The .docx as is, or its PDF; 503 with the reason when LibreOffice fails."""
    if fmt == "pdf":
        try:
            content = docx_to_pdf(content)
        except ConversionError as exc:
            return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
        response = HttpResponse(content, content_type="application/pdf")
    else:
        response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
def consolidation(request: AuthedRequest, code: str) -> HttpResponse:
    """Each task with every obliged unit's answer side by side (what the user may see)."""
    user = request.user
    if not (permissions.can_view_periods(user) or user.is_reporter):
        raise PermissionDenied(_("Your role does not allow reading reports."))
    period = period_get(code=code)
    group = request.GET.get("group", "")[:20]
    unit = request.GET.get("unit", "")[:40]
    found = selectors.consolidation_for_period(period=period, user=user, group=group,
                                               unit_code=unit)
    return render(request, "documents/consolidation.html", {
        "period": period, "found": found,
        "can_download": permissions.can_view_completeness(user),
    })


@login_required
def consolidated_download(request: AuthedRequest, code: str, fmt: str) -> HttpResponse:
    permissions.require_completeness(request.user)
    period = period_get(code=code)
    return _download(consolidated_report_docx(period=period), f"bao-cao-tong-hop-{period.code}",
                     fmt)


def _report(request: AuthedRequest, period: str, unit: str) -> ReportRequest:
    report = report_get(period_code=period, unit_code=unit)
    permissions.require_view(request.user, report)
    return report


@login_required
def unit_download(request: AuthedRequest, period: str, unit: str, fmt: str) -> HttpResponse:
    report = _report(request, period, unit)
    return _download(unit_report_docx(report=report),
                     f"bao-cao-{report.org_unit.code}-{report.period.code}", fmt)


@login_required
@require_POST
def official_record(request: AuthedRequest, period: str, unit: str) -> HttpResponse:
    report = _report(request, period, unit)
    form = OfficialDocumentForm(request.POST, request.FILES)
    back = redirect("reporting:report", period=report.period.code, unit=report.org_unit.code)
    if not form.is_valid():
        for field, problems in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for message in problems:
                messages.error(request, f"{label}: {message}" if label else str(message))
        return back
    upload = form.cleaned_data.get("scan")
    scan = upload.read(MAX_SCAN_BYTES + 1) if upload else None
    try:
        services.official_document_record(
            report=report, actor=request.user, number=form.cleaned_data["number"],
            issued_on=form.cleaned_data["issued_on"],
            signatory=form.cleaned_data["signatory"], position=form.cleaned_data["position"],
            scan=scan, scan_name=upload.name if upload else "",
            remove_scan=form.cleaned_data["remove_scan"])
    except ValidationError as exc:
        labels = {name: f.label for name, f in form.fields.items()}
        for key, errors in exc.message_dict.items():
            for message in errors:
                messages.error(request, f"{labels[key]}: {message}" if key in labels
                               else message)
        return back
    messages.success(request, _("Official document recorded."))
    return back


@login_required
def official_scan(request: AuthedRequest, period: str, unit: str) -> HttpResponse:
    report = _report(request, period, unit)
    document = selectors.official_document_scan(report=report)
    if document is None:
        raise Http404(_("No signed scan is kept for this report."))
    response = HttpResponse(bytes(document.scan or b""), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.scan_name}"'
    return response


def can_record(user: object, report: ReportRequest) -> bool:
    """Whether the official-document form is offered (the service decides in the end)."""
    if report.state == ReportState.ACCEPTED:
        return permissions.can_review(user)
    return report.state == ReportState.SUBMITTED and permissions.can_write(user, report)
