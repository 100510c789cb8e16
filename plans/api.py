"""REST endpoints for the plan (read-only): the whole plan, and who holds a task on a date."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop
from ninja import Router, Schema

from plans.selectors import plan_current, plan_export, task_by_ref, task_responsible_on

router = Router(tags=[gettext_noop("Plan")])

SCHEMA_TITLES = {"UnitOut": gettext_noop("Unit"),
                 "ResponsibleOut": gettext_noop("Who holds a task")}


class UnitOut(Schema):
    code: str
    name: str
    kind: str


class ResponsibleOut(Schema):
    task: str
    on: dt.date
    lead: list[UnitOut]
    coordinate: list[UnitOut]


@router.get("", summary=gettext_noop(
    "The current plan: targets, sectors, tasks, reporting rules"),
    description=gettext_noop("The organisation units are listed, a page at a time, by "
                             "`/api/v1/orgunits`."))
def plan_get(request: HttpRequest) -> dict:
    plan = plan_current()
    if plan is None:
        raise Http404("No plan is loaded.")
    return {**plan_export(plan=plan, with_units=False),
            "org_units_url": reverse("api:orgunit_list")}


@router.get("/tasks/{ref}/responsible", response=ResponsibleOut,
            summary=gettext_noop("Who leads and who coordinates a task on a date (default today)"))
def task_responsible(request: HttpRequest, ref: str, on: dt.date | None = None) -> dict:
    plan = plan_current()
    task = task_by_ref(plan=plan, ref=ref) if plan else None
    if task is None:
        raise Http404(f"No task {ref}.")
    day = on or timezone.localdate()
    return {"task": task.ref, "on": day,
            "lead": task_responsible_on(task=task, day=day),
            "coordinate": task_responsible_on(task=task, day=day, role="coordinate")}
