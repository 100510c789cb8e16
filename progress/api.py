"""REST endpoint of progress: every target's status for a year."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import gettext_noop
from ninja import Router, Schema
from pydantic import WithJsonSchema

from api.pagination import Rows, paged
from plans.selectors import plan_current
from progress.selectors import BASE_YEAR, period_check, progress_for_period, progress_rows

router = Router(tags=[gettext_noop("Progress")])

SCHEMA_TITLES = {
    "AssessmentOut": gettext_noop("Coordinator's assessment"),
    "SourceOut": gettext_noop("Source of a value"),
    "TargetProgressOut": gettext_noop("Progress towards a target"),
    "PagedTargetProgressOut": gettext_noop("A page of targets' progress"),
}

# A year from the base year on; read by the service, which says in words what it wants
Year = Annotated[str, WithJsonSchema({"type": "integer", "minimum": BASE_YEAR})]


class AssessmentOut(Schema):
    year: int
    status: str
    justification: str


class SourceOut(Schema):
    label: str
    url: str | None


class TargetProgressOut(Schema):
    code: str
    ref: str
    milestone: str
    milestone_year: int | None
    kind: str
    unit: str | None
    direction: str | None
    period: int
    value: float | None
    value_year: int | None
    compare: float | None
    baseline: float | None
    baseline_year: int | None
    minimum: float | None
    stretch: float | None
    share_covered: float | None
    progress_ratio: float | None
    observed_rate: float | None
    required_rate: float | None
    rate_method: str | None
    projection: dict[str, float | None]
    status: str
    milestone_past: bool
    assessment: AssessmentOut | None
    indicator: str | None
    formula: str | None
    sources: list[SourceOut]


@router.get("", response=list[TargetProgressOut],
            summary=gettext_noop(
                "Every target's value, baseline, target band, progress ratio, projection, "
                "status and sources for a year (e.g. ?period=2025)"))
@paged()
def progress_get(request: HttpRequest, period: Year) -> Rows:
    # a year after the loaded plan's last is not found (404), not malformed (422)
    plan = plan_current()
    year = period_check(period=period, plan=plan)
    return Rows(progress_rows(statuses=progress_for_period(period=year, plan=plan)))
