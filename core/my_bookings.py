"""My Bookings (/bookings/mine/): the user's webinars and 1:1 sessions, times in their zone.

The one page that combines both domains, so it is composed here, above them: `webinars` and
`bookings` do not import each other (tests/test_import_rules.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from bookings.selectors import my_session_bookings
from webinars.selectors import my_webinar_registrations


@require_GET
@login_required
def my_bookings(request):
    now = timezone.now()
    upcoming_webinars, past_webinars = my_webinar_registrations(user=request.user, now=now)
    upcoming_sessions, past_sessions = my_session_bookings(user=request.user, now=now)
    context = {
        "now": now,
        "upcoming_webinars": upcoming_webinars,
        "past_webinars": past_webinars,
        "upcoming_sessions": upcoming_sessions,
        "past_sessions": past_sessions,
    }
    return render(request, "bookings/my_bookings.html", context)
