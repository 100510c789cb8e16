"""The shell: home page (the plan's objectives and targets), sign-in, profile and tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import ApiToken, Role
from accounts.selectors import login_lockouts, tokens_of
from accounts.services import login_lockout_clear, token_create, token_revoke
from common.types import AuthedRequest
from plans.selectors import plan_current, plan_overview
from progress.views import overview as progress_overview
from web.forms import TokenForm


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
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _token, new_token = token_create(user=request.user, name=form.cleaned_data["name"],
                                         days=form.cleaned_data["days"], actor=request.user)
        messages.success(request, _("Token created. Copy it now: it will not be shown again."))
        form = TokenForm()
    tokens = tokens_of(user=request.user)
    return render(request, "web/profile.html",
                  {"tokens": tokens, "new_token": new_token, "form": form})


@login_required
@require_POST
def token_revoke_view(request: AuthedRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    token_revoke(token=token, actor=request.user)
    messages.success(request, _("Token revoked."))
    return redirect("web:profile")



def locked_out(request: HttpRequest, credentials: dict | None = None, *args, **kwargs
               ) -> HttpResponse:
    """What django-axes answers while an account or an address is locked out: the sign-in
    page with a message, status 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _("Too many failed sign-ins for this account or from this computer. Try again "
                "in %(minutes)d minutes, or ask the coordinator to unlock it.") % {
                    "minutes": minutes}
    return render(request, "registration/login.html", {"locked_out": message}, status=429)


@login_required
def lockout_list(request: AuthedRequest) -> HttpResponse:
    """Coordinators and administrators see who is locked out of sign-in and unlock them."""
    if not request.user.is_coordinator:
        raise PermissionDenied
    if request.method == "POST":
        count = login_lockout_clear(username=request.POST.get("username", "")[:150],
                                    ip_address=request.POST.get("ip_address", "")[:45],
                                    actor=request.user)
        if count:
            messages.success(request, _("Unlocked: they can sign in again."))
        return redirect("web:lockouts")
    return render(request, "web/lockouts.html", {"lockouts": login_lockouts()})


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    """An intranet system: no crawler indexes any page. Also the load benchmark's trivial
    endpoint (no database, no session)."""
    return HttpResponse("User-agent: *\nDisallow: /\n", content_type="text/plain")

