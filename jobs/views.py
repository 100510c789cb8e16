"""A job's page: its progress bar while it runs (polled by htmx every second, refreshed
by the page itself without JavaScript), then its outcome. Thin."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from common.types import AuthedRequest
from jobs.kinds import KINDS
from jobs.selectors import job_visible


@login_required
def job_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    job = job_visible(user=request.user, pk=pk)
    if job is None:
        raise Http404(_("No such job."))
    kind = KINDS.get(job.kind)
    context = {"job": job, "label": kind.label if kind else _("Background job")}
    # htmx asks for the status part only, every second while the job runs
    template = ("jobs/_status.html" if request.headers.get("HX-Request") == "true"
                else "jobs/job.html")
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"
    return response
