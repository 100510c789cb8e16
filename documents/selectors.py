"""Reads for official documents: the consolidation of a period task by task (the
coordinator's working view and the body of the consolidated report), the contents of the
consolidated report and of one unit's report, and the official-document records.

Access follows `reporting.permissions.visible_reports_q`: the coordinator sees every
report, a reporter its own unit's, a viewer accepted reports only. What a unit has not
submitted yet is shown as "not answered" and never counted."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from documents.layout_file import DocumentSettings, document_settings
from documents.models import OfficialDocument
from orgunits.models import OrgUnit
from orgunits.selectors import orgunit_sort_key
from plans.models import DataElement, Section, SectionKind, Target, Task, ValueType
from reporting import permissions
from reporting.models import DataValue, Period, ReportRequest, ReportState, TaskAnswer
from reporting.selectors import PeriodCompleteness, completeness_for_period, report_layout
from reporting.validation import Question

ANSWERED_STATES = frozenset({ReportState.SUBMITTED, ReportState.ACCEPTED})
SUMMED_TYPES = frozenset({ValueType.INTEGER, ValueType.MONEY, ValueType.DECIMAL})


@dataclass
class UnitRow:
    """One obliged unit's account of one task."""

    unit: OrgUnit
    report: ReportRequest
    answer: TaskAnswer
    values: list[DataValue | None]

    @property
    def answered(self) -> bool:
        """Submitted or accepted, with a status: a draft is the unit's own business."""
        return self.report.state in ANSWERED_STATES and bool(self.answer.status)


@dataclass
class TaskConsolidation:
    task: Task
    group: str
    questions: list[Question]
    rows: list[UnitRow]
    totals: list[Decimal | None] = field(default_factory=list)

    @property
    def missing(self) -> list[UnitRow]:
        return [r for r in self.rows if not r.answered]

    @property
    def answered(self) -> list[UnitRow]:
        return [r for r in self.rows if r.answered]


@dataclass
class Consolidation:
    period: Period
    tasks: list[TaskConsolidation]
    groups: list[Section]
    units: list[OrgUnit]
    group: str = ""
    unit_code: str = ""


def _visible(period: Period, user: Any, accepted_only: bool) -> QuerySet[ReportRequest]:
    rows = ReportRequest.objects.filter(period=period)
    if user is not None:
        rows = rows.filter(permissions.visible_reports_q(user))
    if accepted_only:
        rows = rows.filter(state=ReportState.ACCEPTED)
    return rows


def _total(question: Question, values: list[DataValue | None]) -> Decimal | None:
    """Sum of counts, money and quantities; the number of "yes" for yes/no questions;
    nothing for percentages and texts (a sum of shares means nothing)."""
    numbers = [v.numeric for v in values if v is not None and v.numeric is not None]
    if not numbers:
        return None
    if question.value_type in SUMMED_TYPES or question.value_type == ValueType.BOOLEAN:
        return sum(numbers, Decimal(0))
    return None


def consolidation_for_period(*, period: Period, user: Any, group: str = "",
                             unit_code: str = "", accepted_only: bool = False,
                             conf: DocumentSettings | None = None) -> Consolidation:
    """Each task of section IV with every obliged unit's status, narrative and
    quantitative outputs side by side, and totals over the units that answered.
    `group` (III.1-III.4) and `unit_code` narrow it; `accepted_only` keeps only accepted
    reports (the consolidated report). Five queries whatever the size."""
    conf = conf or document_settings()
    plan_id = period.plan_id
    tasks = list(Task.objects.filter(plan_id=plan_id).order_by("order", "id"))
    groups = list(Section.objects.filter(plan_id=plan_id, kind=SectionKind.TASK_GROUP)
                  .order_by("order"))
    requests = _visible(period, user, accepted_only)
    answers = list(TaskAnswer.objects.filter(request__in=requests)
                   .select_related("request", "request__org_unit"))
    all_units = sorted({a.request.org_unit for a in answers}, key=orgunit_sort_key)
    if unit_code:
        answers = [a for a in answers if a.request.org_unit.code == unit_code]
    elements = list(DataElement.objects.filter(plan_id=plan_id, task__isnull=False)
                    .select_related("part_of").order_by("order", "id"))
    by_task: dict[int, list[Question]] = defaultdict(list)
    for element in elements:
        part_of = element.part_of.code if element.part_of is not None else None
        by_task[element.task_id].append(Question(element, part_of))  # type: ignore[index]
    stored = {(v.request_id, v.element_id): v for v in DataValue.objects.filter(
        request__in=[a.request_id for a in answers], element__task__isnull=False)}
    answers_by_task: dict[int, list[TaskAnswer]] = defaultdict(list)
    for answer in answers:
        answers_by_task[answer.task_id].append(answer)
    result = []
    for task in tasks:
        task_group = conf.group_of(task.ref)
        if group and task_group != group:
            continue
        found = answers_by_task.get(task.pk, [])
        if not found:
            continue
        questions = by_task.get(task.pk, [])
        rows = [UnitRow(a.request.org_unit, a.request, a,
                        [stored.get((a.request_id, q.element_id)) for q in questions])
                for a in found]
        rows.sort(key=lambda r: orgunit_sort_key(r.unit))
        item = TaskConsolidation(task, task_group, questions, rows)
        answered = item.answered
        item.totals = [_total(q, [r.values[i] for r in answered])
                       for i, q in enumerate(questions)]
        result.append(item)
    return Consolidation(period, result, groups, all_units, group, unit_code)


# --------------------------------------------------------------------------------------
# Official documents


def official_document_for(*, report: ReportRequest) -> OfficialDocument | None:
    """The official-document record of a report, without the scan's bytes: as the report
    page's own query brought it (the section's `joined`), else by one query (get(), which
    neither orders nor compiles as much as first())."""
    if ReportRequest.official_document.is_cached(report):
        return getattr(report, "official_document", None)  # None: the page found none
    try:
        return OfficialDocument.objects.defer("scan").get(request=report)
    except OfficialDocument.DoesNotExist:
        return None


def official_document_scan(*, report: ReportRequest) -> OfficialDocument | None:
    return OfficialDocument.objects.filter(request=report, scan_size__gt=0).first()


# --------------------------------------------------------------------------------------
# The consolidated report


@dataclass(frozen=True)
class TargetRow:
    target: Target
    target_2025: str
    target_2030: str
    baseline: str
    value: str
    status: str


@dataclass(frozen=True)
class Source:
    unit: OrgUnit
    report: ReportRequest
    document: OfficialDocument | None


@dataclass(frozen=True)
class Remark:
    """A difficulty or proposal, with every unit that wrote it."""

    text: str
    units: tuple[OrgUnit, ...]


@dataclass
class AdhocAnswers:
    """One question of an ad-hoc request with each accepted unit's answer."""

    question: Question
    answers: list[tuple[OrgUnit, DataValue]]
    total: Decimal | None


def _adhoc_answers(period: Period) -> list[AdhocAnswers]:
    """The ad-hoc questions of `period` and the answers of accepted reports. Two queries."""
    if not period.is_adhoc:
        return []
    questions = list(period.questions.order_by("order", "id"))
    found: dict[int, list[tuple[OrgUnit, DataValue]]] = defaultdict(list)
    for value in (DataValue.objects.filter(request__period=period, question__isnull=False,
                                           request__state=ReportState.ACCEPTED)
                  .exclude(value="").select_related("request__org_unit")):
        found[value.question_id].append((value.request.org_unit, value))  # type: ignore
    out = []
    for q in questions:
        question = Question(q)
        answers = sorted(found.get(q.pk, []), key=lambda pair: orgunit_sort_key(pair[0]))
        out.append(AdhocAnswers(question, answers, _total(question, [v for _u, v in answers])))
    return out


@dataclass
class ConsolidatedReport:
    """Everything the consolidated report says, gathered from accepted reports only."""

    period: Period
    conf: DocumentSettings
    issuer: OrgUnit | None
    consolidation: Consolidation
    completeness: PeriodCompleteness
    targets: list[TargetRow]
    sources: list[Source]
    not_reported: list[tuple[OrgUnit, str]]
    difficulties: list[Remark]
    proposals: list[Remark]
    agencies: list[tuple[OrgUnit, dict[str, int]]]
    progress: Any = None  # ProgressPart: the progress app's figures
    adhoc: list[AdhocAnswers] = field(default_factory=list)
    today: dt.date = field(default_factory=timezone.localdate)


def _number_text(value: Decimal | None, unit: str = "") -> str:
    from django.utils.formats import number_format

    if value is None:
        return ""
    shown = number_format(value.normalize() if value == value.to_integral_value() else value,
                          use_l10n=True, force_grouping=True)
    return f"{shown} {unit}".strip()


def progress_year(period: Period) -> int:
    """The year whose progress the report shows: the period's year for an annual report,
    the year before for a half-year or ad-hoc one (the last complete year)."""
    return period.year if period.kind == "annual" else period.year - 1


def _value_text(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    shown = _number_text(Decimal(str(round(value, 2 if unit == "percent" else 1))))
    return f"{shown}%" if unit == "percent" else shown


def _target_rows(period: Period, statuses: list[Any]) -> list[TargetRow]:
    """The plan's targets, 2025 beside 2030 by indicator, with the progress app's value
    and status for the milestone the period works towards."""
    from progress.models import STATUS_LABELS

    by_target = {s.target.pk: s for s in statuses}
    targets = list(Target.objects.filter(plan_id=period.plan_id)
                   .select_related("milestone").order_by("order"))
    by_indicator: dict[str, dict[int, Target]] = defaultdict(dict)
    for target in targets:
        by_indicator[target.indicator or target.code][target.milestone.end_year] = target
    year = progress_year(period)
    rows = []
    for years in by_indicator.values():
        first = years[min(years)]
        current = years.get(min((y for y in years if y >= year), default=max(years)))

        def value_of(t: Target | None) -> str:
            if t is None:
                return ""
            unit = {"percent": "%"}.get(t.unit, "")
            text = t.value_text.replace("-", " - ") if t.value_text else _number_text(
                t.minimum_value)
            return f"{text}{unit}"

        status = by_target.get(current.pk) if current is not None else None
        value = baseline = verdict = ""
        if status is not None:
            if status.current is not None:
                value = f"{_value_text(status.current.value, status.unit)} ({status.current.year})"
            if status.baseline is not None:
                baseline = (f"{_value_text(status.baseline.value, status.unit)} "
                            f"({status.baseline.year})")
            verdict = str(STATUS_LABELS.get(status.status, status.status))
        rows.append(TargetRow(first, value_of(years.get(2025)), value_of(years.get(2030)),
                              baseline or str(first.baseline_year or ""), value, verdict))
    return rows


@dataclass
class ProgressPart:
    """What the progress app gives the report: each target's status, and the sectors'
    consumption indices with their LMDI effects."""

    year: int
    statuses: list[Any]
    consumption: Any


def _progress(period: Period) -> ProgressPart:
    from progress.selectors import progress_for_period, sector_indices_kept

    year = progress_year(period)
    plan = period.plan
    return ProgressPart(year, progress_for_period(period=year, plan=plan),
                        sector_indices_kept(plan=plan, last_year=year))


def consolidated_report(*, period: Period, today: dt.date | None = None
                        ) -> ConsolidatedReport:
    """The contents of the lead agency's report for `period`: accepted reports only,
    whoever asks (the report goes to the People's Committee and the Ministry)."""
    conf = document_settings()
    today = today or timezone.localdate()
    consolidation = consolidation_for_period(period=period, user=None, accepted_only=True,
                                             conf=conf)
    completeness = completeness_for_period(period=period, today=today)
    accepted = list(ReportRequest.objects.filter(period=period, state=ReportState.ACCEPTED)
                    .select_related("org_unit"))
    documents = {d.request_id: d for d in
                 OfficialDocument.objects.defer("scan").filter(request__in=accepted)}
    sources = sorted((Source(r.org_unit, r, documents.get(r.pk)) for r in accepted),
                     key=lambda s: orgunit_sort_key(s.unit))
    labels = dict(ReportState.choices)
    not_reported = sorted(((row.unit, str(labels.get(row.state, row.state)))
                           for row in completeness.rows if row.state != ReportState.ACCEPTED),
                          key=lambda pair: orgunit_sort_key(pair[0]))
    difficulties: dict[str, list[OrgUnit]] = defaultdict(list)
    proposals: dict[str, list[OrgUnit]] = defaultdict(list)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    units: dict[int, OrgUnit] = {}
    for item in consolidation.tasks:
        for row in item.answered:
            units[row.unit.pk] = row.unit
            counts[row.unit.pk][row.answer.status] += 1
            for text, found in ((row.answer.difficulties, difficulties),
                                (row.answer.proposals, proposals)):
                if text.strip() and row.unit not in found[text.strip()]:
                    found[text.strip()].append(row.unit)
    agencies = sorted(((units[pk], dict(c)) for pk, c in counts.items()),
                      key=lambda pair: orgunit_sort_key(pair[0]))
    issuer = OrgUnit.objects.filter(code=conf.issuing_unit).first()
    progress = _progress(period)
    return ConsolidatedReport(period, conf, issuer, consolidation, completeness,
                              _target_rows(period, progress.statuses), sources, not_reported,
                              _remarks(difficulties), _remarks(proposals), agencies,
                              progress=progress, adhoc=_adhoc_answers(period), today=today)


def _remarks(found: dict[str, list[OrgUnit]]) -> list[Remark]:
    """One line per distinct text with the units that wrote it, the most shared first."""
    return [Remark(text, tuple(sorted(units, key=orgunit_sort_key)))
            for text, units in sorted(found.items(), key=lambda pair: -len(pair[1]))]


def unit_report(*, report: ReportRequest) -> Any:
    """The layout of one unit's report (its tasks and values) for its own .docx."""
    return report_layout(report=report, with_issues=False)
