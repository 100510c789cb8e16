"""Pages of progress: the overview of every target (the coordinator's and viewer's home),
a page per target and per sector, and their charts (SVG served from here, no JavaScript)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from plans.models import Plan, Target, TargetKind
from plans.selectors import plan_current
from progress import charts
from progress.models import STATUS_LABELS, AssessedStatus
from progress.selectors import (
    BASE_YEAR,
    assessments_of,
    default_period,
    period_check,
    progress_for_period,
    sector_index_detail,
    sector_indices,
    target_progress,
)
from progress.services import assessment_record
from registry.permissions import can_read_registries
from web.pages import list_page


def _plan() -> Plan:
    plan = plan_current()
    if plan is None:
        raise Http404(_("No plan is loaded."))
    return plan


def _period(request: HttpRequest, plan: Plan) -> tuple[int, str]:
    """The year asked for (?period=), or the default; an unusable one gives the default
    and a message."""
    raw = request.GET.get("period")
    if raw is None:
        return default_period(), ""
    try:
        return period_check(period=raw, plan=plan), ""
    except ValidationError as exc:
        return default_period(), " ".join(exc.message_dict["period"])


def _years(plan: Plan) -> list[int]:
    return list(range(BASE_YEAR, min(plan.end_year, default_period() + 1) + 1))


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    plan = _plan()
    period, problem = _period(request, plan)
    statuses = progress_for_period(period=period, plan=plan)
    verdicts = [s for s in statuses if s.past]
    return render(request, "progress/overview.html", {
        "plan": plan, "period": period, "problem": problem, "statuses": statuses,
        "verdicts": verdicts, "labels": STATUS_LABELS, "years": _years(plan)})


def _target(plan: Plan, code: str) -> Target:
    target = Target.objects.filter(plan=plan, code=code).select_related("milestone").first()
    if target is None:
        raise Http404(_("No such target."))
    return target


@login_required
def target_detail(request: HttpRequest, code: str) -> HttpResponse:
    plan = _plan()
    target = _target(plan, code)
    period, problem = _period(request, plan)
    status = target_progress(target=target, period=period)
    can_assess = getattr(request.user, "role", None) in (Role.ADMIN, Role.COORDINATOR)
    return render(request, "progress/target.html", {
        "plan": plan, "period": period, "problem": problem, "s": status,
        "labels": STATUS_LABELS, "years": _years(plan),
        "assessments": assessments_of(target=target)
        if target.kind == TargetKind.QUALITATIVE else [],
        "can_assess": can_assess and target.kind == TargetKind.QUALITATIVE,
        "choices": AssessedStatus.choices})


@login_required
@require_POST
def assess(request: HttpRequest, code: str) -> HttpResponse:
    plan = _plan()
    target = _target(plan, code)
    try:
        assessment_record(target=target, year=request.POST.get("year"),
                          status=request.POST.get("status"),
                          justification=request.POST.get("justification"),
                          actor=request.user)
    except PermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            for error in errors:
                messages.error(request, f"{field}: {error}" if field == "__all__" else error)
    else:
        messages.success(request, _("Assessment recorded."))
    return redirect("progress:target", code=target.code)


@login_required
def sector_detail(request: HttpRequest, code: str) -> HttpResponse:
    plan = _plan()
    period, problem = _period(request, plan)
    sector = plan.sectors.filter(code=code).first()
    if sector is None:
        raise Http404(_("No such sector."))
    # the province index from the summary; the sector's detail from its own figures
    province = sector_indices(plan=plan, last_year=period, detail=False).province
    found = sector_index_detail(plan=plan, last_year=period, sector=sector)
    enterprises, query = list_page(request, list(found.enterprises.items()))
    return render(request, "progress/sector.html", {
        "plan": plan, "period": period, "problem": problem, "si": found,
        "province": province, "years": _years(plan), "enterprises": enterprises,
        "query": query, "registries_open": can_read_registries(request.user)})


@login_required
def chart(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    if kind not in ("target", "sector", "province"):
        raise Http404(_("No such chart."))
    plan = _plan()
    period, _problem = _period(request, plan)
    spec = charts.chart_spec(plan=plan, kind=kind, code=code, period=period)
    if spec is None:
        raise Http404(_("No such chart."))
    svg = charts.chart_render(spec, fmt="svg")
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-cache"  # live: a new acceptance shows at once
    return response
