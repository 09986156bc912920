"""The coach's requests inbox (the dashboard, Mission Control, is core.dashboard_views)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import Connection
from bookings import selectors
from bookings.errors import NotAllowed
from bookings.http import render_error
from core.pagination import paginate

REQUESTS_PAGE_SIZE = 20


def _coach_or_error(request):
    coach = getattr(request.user, "coach_profile", None)
    if coach is None:
        raise NotAllowed("This page is for coaches.")
    return coach


@login_required
@require_GET
def requests_inbox(request):
    try:
        coach = _coach_or_error(request)
    except NotAllowed as exc:
        return render_error(request, exc)
    page = paginate(request, selectors.requests_inbox(coach), per_page=REQUESTS_PAGE_SIZE)
    context = {
        "coach": coach,
        "requests": page.object_list,
        "requests_page": page,
        "connection_requests": Connection.objects.filter(
            coach=coach, status=Connection.Status.PENDING
        ).select_related("client"),
    }
    return render(request, "bookings/coach_requests.html", context)
