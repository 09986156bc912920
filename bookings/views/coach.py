"""The coach's requests inbox (the dashboard, Mission Control, is core.dashboard_views)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import Connection
from bookings import selectors
from bookings.errors import NotAllowed
from bookings.http import render_error
from core.decorators import coach_required
from core.pagination import paginate

REQUESTS_PAGE_SIZE = 20


@login_required
@require_GET
@coach_required(denied=NotAllowed, on_denied=render_error)
def requests_inbox(request, coach):
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
