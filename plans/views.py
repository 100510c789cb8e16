"""Pages of the plan: agencies and districts with their tasks, the tasks themselves."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from orgunits.models import OrgUnit
from orgunits.selectors import orgunit_history
from plans.forms import OnDateForm
from plans.models import Plan
from plans.selectors import (
    agency_list,
    plan_current,
    task_by_ref,
    task_list,
    task_responsible_on,
    unit_tasks_held,
)


def _plan() -> Plan:
    plan = plan_current()
    if plan is None:
        raise Http404("No plan is loaded.")
    return plan


@login_required
def agency_list_view(request: HttpRequest) -> HttpResponse:
    plan, form = _plan(), OnDateForm(request.GET or None)
    day = form.day()
    return render(request, "plans/agency_list.html",
                  {"plan": plan, "form": form, "day": day,
                   "agencies": agency_list(plan=plan, day=day)})


@login_required
def agency_detail_view(request: HttpRequest, code: str) -> HttpResponse:
    plan, form = _plan(), OnDateForm(request.GET or None)
    unit = get_object_or_404(OrgUnit, code=code)
    day = form.day()
    held_day, tasks = unit_tasks_held(plan=plan, unit=unit, day=day)
    return render(request, "plans/agency_detail.html", {
        "plan": plan, "unit": unit, "form": form, "day": day, "held_day": held_day,
        "tasks": tasks, "history": orgunit_history(unit=unit),
    })


@login_required
def task_list_view(request: HttpRequest) -> HttpResponse:
    plan = _plan()
    return render(request, "plans/task_list.html",
                  {"plan": plan, "tasks": task_list(plan=plan)})


@login_required
def task_detail_view(request: HttpRequest, ref: str) -> HttpResponse:
    plan, form = _plan(), OnDateForm(request.GET or None)
    task = task_by_ref(plan=plan, ref=ref)
    if task is None:
        raise Http404(ref)
    day = form.day()
    return render(request, "plans/task_detail.html", {
        "plan": plan, "task": task, "form": form, "day": day,
        "responsible": task_responsible_on(task=task, day=day),
    })
