"""REST endpoint of progress: every target's status for a year."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_noop
from ninja import Router

from plans.selectors import plan_current
from progress.selectors import period_check, progress_for_period, progress_rows

router = Router(tags=[gettext_noop("Progress")])


@router.get("", summary=gettext_noop(
    "Every target's value, baseline, target band, progress ratio, projection, status and "
    "sources for a year (e.g. ?period=2025)"))
def progress_get(request: HttpRequest, period: str | None = None) -> list[dict]:
    plan = plan_current()
    year = period_check(period=period, plan=plan)
    return progress_rows(statuses=progress_for_period(period=year, plan=plan))
