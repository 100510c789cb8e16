"""REST endpoint of progress: every target's status for a year."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_noop
from ninja import Router

from api.pagination import Rows, paged
from plans.selectors import plan_current
from progress.selectors import period_check, progress_for_period, progress_rows

router = Router(tags=[gettext_noop("Progress")])


@router.get("", response=list[dict[str, Any]], summary=gettext_noop(
    "Every target's value, baseline, target band, progress ratio, projection, status and "
    "sources for a year (e.g. ?period=2025)"))
@paged()
def progress_get(request: HttpRequest, period: str | None = None) -> Rows:
    plan = plan_current()
    year = period_check(period=period, plan=plan)
    return Rows(progress_rows(statuses=progress_for_period(period=year, plan=plan)))
