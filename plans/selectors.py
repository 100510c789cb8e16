"""Reads on plans: the current plan, its objectives by milestone, agencies and tasks."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from common.kept import Kept
from orgunits.models import AGENCY_KINDS, DISTRICT_LEVEL_KINDS, OrgUnit
from orgunits.selectors import SuccessionGraph, orgunits_of_kinds_on
from plans.models import (
    Assignment,
    AssignmentRole,
    DataElement,
    Milestone,
    Plan,
    Section,
    SectionKind,
    Target,
    Task,
    UnitGroup,
)


def plans_newest_first() -> QuerySet[Plan]:
    """The loaded plans, the most recently issued first: the first is the current one."""
    return Plan.objects.order_by("-issued_on")


def plan_current() -> Plan | None:
    """The plan the system runs: the most recently issued one loaded."""
    return plans_newest_first().select_related("lead_agency").first()


@dataclass(frozen=True)
class MilestoneTargets:
    milestone: Milestone
    targets: list[Target]


@dataclass(frozen=True)
class PlanOverview:
    plan: Plan
    viewpoints: list[Section]
    milestones: list[MilestoneTargets]


@dataclass(frozen=True)
class _FormParts:
    questions: dict[int, list[DataElement]]  # by plan, in form order
    tasks: dict[int, Task]  # by id


def _form_parts_build() -> _FormParts:
    by_plan: dict[int, list[DataElement]] = defaultdict(list)
    for element in DataElement.objects.select_related("part_of").order_by("order", "id"):
        by_plan[element.plan_id].append(element)
    return _FormParts(dict(by_plan), {t.pk: t for t in Task.objects.order_by("id")})


# the questions and the tasks of every report form: one fingerprint query for both
_form_parts = Kept(_form_parts_build, DataElement, Task)


def form_parts(*, plan_id: int) -> tuple[list[DataElement], dict[int, Task]]:
    """The plan's questions (data elements) in form order, each with the whole it is part
    of, and the tasks of every plan by id: read on every report request, so kept by the
    process until one changes (`common.kept`; one fingerprint query for both). Read-only."""
    parts = _form_parts.get()
    return parts.questions.get(plan_id, []), parts.tasks


def plan_overview(*, plan: Plan) -> PlanOverview:
    """Viewpoints and every target grouped by milestone, in a fixed number of queries."""
    targets = Target.objects.filter(plan=plan).prefetch_related("sectors")
    milestones = Milestone.objects.filter(plan=plan).prefetch_related(
        Prefetch("targets", queryset=targets)
    )
    viewpoints = Section.objects.filter(plan=plan, kind=SectionKind.VIEWPOINT)
    return PlanOverview(
        plan=plan,
        viewpoints=list(viewpoints),
        milestones=[MilestoneTargets(m, list(m.targets.all())) for m in milestones],
    )


def task_list(*, plan: Plan) -> QuerySet[Task]:
    return (
        Task.objects.filter(plan=plan)
        .select_related("block")
        .prefetch_related("assignments__unit")
    )


def _group_kinds(group: str) -> frozenset[str]:
    return AGENCY_KINDS if group == UnitGroup.DEPARTMENTS else DISTRICT_LEVEL_KINDS


class _Resolver:
    """Resolves assignments to the units holding them on `day`: a named unit or the units
    of a group as they stood when the plan was issued, followed through successions.
    Memoised per assignment target, and the successions are read once, so a whole plan
    costs a handful of queries."""

    def __init__(self, plan: Plan, day: dt.date) -> None:
        self.plan, self.day = plan, day
        self._memo: dict[tuple[int | None, str, str | None], list[OrgUnit]] = {}
        self._graph: SuccessionGraph | None = None

    def units(self, assignment: Assignment, task: Task) -> list[OrgUnit]:
        if self._graph is None:
            self._graph = SuccessionGraph()
        # Only a task some transfer names is walked on its own; the others share the memo.
        task_key: str | None = f"{self.plan.code} {task.ref}"
        if task_key not in self._graph.transferred_tasks:
            task_key = None
        key = (assignment.unit_id, assignment.group, task_key)
        if key not in self._memo:
            start: list[OrgUnit]
            if assignment.unit is not None:
                start = [assignment.unit]
            else:
                start = list(
                    orgunits_of_kinds_on(kinds=_group_kinds(assignment.group),
                                         day=self.plan.issued_on)
                )
            self._memo[key] = self._graph.responsible_on(start, self.day, task_key)
        return self._memo[key]


def task_responsible_on(*, task: Task, day: dt.date, role: str = AssignmentRole.LEAD
                        ) -> list[OrgUnit]:
    """Who holds `task` on `day` (by default, who leads it): answers correctly before and
    after a merger, a split or the abolition of the district level."""
    resolver = _Resolver(task.plan, day)
    found: dict[int, OrgUnit] = {}
    for assignment in task.assignments.filter(role=role).select_related("unit"):
        for unit in resolver.units(assignment, task):
            found.setdefault(unit.pk, unit)
    return list(found.values())


def plan_obligations_on(*, plan: Plan, day: dt.date) -> dict[OrgUnit, list[Task]]:
    """Every unit that leads at least one task on `day`, with those tasks in plan order.
    These are the units that must report (section V)."""
    resolver = _Resolver(plan, day)
    obligations: dict[OrgUnit, list[Task]] = {}
    assignments = (
        Assignment.objects.filter(task__plan=plan, role=AssignmentRole.LEAD)
        .select_related("unit", "task")
        .order_by("task__order", "id")
    )
    for assignment in assignments:
        for unit in resolver.units(assignment, assignment.task):
            tasks = obligations.setdefault(unit, [])
            if assignment.task not in tasks:
                tasks.append(assignment.task)
    return obligations


def agency_list(*, plan: Plan, day: dt.date) -> list[tuple[OrgUnit, list[Task]]]:
    """Units holding tasks on `day`, agencies first, then local units, by name."""
    obligations = plan_obligations_on(plan=plan, day=day)
    return sorted(obligations.items(),
                  key=lambda item: (item[0].kind not in AGENCY_KINDS, item[0].name))


def unit_tasks_held(*, plan: Plan, unit: OrgUnit, day: dt.date) -> tuple[dt.date, list[Task]]:
    """The tasks `unit` holds on `day`, with the day they are reckoned on: for a unit
    closed by then, its last day (its tasks have passed to its successors since)."""
    held_day = day
    if unit.valid_to is not None and day >= unit.valid_to:
        held_day = unit.valid_to - dt.timedelta(days=1)
    return held_day, plan_obligations_on(plan=plan, day=held_day).get(unit, [])


def task_by_ref(*, plan: Plan, ref: str) -> Task | None:
    """A task with its block, assignments and questions, or None."""
    return (
        Task.objects.select_related("block", "plan")
        .prefetch_related("assignments__unit", "data_elements")
        .filter(plan=plan, ref=ref).first()
    )


def _assignee_code(assignment: Assignment) -> str:
    return assignment.unit.code if assignment.unit else f"group:{assignment.group}"


def plan_export(*, plan: Plan, with_units: bool = True) -> dict:
    """The whole plan as plain data (for `plan show --format json` and the API): targets,
    sectors, tasks with their assignees' codes, reporting rules and, `with_units`, every
    organisation unit with its validity and successors (a megabyte at national scale: the
    API leaves them to its paged list of units)."""
    from orgunits.selectors import orgunit_tree

    targets = Target.objects.filter(plan=plan).select_related("milestone").prefetch_related(
        "sectors"
    )
    tasks = Task.objects.filter(plan=plan).select_related("block").prefetch_related(
        "assignments__unit"
    )
    rules = plan.reporting_rules.select_related("recipient").prefetch_related("consolidated_to")
    return {
        "plan": {
            "code": plan.code, "slug": plan.slug, "title": plan.title, "title_en": plan.title_en,
            "issuer": plan.issuer, "issued_on": plan.issued_on.isoformat(),
            "implements": plan.implements, "start_year": plan.start_year,
            "end_year": plan.end_year, "lead_agency": plan.lead_agency.code,
            "general_objective": plan.general_objective,
        },
        "milestones": [
            {"code": m.code, "ref": m.ref, "label": m.label, "start_year": m.start_year,
             "end_year": m.end_year}
            for m in plan.milestones.all()
        ],
        "sectors": [{"code": s.code, "name": s.name, "name_en": s.name_en}
                    for s in plan.sectors.all()],
        "targets": [
            {"ref": t.ref, "code": t.code, "milestone": t.milestone.code, "kind": t.kind,
             "text": t.text, "title_en": t.title_en, "unit": t.unit, "direction": t.direction,
             "baseline_year": t.baseline_year,
             "minimum": _number(t.minimum_value), "stretch": _number(t.stretch_value),
             "indicator": t.indicator, "sectors": [s.code for s in t.sectors.all()]}
            for t in targets
        ],
        "tasks": [
            {"ref": t.ref, "block": t.block.ref, "block_title": t.block.title,
             "title_en": t.title_en, "text": t.text, "recurrence": t.recurrence,
             "lead": [_assignee_code(a) for a in t.assignments.all()
                      if a.role == AssignmentRole.LEAD],
             "coordinate": [_assignee_code(a) for a in t.assignments.all()
                            if a.role == AssignmentRole.COORDINATE]}
            for t in tasks
        ],
        "reporting": [
            {"kind": r.kind, "due_before": _month_day(r.due_month, r.due_day),
             "cutoff_from": _month_day(r.cutoff_start_month, r.cutoff_start_day),
             "cutoff_to": _month_day(r.cutoff_end_month, r.cutoff_end_day),
             "recipient": r.recipient.code,
             "consolidated_to": [u.code for u in r.consolidated_to.all()]}
            for r in rules
        ],
        **({"org_units": orgunit_tree(day=None)} if with_units else {}),
    }


def _number(value) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _month_day(month: int | None, day: int | None) -> str | None:
    return f"{month:02d}-{day:02d}" if month and day else None
