"""The shell: home page (the plan's objectives and targets), sign-in, profile and tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import ApiToken, Role
from accounts.selectors import tokens_of
from accounts.services import token_create, token_revoke
from common.types import AuthedRequest
from plans.selectors import plan_current, plan_overview
from progress.views import overview as progress_overview


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if getattr(request.user, "role", None) in (Role.ADMIN, Role.COORDINATOR, Role.VIEWER):
        return progress_overview(request)  # those who follow the plan see where it stands
    plan = plan_current()
    context = {"plan": plan, "overview": plan_overview(plan=plan) if plan else None}
    return render(request, "web/home.html", context)


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


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    """An intranet system: no crawler indexes any page. Also the load benchmark's trivial
    endpoint (no database, no session)."""
    return HttpResponse("User-agent: *\nDisallow: /\n", content_type="text/plain")

