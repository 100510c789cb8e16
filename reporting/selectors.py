"""Reads on the reporting cycle: a report's form (its questions, values and issues),
inboxes and queues, and completeness and timeliness computed in the database."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any, overload

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.compiled import Compiled
from common.models import AuditEvent
from common.selectors import audit_events_for
from common.text import search_terms
from orgunits.models import (
    AGENCY_KINDS,
    COMMUNE_LEVEL_KINDS,
    DISTRICT_LEVEL_KINDS,
    OrgUnit,
    OrgUnitKind,
)
from orgunits.selectors import orgunit_graph, orgunit_ordering, orgunit_sort_key
from plans.models import DataElement, Plan, ReportingRule, ReportKind, Task
from plans.selectors import (
    form_parts,
    plan_current,
    plan_obligations_on,
    plans_newest_first,
)
from reporting import permissions
from reporting.models import (
    EDITABLE_STATES,
    ConflictCopy,
    DataValue,
    Period,
    ReportRequest,
    ReportState,
    TaskAnswer,
)
from reporting.periods import PeriodSpec, period_spec
from reporting.sections import sections_for, sections_joined
from reporting.validation import Issue, Question, task_issues, value_issues

# --------------------------------------------------------------------------------------
# For other apps


def report_for(*, unit: OrgUnit, period_code: str, plan: Plan | None = None
               ) -> ReportRequest | None:
    """The report request of `unit` for the period coded `period_code` of the current plan
    (or `plan`), or None."""
    plan = plan or plan_current()
    if plan is None:
        return None
    return (ReportRequest.objects.select_related("period", "org_unit")
            .filter(period__plan=plan, period__code=period_code, org_unit=unit).first())


def report_is_editable(*, report: ReportRequest) -> bool:
    """Whether the report may still change (a draft, or returned to the unit)."""
    return report.state in EDITABLE_STATES


# --------------------------------------------------------------------------------------
# Looking things up by the codes people and programs use


def period_get(*, code: str, plan: Plan | None = None) -> Period:
    """The period of the current plan with this code; Http404 naming it otherwise."""
    plan = plan or plan_current()
    period = (Period.objects.select_related("plan").filter(plan=plan, code=(code or "").upper())
              .first() if plan and "\x00" not in (code or "") else None)
    if period is None:
        raise Http404(_("Unknown period '%(code)s'.") % {"code": code})
    return period


def _report_rows(*, period: str, unit: str, for_page: bool = False
                 ) -> QuerySet[ReportRequest]:
    rows = ReportRequest.objects.select_related("period", "period__plan", "org_unit")
    if for_page:
        rows = sections_joined(rows)
    return rows.filter(period__plan=Subquery(plans_newest_first().values("pk")[:1]),
                       period__code=period, org_unit__code=unit).order_by()


# every report page and API call starts here: compiled once per process, for its query's
# joins and columns cost more to compile than to run (common.compiled)
_REPORT = Compiled(_report_rows, period=str, unit=str)
_REPORT_FOR_PAGE = Compiled(lambda **v: _report_rows(for_page=True, **v), period=str, unit=str)


def report_get(*, period_code: str, unit_code: str, for_page: bool = False
               ) -> ReportRequest:
    """The report of a unit for a period of the current plan, in one query (every report
    page and API call starts here); Http404 naming the period, the unit or the missing
    request. With `for_page` (the report page), the query also brings what the other
    apps' sections of the page read (`sections_joined`)."""
    # a plan's period code and a unit's code name one row (unique constraints)
    found = (_REPORT_FOR_PAGE if for_page else _REPORT).one(
        period=(period_code or "").upper(), unit=unit_code or "")
    if found is not None:
        return found
    # not found: the lookups again, one by one, to say which part is wrong
    period = period_get(code=period_code)
    unit = (OrgUnit.objects.filter(code=unit_code).first() if "\x00" not in unit_code
            else None)
    if unit is None:
        raise Http404(_("Unknown organisation unit '%(code)s'.") % {"code": unit_code})
    raise Http404(_("%(unit)s has no report request for %(period)s.")
                  % {"unit": unit.name, "period": period.code})


# --------------------------------------------------------------------------------------
# A report's form


@dataclass
class FieldState:
    """One question on the form with its stored answer and what the checks say."""

    question: Question
    value: DataValue | None
    previous: Decimal | None
    issues: list[Issue] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.question.key

    @property
    def raw(self) -> str:
        return self.value.value if self.value is not None else ""

    @property
    def comment(self) -> str:
        return self.value.comment if self.value is not None else ""

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "warning"]


@dataclass
class TaskSection:
    answer: TaskAnswer
    fields: list[FieldState]
    issues: list[Issue] = field(default_factory=list)

    @property
    def task(self) -> Any:
        return self.answer.task

    def issues_for(self, name: str) -> list[Issue]:
        return [i for i in self.issues if i.key == f"tasks.{self.task.ref}.{name}"]


@dataclass
class ReportLayout:
    """Everything the form shows: one section per task with its quantitative outputs,
    then the unit's own values, then the ad-hoc questions. Built once a request: a save
    updates it in place with what it stored, and `check` works out the issues again
    (no query)."""

    report: ReportRequest
    tasks: list[TaskSection]
    unit_fields: list[FieldState]
    adhoc_fields: list[FieldState]
    questions: dict[str, Question]
    answers: dict[str, TaskAnswer]

    @property
    def fields(self) -> list[FieldState]:
        return [f for s in self.tasks for f in s.fields] + self.unit_fields + self.adhoc_fields

    @property
    def issues(self) -> list[Issue]:
        return [i for s in self.tasks for i in s.issues] + [
            i for f in self.fields for i in f.issues]

    def check(self) -> ReportLayout:
        """Work out every field's and task's submit-time issues from the values held."""
        stored = {f.question.code: f.value for f in self.fields}
        for state in self.fields:
            question = state.question
            whole = self.questions.get(question.part_of) if question.part_of else None
            state.issues = value_issues(question, state.value, state.previous,
                                        stored.get(whole.code) if whole else None, whole)
        for section in self.tasks:
            section.issues = task_issues(section.answer)
        return self


def _questions_of(report: ReportRequest, answers: list[TaskAnswer],
                  elements: list[DataElement]) -> tuple[list[Question], list[Question]]:
    """(plan questions, ad-hoc questions) asked of this report (`elements`: the plan's)."""
    period, unit = report.period, report.org_unit
    plan_questions: list[Question] = []
    if not period.is_adhoc or period.include_plan_questions:
        task_ids = {a.task_id for a in answers}
        for element in elements:
            if element.task_id is not None:
                asked = element.task_id in task_ids
            else:
                asked = (unit.kind in (element.unit_kinds or [])
                         or unit.code in (element.unit_codes or []))
            if asked:
                part_of = element.part_of.code if element.part_of is not None else None
                plan_questions.append(Question(element, part_of))
    adhoc = ([Question(q) for q in period.questions.order_by("order", "id")]
             if period.is_adhoc else [])
    return plan_questions, adhoc


@cache
def _values_and_previous_sql() -> str:
    """The SQL of `_values_and_previous`, written once a process from the models' names:
    the form and every save run it, and the ORM compiling its joins and subquery cost more
    than running it."""
    quote = connection.ops.quote_name

    def column(model: Any, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    value, request, period = (quote(m._meta.db_table) for m in (DataValue, ReportRequest, Period))
    fields = ", ".join(f"v.{quote(str(f.column))}" for f in DataValue._meta.concrete_fields)
    on = f"v.{column(DataValue, 'request')}"
    return (
        f"SELECT {fields} FROM {value} v WHERE {on} = %s OR ("
        f"v.{column(DataValue, 'element')} IS NOT NULL AND v.{column(DataValue, 'numeric')} "
        f"IS NOT NULL AND {on} = (SELECT r.{column(ReportRequest, 'id')} FROM {request} r "
        f"INNER JOIN {period} p ON p.{column(Period, 'id')} = r.{column(ReportRequest, 'period')}"
        f" WHERE r.{column(ReportRequest, 'org_unit')} = %s AND p.{column(Period, 'plan')} = %s"
        f" AND p.{column(Period, 'kind')} = %s AND p.{column(Period, 'year')} = %s"
        # one period a kind and year (codes 2025S1, 2025), one report a unit and period;
        # LIMIT all the same: a scalar subquery with two rows would fail the page
        f" AND r.{column(ReportRequest, 'state')} IN (%s, %s) LIMIT 1))")


def _values_and_previous(report: ReportRequest, numeric: dict[int, str]
                         ) -> tuple[list[DataValue], dict[str, Decimal]]:
    """The report's stored values, and the unit's numbers for the same questions
    (`numeric`: data element id → question code) in the previous period of the same kind
    (2024S1 for 2025S1, 2024 for 2025), as submitted or accepted: one query, the previous
    report found by a subquery in it."""
    period = report.period
    if period.is_adhoc or not numeric:
        return list(report.values.all()), {}
    own: list[DataValue] = []
    previous: dict[str, Decimal] = {}
    for row in DataValue.objects.raw(_values_and_previous_sql(), [
            report.pk, report.org_unit_id, period.plan_id, period.kind, period.year - 1,
            ReportState.SUBMITTED, ReportState.ACCEPTED]):
        if row.request_id == report.pk:
            own.append(row)
        elif row.element_id in numeric and row.numeric is not None:
            previous[numeric[row.element_id]] = row.numeric
    return own, previous


# every form and save reads them (common.compiled)
_ANSWERS = Compiled(lambda request: TaskAnswer.objects.filter(request_id=request).order_by(),
                    request=int)


def report_layout(*, report: ReportRequest, with_issues: bool = True) -> ReportLayout:
    """The form of `report`: a handful of queries whatever its size; with its issues
    worked out unless `with_issues` is false."""
    elements, tasks = form_parts(plan_id=report.period.plan_id)
    # the answers alone, their tasks from the process's copy (no join, no Task per row)
    answers = _ANSWERS.rows(request=report.pk)
    if missing := {a.task_id for a in answers} - tasks.keys():  # a plan load in between
        tasks = {**tasks, **Task.objects.in_bulk(missing)}
    for answer in answers:
        answer.task = tasks[answer.task_id]
    answers.sort(key=lambda a: (a.task.order, a.pk))
    plan_questions, adhoc_questions = _questions_of(report, answers, elements)
    questions = {q.code: q for q in plan_questions + adhoc_questions}
    stored: dict[str, DataValue] = {}
    by_element = {q.element_id: q.code for q in plan_questions}
    by_adhoc = {q.question_id: q.code for q in adhoc_questions}
    values, previous = _values_and_previous(
        report, {q.element_id: q.code for q in plan_questions
                 if q.is_numeric and q.element_id is not None})
    for value in values:
        code = by_element.get(value.element_id) if value.element_id else by_adhoc.get(
            value.question_id)
        if code is not None:
            stored[code] = value

    def state_of(question: Question) -> FieldState:
        return FieldState(question, stored.get(question.code), previous.get(question.code))

    sections = [TaskSection(answer, [state_of(q) for q in plan_questions
                                     if q.task_id == answer.task_id])
                for answer in answers]
    layout = ReportLayout(
        report=report,
        tasks=sections,
        unit_fields=[state_of(q) for q in plan_questions if q.task_id is None],
        adhoc_fields=[state_of(q) for q in adhoc_questions],
        questions=questions,
        answers={a.task.ref: a for a in answers},
    )
    return layout.check() if with_issues else layout


def report_layout_current(*, report: ReportRequest, layout: ReportLayout | None
                          ) -> ReportLayout:
    """`layout` if it was built of `report` as it stands (same version), else a new one:
    a request builds the layout once and hands it on to the services."""
    if layout is not None and layout.report.pk == report.pk \
            and layout.report.version == report.version:
        layout.report = report
        return layout
    return report_layout(report=report, with_issues=False)


def report_issues(*, report: ReportRequest, layout: ReportLayout | None = None) -> list[Issue]:
    """Every issue of the report, including the other apps' form sections (`layout`, the
    request's own layout of the report, is checked again rather than built anew)."""
    layout = report_layout_current(report=report, layout=layout).check()
    issues = list(layout.issues)
    for section in sections_for(report):
        for message in section.validate(report):
            issues.append(Issue(f"sections.{section.key}", str(message)))
    return issues


def report_conflicts_open(*, report: ReportRequest) -> list[ConflictCopy]:
    """The report's unresolved edit conflicts, newest first; no query for a report whose
    flag says it has none (`has_open_conflicts`, kept with the copies)."""
    if not report.has_open_conflicts:
        return []
    return list(report.conflicts.unresolved().select_related("author"))


@dataclass(frozen=True)
class HistoryEntry:
    event: AuditEvent
    changes: list[dict[str, Any]]


def report_history(*, report: ReportRequest) -> QuerySet[AuditEvent]:
    """Every recorded change to the report, its values, answers and state; newest first
    (unevaluated, to be paged)."""
    return audit_events_for(obj=report).order_by("-occurred_at", "-pk")


# --------------------------------------------------------------------------------------
# Lists


def days_left(due_date: dt.date, today: dt.date | None = None) -> int:
    """Days until the due date (0 on the day itself); negative when overdue."""
    return (due_date - (today or timezone.localdate())).days


def requests_visible(*, user: Any) -> QuerySet[ReportRequest]:
    return (ReportRequest.objects.filter(permissions.visible_reports_q(user))
            .select_related("period", "org_unit"))


def inbox_for(*, user: Any, today: dt.date | None = None) -> dict[str, list[ReportRequest]]:
    """A reporter's requests: `open` (draft or returned, soonest due first) and `done`
    (submitted or accepted, newest first); among the open, `returned` and `overdue`. Each
    carries `days_left`. One query."""
    today = today or timezone.localdate()
    rows = requests_visible(user=user)
    if not getattr(user, "is_reporter", False):
        rows = rows.none()
    result: dict[str, list[ReportRequest]] = {"open": [], "done": [], "returned": [],
                                              "overdue": []}
    for report in rows.order_by("period__due_date", "period__code"):
        left = days_left(report.period.due_date, today)
        report.days_left = left  # type: ignore[attr-defined]
        result["open" if report.is_editable else "done"].append(report)
        if report.state == ReportState.RETURNED:
            result["returned"].append(report)
        if report.is_editable and left < 0:
            result["overdue"].append(report)
    result["done"].reverse()
    return result


def units_obliged_on(*, plan: Plan, day: dt.date) -> dict[OrgUnit, list[Task]]:
    """Units that must report on `day`: every unit holding a task of the plan (through
    successions) and every enterprise designated and active that day."""
    obligations = dict(plan_obligations_on(plan=plan, day=day))
    for enterprise in OrgUnit.objects.active_on(day).filter(kind=OrgUnitKind.ENTERPRISE):
        obligations.setdefault(enterprise, [])
    return obligations


@dataclass(frozen=True)
class PeriodPreview:
    """What opening a period will do: its dates, how many units get a new request."""

    spec: PeriodSpec
    label: str
    n_units: int
    n_new: int
    opened: bool


def periods_openable(*, plan: Plan, today: dt.date | None = None) -> list[PeriodSpec]:
    """The semi-annual and annual periods of `plan` whose data window has begun and that
    are not open yet, latest first (a coordinator may still open a missed one)."""
    today = today or timezone.localdate()
    opened = set(Period.objects.filter(plan=plan).values_list("code", flat=True))
    rules = {r.kind: r for r in ReportingRule.objects.filter(plan=plan)}
    found = []
    for year in range(plan.start_year, min(plan.end_year, today.year + 1) + 1):
        for code in (f"{year}S1", str(year)):
            try:
                spec = period_spec(plan=plan, code=code, rules=rules)
            except ValidationError:
                continue  # a kind this plan does not ask for
            if spec.start <= today and spec.code not in opened:
                found.append(spec)
    return sorted(found, key=lambda s: (s.due_date, s.code), reverse=True)


def period_label_of(spec: PeriodSpec) -> str:
    return str(Period(kind=spec.kind, year=spec.year, code=spec.code).label)


def period_open_preview(*, plan: Plan, code: str) -> PeriodPreview:
    """What `services.period_open` would do for `code` (ValidationError keyed `period`
    for a code that cannot be opened)."""
    spec = period_spec(plan=plan, code=code)
    units = units_obliged_on(plan=plan, day=spec.end)
    period = Period.objects.filter(plan=plan, code=spec.code).first()
    existing = set(period.requests.values_list("org_unit_id", flat=True)) if period else set()
    return PeriodPreview(spec=spec, label=period_label_of(spec), n_units=len(units),
                         n_new=sum(1 for u in units if u.pk not in existing),
                         opened=period is not None)


def period_units_missing(*, period: Period) -> int:
    """How many units obliged for a semi-annual or annual `period` have no request yet
    (what `services.period_units_add` would ask)."""
    asked = set(period.requests.values_list("org_unit_id", flat=True))
    return sum(1 for unit in units_obliged_on(plan=period.plan, day=period.end)
               if unit.pk not in asked)


def review_queue(*, state: str = ReportState.SUBMITTED) -> QuerySet[ReportRequest]:
    """Reports waiting for the coordinator, oldest submission first. One query."""
    return (ReportRequest.objects.filter(state=state)
            .select_related("period", "org_unit", "submitted_by")
            .order_by("submitted_at", "id"))


def period_list(*, plan: Plan) -> QuerySet[Period]:
    """The plan's periods, newest first, with their requests counted by state. One query."""
    return Period.objects.filter(plan=plan).annotate(
        n_total=Count("requests"),
        n_draft=Count("requests", filter=Q(requests__state=ReportState.DRAFT)),
        n_submitted=Count("requests", filter=Q(requests__state=ReportState.SUBMITTED)),
        n_returned=Count("requests", filter=Q(requests__state=ReportState.RETURNED)),
        n_accepted=Count("requests", filter=Q(requests__state=ReportState.ACCEPTED)),
    ).order_by("-due_date", "-code")


# --------------------------------------------------------------------------------------
# Completeness and timeliness

ON_TIME, LATE, PENDING, MISSING = "on_time", "late", "pending", "missing"
STATUS_LABELS = {
    ON_TIME: "On time", LATE: "Late", PENDING: "Not yet due", MISSING: "Not submitted",
}


def timeliness(*, due_date: dt.date, first_submitted_on: dt.date | None,
               today: dt.date) -> tuple[str, int]:
    """(status, days overdue) of one request: on time, late by N days, pending (not
    submitted, not yet due) or missing (not submitted, N days overdue)."""
    if first_submitted_on is not None:
        late_by = (first_submitted_on - due_date).days
        return (LATE, late_by) if late_by > 0 else (ON_TIME, 0)
    overdue = (today - due_date).days
    return (MISSING, overdue) if overdue > 0 else (PENDING, 0)


@dataclass(frozen=True)
class UnitTimeliness:
    unit: OrgUnit
    report_id: int
    state: str
    status: str
    days_late: int
    submitted_on: dt.date | None


@dataclass(frozen=True)
class Rates:
    total: int
    on_time: int
    late: int
    missing: int
    pending: int

    @property
    def submitted(self) -> int:
        return self.on_time + self.late

    @property
    def due(self) -> int:
        """Requests that were due: everything but those not yet due."""
        return self.total - self.pending

    @property
    def completeness(self) -> float | None:
        """Share of due requests submitted, in percent."""
        return round(100 * self.submitted / self.due, 1) if self.due else None

    @property
    def timeliness(self) -> float | None:
        """Share of due requests submitted on time, in percent."""
        return round(100 * self.on_time / self.due, 1) if self.due else None


class TimelinessRows(Sequence[UnitTimeliness]):
    """A period's requests as UnitTimeliness, missing first (most overdue first), then late
    (latest first), pending and on time, each by unit: ordered in the database and read a
    slice at a time, so a page of a national period reads its 50 rows, not every unit.
    Iterating reads every row in chunks (documents, the command)."""

    def __init__(self, period: Period, today: dt.date, total: int) -> None:
        self.period, self.today, self.total = period, today, total

    def _ordered(self) -> QuerySet[ReportRequest]:
        due = self.period.due_date
        late = Q(first_submitted_on__gt=due)
        rank = Case(When(first_submitted_on__isnull=True,
                         then=Value(0 if due < self.today else 2)),
                    When(late, then=Value(1)), default=Value(3), output_field=IntegerField())
        # within "late" the latest submission is the most days late; the others tie
        latest = Case(When(late, then=F("first_submitted_on")), default=None)
        return (ReportRequest.objects.filter(period=self.period).select_related("org_unit")
                .only("id", "state", "first_submitted_on", "org_unit")
                .order_by(rank.asc(), latest.desc(nulls_last=True),
                          *orgunit_ordering("org_unit__")))

    def _row(self, report: ReportRequest) -> UnitTimeliness:
        status, days = timeliness(due_date=self.period.due_date,
                                  first_submitted_on=report.first_submitted_on, today=self.today)
        return UnitTimeliness(report.org_unit, report.pk, report.state, status, days,
                              report.first_submitted_on)

    def __len__(self) -> int:
        return self.total

    @overload
    def __getitem__(self, index: int) -> UnitTimeliness: ...

    @overload
    def __getitem__(self, index: slice) -> list[UnitTimeliness]: ...

    def __getitem__(self, index: int | slice) -> UnitTimeliness | list[UnitTimeliness]:
        if isinstance(index, slice):
            return [self._row(r) for r in self._ordered()[index]]
        if index < 0:
            index += self.total
        if not 0 <= index < self.total:
            raise IndexError(index)
        return self._row(self._ordered()[index])

    def __iter__(self) -> Iterator[UnitTimeliness]:
        return (self._row(r) for r in self._ordered().iterator(chunk_size=2000))


@dataclass(frozen=True)
class PeriodCompleteness:
    period: Period
    rows: TimelinessRows
    rates: Rates


def completeness_for_period(*, period: Period, today: dt.date | None = None
                            ) -> PeriodCompleteness:
    """Each unit's report for the period: on time, late (days), pending or missing (days
    overdue), with the rates. The rates are one aggregate query; the rows are read when
    sliced or iterated (one query per page)."""
    today = today or timezone.localdate()
    rates = _rates(ReportRequest.objects.filter(period=period).aggregate(
        **_rate_annotations(today)))
    return PeriodCompleteness(period, TimelinessRows(period, today, rates.total), rates)


def _rate_annotations(today: dt.date) -> dict[str, Any]:
    submitted = Q(first_submitted_on__isnull=False)
    return {
        "total": Count("id"),
        "on_time": Count("id", filter=submitted
                         & Q(first_submitted_on__lte=F("period__due_date"))),
        "late": Count("id", filter=submitted & Q(first_submitted_on__gt=F("period__due_date"))),
        "missing": Count("id", filter=Q(first_submitted_on__isnull=True,
                                        period__due_date__lt=today)),
        "pending": Count("id", filter=Q(first_submitted_on__isnull=True,
                                        period__due_date__gte=today)),
    }


def _rates(row: Mapping[str, Any]) -> Rates:
    return Rates(row["total"], row["on_time"], row["late"], row["missing"], row["pending"])


def completeness_by_period(*, plan: Plan, today: dt.date | None = None,
                           periodic_only: bool = True, periods: list[Period] | None = None
                           ) -> list[tuple[Period, Rates]]:
    """Rates for every period of the plan, oldest first: two queries (one aggregate), one
    if `periods`, the plan's periods in that order, were read already."""
    today = today or timezone.localdate()
    if periods is None:
        found = Period.objects.filter(plan=plan)
        if periodic_only:
            found = found.exclude(kind=ReportKind.ADHOC)
        periods = list(found.order_by("due_date", "code"))
    rows = (ReportRequest.objects.filter(period__in=[p.pk for p in periods])
            .values("period_id").annotate(**_rate_annotations(today)))
    by_period = {row["period_id"]: _rates(row) for row in rows}
    return [(p, by_period.get(p.pk, Rates(0, 0, 0, 0, 0))) for p in periods]


@dataclass(frozen=True)
class UnitHistoryRow:
    unit: OrgUnit
    rates: Rates
    cells: dict[str, tuple[str, int, int]]  # period code -> (status, days, report id)
    last_submitted: dt.date | None


def report_ids_visible(*, user: Any, ids: Iterable[int]) -> set[int]:
    """Those of the reports `ids` that `user` may open: the completeness tables link only
    those, so a viewer is not led to a refusal. One query; none for who sees every report."""
    ids = set(ids)
    condition = permissions.visible_reports_q(user)
    if not condition:
        return ids
    return set(ReportRequest.objects.filter(condition, pk__in=ids).values_list("pk", flat=True))


# The unit groups the completeness page collapses into, as the plan speaks of them.
UNIT_GROUPS: dict[str, tuple[Any, frozenset[str]]] = {
    "agencies": (gettext_lazy("Departments, agencies and the bank branch"), AGENCY_KINDS),
    "districts": (gettext_lazy("District level (to 30/06/2025)"), DISTRICT_LEVEL_KINDS),
    "communes": (gettext_lazy("Commune level (from 01/07/2025)"), COMMUNE_LEVEL_KINDS),
    "enterprises": (gettext_lazy("Designated enterprises"), frozenset({OrgUnitKind.ENTERPRISE})),
}
UNITS_PER_PAGE = 50


@dataclass(frozen=True)
class UnitHistory:
    """One page of units with their history: `rows` for the units of `page` (a Django page
    of unit ids), `group_sizes` the number of units in each of UNIT_GROUPS."""

    periods: list[Period]
    rows: list[UnitHistoryRow]
    page: Page[int]
    group_sizes: dict[str, int]


def completeness_by_unit(*, plan: Plan, today: dt.date | None = None, group: str | None = None,
                         page: int | str | None = 1, per_page: int = UNITS_PER_PAGE
                         ) -> UnitHistory:
    """Each unit over time, a page at a time: its rates over the plan's periodic reports
    and its status in each period. The rates are aggregated in the database (one row per
    unit); the cells are read for the units of the page only. `group` (a key of
    UNIT_GROUPS) keeps one group of units. Four queries, whatever the number of units."""
    today = today or timezone.localdate()
    periods = list(Period.objects.filter(plan=plan).exclude(kind=ReportKind.ADHOC)
                   .order_by("due_date", "code"))
    base = ReportRequest.objects.filter(period__in=[p.pk for p in periods])
    kind_group = {kind: key for key, (_label, kinds) in UNIT_GROUPS.items() for kind in kinds}
    aggregates = {row["org_unit_id"]: row for row in base.values(
        "org_unit_id", "org_unit__kind").annotate(last=Max("first_submitted_on"),
                                                  **_rate_annotations(today))}
    group_sizes = {key: 0 for key in UNIT_GROUPS}
    for row in aggregates.values():
        if row["org_unit__kind"] in kind_group:
            group_sizes[kind_group[row["org_unit__kind"]]] += 1
    if group in UNIT_GROUPS:
        aggregates = {pk: row for pk, row in aggregates.items()
                      if kind_group.get(row["org_unit__kind"]) == group}
    units = orgunit_graph().units
    ordered = sorted(aggregates, key=lambda pk: orgunit_sort_key(units[pk]))
    shown = Paginator(ordered, per_page).get_page(page)
    cells: dict[int, dict[str, tuple[str, int, int]]] = defaultdict(dict)
    due = {p.pk: p for p in periods}
    for pk, submitted_on, unit_id, period_id in base.filter(org_unit__in=list(shown)).values_list(
            "id", "first_submitted_on", "org_unit_id", "period_id"):
        period = due[period_id]
        status, days = timeliness(due_date=period.due_date, first_submitted_on=submitted_on,
                                  today=today)
        cells[unit_id][period.code] = (status, days, pk)
    rows = [UnitHistoryRow(units[pk], _rates(aggregates[pk]), cells[pk],
                           aggregates[pk]["last"]) for pk in shown]
    return UnitHistory(periods, rows, shown, group_sizes)


# --------------------------------------------------------------------------------------
# Units an ad-hoc request is sent to


def adhoc_units() -> Any:
    """The units an ad-hoc request may go to: those active today but the province and the
    ministry."""
    return OrgUnit.objects.active_on(timezone.localdate()).exclude(
        kind__in=["province", "ministry"])


UNITS_SHOWN = 20


def units_chosen(ids: list[str]) -> list[OrgUnit]:
    """The units of `ids` (as a form sends them), in the order of unit lists."""
    pks = [int(pk) for pk in ids if str(pk).isdigit() and len(str(pk)) < 10]
    return sorted(adhoc_units().filter(pk__in=pks), key=orgunit_sort_key) if pks else []


def units_matching(text: str) -> list[OrgUnit]:
    """At most UNITS_SHOWN units whose name, short name or code hold every word of `text`
    (case and diacritics ignored). One query; none for an empty text."""
    words = search_terms(text)
    if not words:
        return []
    found = adhoc_units()
    for word in words:
        found = found.filter(search_text__contains=word)
    return sorted(found.order_by("name_sort", "pk")[:UNITS_SHOWN], key=orgunit_sort_key)
