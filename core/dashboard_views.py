"""Mission Control (/coach/dashboard/) and the client's Launchpad (/dashboard/), composed in
core above the two domains (issue 16)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from core import launchpad, mission_control
from core.decorators import coach_required


@require_GET
@login_required
@coach_required
def coach_dashboard(request, coach):
    widgets = mission_control.mission_control(coach, now=timezone.now())
    return render(request, "core/mission_control.html", {"coach": coach, "widgets": widgets})


@require_POST
@login_required
@coach_required
def coach_dashboard_layout(request, coach):
    """One button press: `move=<action>:<widget key>` (up, down, hide, show)."""
    action, _, key = request.POST.get("move", "").partition(":")
    mission_control.dashboard_layout_change(coach=coach, key=key[:50], action=action[:10])
    return redirect(f"{request.build_absolute_uri('/coach/dashboard/')}#widget-{key[:50]}")


@require_GET
@login_required
def client_launchpad(request):
    context = launchpad.launchpad(user=request.user, now=timezone.now())
    return render(request, "core/launchpad.html", context)
