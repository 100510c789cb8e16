"""Pages of data exchange: a report's Excel template and its import. Thin."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from common.types import AuthedRequest
from common.xlsx import LIMITS
from exchange.report_template import report_template_build
from exchange.services import TemplateRejected, report_template_import
from reporting import permissions
from reporting.models import ReportRequest
from reporting.selectors import report_get

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report(request: AuthedRequest, period: str, unit: str) -> ReportRequest:
    report = report_get(period_code=period, unit_code=unit)
    permissions.require_write(request.user, report)
    return report


@login_required
def template_download(request: AuthedRequest, period: str, unit: str) -> HttpResponse:
    report = _report(request, period, unit)
    response = HttpResponse(report_template_build(report=report), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="mau-bao-cao-{report.org_unit.code}-{report.period.code}.xlsx"')
    return response


@login_required
def template_import(request: AuthedRequest) -> HttpResponse:
    """Upload a filled template; with `period` and `unit` in the query, only that
    report's template is accepted."""
    expected = None
    period, unit = request.GET.get("period", ""), request.GET.get("unit", "")
    if period and unit:
        expected = _report(request, period, unit)
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            problems = [_("Choose the filled template (.xlsx).")]
        else:
            content = upload.read(LIMITS.packed_bytes + 1)
            try:
                done = report_template_import(content=content, actor=request.user,
                                              submit=request.POST.get("submit") == "on",
                                              report=expected)
            except TemplateRejected as exc:
                problems = [str(p) for p in exc.problems]
            else:
                if done.submitted:
                    messages.success(request, _("The template was imported and the report "
                                                "submitted."))
                elif done.changed:
                    messages.success(request, _("The template was imported into the report."))
                else:
                    messages.info(request, _("The template holds no change to the report."))
                return redirect("reporting:report", period=done.report.period.code,
                                unit=done.report.org_unit.code)
        status = 422
    return render(request, "exchange/import.html", {"expected": expected,
                                                    "problems": problems}, status=status)
