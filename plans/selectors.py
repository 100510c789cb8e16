"""Reads on plans: the current plan, its objectives by milestone, agencies and tasks."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from plans.models import Milestone, Plan, Section, SectionKind, Target, Task


def plan_current() -> Plan | None:
    """The plan the system runs: the most recently issued one loaded."""
    return Plan.objects.select_related("lead_agency").order_by("-issued_on").first()


@dataclass(frozen=True)
class MilestoneTargets:
    milestone: Milestone
    targets: list[Target]


@dataclass(frozen=True)
class PlanOverview:
    plan: Plan
    viewpoints: list[Section]
    milestones: list[MilestoneTargets]


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
