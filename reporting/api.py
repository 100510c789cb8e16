"""REST endpoints for reporting (thin: validate, check permission, call a service or selector).

Reports are addressed as DHIS2 addresses data: by period code and organisation-unit code,
e.g. `/reports/2025S1/sct`. Writes carry the `version` the client read; a stale version
is refused with 409 and the refused changes are kept beside the current version."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import BeforeValidator, WithJsonSchema
from pydantic import Field as PydanticField

from api.pagination import Pages, Rows, paged
from common.parsing import text_clean
from common.schemas import parsed
from plans.selectors import plan_current
from reporting import permissions, selectors, services
from reporting.filters import RequestFilter
from reporting.models import Period, ReportRequest, ReportState
from reporting.services import MAX_REASON

router = Router(tags=[gettext_noop("Reporting")])

SCHEMA_TITLES = {
    "PeriodOut": gettext_noop("Reporting period"),
    "RequestOut": gettext_noop("Report request"),
    "ValueOut": gettext_noop("Value"),
    "TaskAnswerOut": gettext_noop("Task answer"),
    "IssueOut": gettext_noop("Issue found in a report"),
    "ReportOut": gettext_noop("Report"),
    "SaveIn": gettext_noop("Values and task answers to save"),
    "SubmitIn": gettext_noop("Submission"),
    "ReasonIn": gettext_noop("Reason"),
    "PeriodOpenIn": gettext_noop("Period to open"),
    "RatesOut": gettext_noop("Completeness and timeliness rates"),
    "UnitTimelinessOut": gettext_noop("A unit's timeliness"),
    "PagedUnitTimelinessOut": gettext_noop("A page of units' timeliness in a period"),
    "PagedPeriodOut": gettext_noop("A page of reporting periods"),
    "PagedRequestOut": gettext_noop("A page of report requests"),
    "PagedHistoryOut": gettext_noop("A page of recorded changes"),
    "PagedPeriodRatesOut": gettext_noop("A page of periods' rates"),
    "PeriodRatesOut": gettext_noop("Rates of a period"),
    "HistoryOut": gettext_noop("Recorded change"),
    "ReportState": gettext_noop("State of a report"),
}

# A period the plan's rules open by code: a year (2025) or its first half (2025S1); which
# years the loaded plan covers is stored data (a year outside it is a 409)
PERIOD_PATTERN = r"^[0-9]{4}([sS]1)?$"


class PeriodOut(Schema):
    code: str
    kind: str
    year: int
    label: str
    title: str
    start: dt.date
    end: dt.date
    due_date: dt.date


class RequestOut(Schema):
    period: str
    unit: str
    unit_name: str
    state: str
    version: int
    due_date: dt.date
    submitted_at: dt.datetime | None
    first_submitted_on: dt.date | None
    accepted_at: dt.datetime | None
    return_reason: str


class ValueOut(Schema):
    code: str
    name: str
    value_type: str
    unit: str
    required: bool
    task: str | None
    value: str | None
    numeric: float | int | None
    comment: str


class TaskAnswerOut(Schema):
    ref: str
    status: str
    results: str
    difficulties: str
    proposals: str


class IssueOut(Schema):
    field: str
    message: str
    level: str
    blocking: bool


class ReportOut(RequestOut):
    values: list[ValueOut]
    tasks: list[TaskAnswerOut]
    issues: list[IssueOut]


def _integral(value: Any) -> Any:
    """A JSON number with nothing after the point (3.0) is the whole number it writes."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


# strict: neither true nor "3" is a version
Version = Annotated[int, PydanticField(ge=0, le=2**31 - 1, strict=True),
                    BeforeValidator(_integral)]


class SaveIn(Schema):
    version: Version = Field(..., description=gettext_noop(
        "The version you read; a newer one refuses the write."))
    values: dict[str, Any] = Field(
        default_factory=dict,
        description=gettext_noop('By question code: a value, or {"value": ..., "comment": '
                                 '"..."}; null or "" clears it.'))
    tasks: dict[str, Any] = Field(
        default_factory=dict,
        description=gettext_noop("By task reference (IV.1.1): any of `status` "
                                 "(`not_started`, `in_progress`, `completed`, "
                                 "`recurring_done`), `results`, `difficulties`, `proposals`."))


class SubmitIn(Schema):
    version: Version | None = None


class ReasonIn(Schema):
    reason: Annotated[str, parsed(text_clean, max_length=MAX_REASON, multiline=True)]


class PeriodOpenIn(Schema):
    # the pattern is stated for clients; the service says in words what a code must be
    code: Annotated[str, PydanticField(max_length=20), WithJsonSchema(
        {"type": "string", "pattern": PERIOD_PATTERN})] = Field(
            ..., description=gettext_noop("2025S1 or 2025"))


class RatesOut(Schema):
    total: int
    on_time: int
    late: int
    missing: int
    pending: int
    completeness: float | None
    timeliness: float | None


class UnitTimelinessOut(Schema):
    unit: str
    unit_name: str
    state: str
    status: str = Field(..., description=gettext_noop(
        "`on_time`, `late`, `pending` (not yet due) or `missing`"))
    days_late: int
    submitted_on: dt.date | None


class CompletenessPages(Pages):
    """A period's units a page at a time, with the period's rates over all of them."""

    class Output(Pages.Output):
        period: str
        due_date: dt.date
        rates: RatesOut


class PeriodRatesOut(Schema):
    period: str
    due_date: dt.date
    rates: RatesOut


class HistoryOut(Schema):
    occurred_at: dt.datetime
    actor: str | None
    action: str
    note: str
    changes: list[dict[str, Any]]


def _number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _period_out(period: Period) -> dict[str, Any]:
    return {"code": period.code, "kind": period.kind, "year": period.year,
            "label": period.label, "title": period.title, "start": period.start,
            "end": period.end, "due_date": period.due_date}


def _request_out(report: ReportRequest) -> dict[str, Any]:
    return {"period": report.period.code, "unit": report.org_unit.code,
            "unit_name": report.org_unit.name, "state": report.state,
            "version": report.version, "due_date": report.period.due_date,
            "submitted_at": report.submitted_at, "first_submitted_on": report.first_submitted_on,
            "accepted_at": report.accepted_at, "return_reason": report.return_reason}


def _report_out(report: ReportRequest, layout: selectors.ReportLayout | None = None
                ) -> dict[str, Any]:
    """The report with its values, answers and issues (from the request's own layout of
    it, when it built one)."""
    layout = selectors.report_layout_current(report=report, layout=layout)
    task_refs = {a.task_id: ref for ref, a in layout.answers.items()}
    values = [{
        "code": f.question.code, "name": f.question.name, "value_type": f.question.value_type,
        "unit": f.question.unit, "required": f.question.required,
        "task": task_refs.get(f.question.task_id) if f.question.task_id else None,
        "value": f.raw or None,
        "numeric": _number(f.value.numeric) if f.value is not None else None,
        "comment": f.comment,
    } for f in layout.fields]
    tasks = [{"ref": ref, "status": a.status, "results": a.results,
              "difficulties": a.difficulties, "proposals": a.proposals}
             for ref, a in layout.answers.items()]
    issues = [{"field": i.key, "message": i.message, "level": i.level, "blocking": i.blocking}
              for i in selectors.report_issues(report=report, layout=layout)]
    return {**_request_out(report), "values": values, "tasks": tasks, "issues": issues}


def _rates_out(rates: selectors.Rates) -> dict[str, Any]:
    return {"total": rates.total, "on_time": rates.on_time, "late": rates.late,
            "missing": rates.missing, "pending": rates.pending,
            "completeness": rates.completeness, "timeliness": rates.timeliness}


def _plan() -> Any:
    plan = plan_current()
    if plan is None:
        raise Http404(_("No plan is loaded."))
    return plan


def _report(request: HttpRequest, period: str, unit: str) -> ReportRequest:
    report = selectors.report_get(period_code=period, unit_code=unit)
    permissions.require_view(request.user, report)
    return report


def _reload(report: ReportRequest) -> ReportRequest:
    return ReportRequest.objects.select_related("period", "org_unit").get(pk=report.pk)


@router.get("/periods", response=list[PeriodOut],
            summary=gettext_noop("Reporting periods, newest first"))
@paged()
def periods_list(request: HttpRequest) -> Rows:
    return Rows(Period.objects.filter(plan=_plan()).order_by("-due_date", "-code"),
                lambda page: [_period_out(p) for p in page])


@router.post("/periods", response={201: PeriodOut},
             summary=gettext_noop(
                 "Open a semi-annual (2025S1) or annual (2025) period (coordinator)"))
def periods_open(request: HttpRequest, payload: PeriodOpenIn) -> Status:
    period, _created = services.period_open(plan=_plan(), code=payload.code.strip().upper(),
                                            actor=request.user)
    return Status(201, _period_out(period))


@router.get("/requests", response=list[RequestOut],
            summary=gettext_noop("Report requests you may see, optionally filtered"))
@paged()
def requests_list(request: HttpRequest,
                  period: str | None = Query(None, max_length=20),
                  unit: str | None = Query(None, max_length=60),
                  state: ReportState | None = None) -> Rows:
    rows = selectors.requests_visible(user=request.user).filter(period__plan=_plan())
    if period:
        selectors.period_get(code=period)  # an unknown period is a 404
    filterset = RequestFilter(request.GET, queryset=rows)
    if not filterset.is_valid():
        raise ValidationError({k: list(v) for k, v in filterset.errors.items()})
    rows = filterset.qs
    return Rows(rows.order_by("-period__due_date", "org_unit__name_sort", "pk"),
                lambda page: [_request_out(r) for r in page])


@router.get("/reports/{period}/{unit}", response=ReportOut,
            summary=gettext_noop("A report: state, version, values, task answers and open issues"))
def report_read(request: HttpRequest, period: str, unit: str) -> dict[str, Any]:
    return _report_out(_report(request, period, unit))


@router.post("/reports/{period}/{unit}/values", response=ReportOut,
             summary=gettext_noop("Write values and task answers of a draft or returned report"))
def report_write(request: HttpRequest, period: str, unit: str, payload: SaveIn
                 ) -> dict[str, Any]:
    report = _report(request, period, unit)
    layout = selectors.report_layout(report=report, with_issues=False)
    saved = services.report_save(report=report, actor=request.user, version=payload.version,
                                 values=payload.values, answers=payload.tasks, layout=layout)
    return _report_out(saved, layout)


@router.post("/reports/{period}/{unit}/submit", response=ReportOut,
             summary=gettext_noop("Submit (or resubmit) the report; refused while issues block it"))
def report_submit(request: HttpRequest, period: str, unit: str, payload: SubmitIn
                  ) -> dict[str, Any]:
    report = _report(request, period, unit)
    layout = selectors.report_layout(report=report, with_issues=False)
    submitted = services.report_submit(report=report, actor=request.user,
                                       version=payload.version, layout=layout)
    return _report_out(submitted, layout)


@router.post("/reports/{period}/{unit}/accept", response=ReportOut,
             summary=gettext_noop("Accept a submitted report and lock it (coordinator)"))
def report_accept(request: HttpRequest, period: str, unit: str) -> dict[str, Any]:
    report = _report(request, period, unit)
    services.report_accept(report=report, actor=request.user)
    return _report_out(_reload(report))


@router.post("/reports/{period}/{unit}/return", response=ReportOut,
             summary=gettext_noop(
                 "Return a submitted report to its unit with a reason (coordinator)"))
def report_return(request: HttpRequest, period: str, unit: str, payload: ReasonIn
                  ) -> dict[str, Any]:
    report = _report(request, period, unit)
    services.report_return(report=report, actor=request.user, reason=payload.reason)
    return _report_out(_reload(report))


@router.post("/reports/{period}/{unit}/reopen", response=ReportOut,
             summary=gettext_noop("Reopen an accepted report, with a reason (coordinator)"))
def report_reopen(request: HttpRequest, period: str, unit: str, payload: ReasonIn
                  ) -> dict[str, Any]:
    report = _report(request, period, unit)
    services.report_reopen(report=report, actor=request.user, reason=payload.reason)
    return _report_out(_reload(report))


@router.get("/reports/{period}/{unit}/history", response=list[HistoryOut],
            summary=gettext_noop("Every recorded change to the report, newest first"))
@paged()
def report_history(request: HttpRequest, period: str, unit: str) -> Rows:
    report = _report(request, period, unit)
    return Rows(selectors.report_history(report=report), lambda page: [
        {"occurred_at": e.occurred_at, "actor": e.actor.username if e.actor else None,
         "action": e.action, "note": e.note, "changes": e.changes} for e in page])


@router.get("/completeness", response=list[PeriodRatesOut],
            summary=gettext_noop("Completeness and timeliness rates of every periodic period"))
@paged()
def completeness_list(request: HttpRequest) -> Rows:
    permissions.require_completeness(request.user)
    return Rows(selectors.completeness_by_period(plan=_plan()), lambda page: [
        {"period": p.code, "due_date": p.due_date, "rates": _rates_out(r)} for p, r in page])


@router.get("/completeness/{period}", response=list[UnitTimelinessOut],
            summary=gettext_noop("Each unit's timeliness in one period (missing first), "
                                 "with the rates"))
@paged(CompletenessPages)
def completeness_period(request: HttpRequest, period: str) -> Rows:
    permissions.require_completeness(request.user)
    found = selectors.completeness_for_period(period=selectors.period_get(code=period))
    return Rows(found.rows, lambda page: [
        {"unit": r.unit.code, "unit_name": r.unit.name, "state": r.state, "status": r.status,
         "days_late": r.days_late, "submitted_on": r.submitted_on} for r in page],
        period=found.period.code, due_date=found.period.due_date,
        rates=_rates_out(found.rates))
