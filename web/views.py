"""The shell: home page (where each role's work is), the plan's objectives and targets,
sign-in, profile and tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import ApiToken
from accounts.selectors import tokens_of
from accounts.services import token_create, token_revoke
from common.types import AuthedRequest
from plans.selectors import plan_current, plan_overview
from reporting.permissions import can_view_periods
from reporting.selectors import attention_for


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    """Each role starts where its work is: a reporter in their inbox; a coordinator or a
    viewer with what waits for them (reports to review, overdue units), then the plan's
    targets. (Kept to this one function so a progress dashboard can take its place.)"""
    user = request.user
    if user.is_reporter:
        return redirect("reporting:inbox")
    attention = attention_for(user=user) if can_view_periods(user) else None
    return render(request, "web/home.html", {**_objectives(), "attention": attention})


@login_required
def objectives(request: HttpRequest) -> HttpResponse:
    """The plan's objectives and targets, for every role."""
    return render(request, "web/objectives.html", _objectives())


def _objectives() -> dict:
    plan = plan_current()
    return {"plan": plan, "overview": plan_overview(plan=plan) if plan else None}


@login_required
def profile(request: AuthedRequest) -> HttpResponse:
    new_token = None
    if request.method == "POST":
        name = request.POST.get("name", "").strip()[:100]
        _token, new_token = token_create(user=request.user, name=name, actor=request.user)
        messages.success(request, _("Token created. Copy it now: it will not be shown again."))
    tokens = tokens_of(user=request.user)
    return render(request, "web/profile.html", {"tokens": tokens, "new_token": new_token})


@login_required
@require_POST
def token_revoke_view(request: AuthedRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    token_revoke(token=token, actor=request.user)
    messages.success(request, _("Token revoked."))
    return redirect("web:profile")

