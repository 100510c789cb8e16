"""Pages of data exchange: a report's Excel template and its import. Thin."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from common.streaming import download
from common.types import AuthedRequest
from common.xlsx import LIMITS
from exchange.export import export_csv_zip, export_xlsx
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


@login_required
def data_export(request: AuthedRequest) -> HttpResponse | StreamingHttpResponse:
    """The export page; with `format`, the file: everything the user may see, or one
    period's."""
    from plans.selectors import plan_current
    from reporting.models import Period

    plan = plan_current()
    if plan is None:
        raise Http404(_("No plan is loaded."))
    periods = list(Period.objects.filter(plan=plan).order_by("-due_date", "-code"))
    fmt = request.GET.get("format", "")
    if fmt not in ("xlsx", "csv"):
        return render(request, "exchange/export.html", {"periods": periods})
    code = request.GET.get("period", "")
    period = next((p for p in periods if p.code == code), None) if code else None
    if code and period is None:
        raise Http404(_("Unknown period '%(code)s'.") % {"code": code[:20]})
    name = f"du-lieu-{period.code if period else 'tat-ca'}"
    if fmt == "xlsx":
        return download(export_xlsx(user=request.user, plan=plan, period=period),
                        filename=f"{name}.xlsx", content_type=XLSX)
    return download(export_csv_zip(user=request.user, plan=plan, period=period),
                    filename=f"{name}-csv.zip", content_type="application/zip")
