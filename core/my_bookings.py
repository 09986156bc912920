"""My Bookings (/bookings/mine/): the user's webinars and 1:1 sessions, times in their zone.

The one page that combines both domains, so it is composed here, above them: `webinars` and
`bookings` do not import each other (tests/test_import_rules.py). Upcoming webinars and
sessions are shown in full (a user holds few); past and cancelled ones are paginated, each
list with its own page parameter, so a long history costs the same as a short one."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from bookings.selectors import my_past_sessions, my_upcoming_sessions
from core.pagination import paginate
from invoicing.selectors import documents_by_payment
from payments.refunds.selectors import refund_links_for
from reviews.selectors import review_links_for
from webinars.selectors import (
    PAST_PAGE_SIZE,
    my_past_webinars,
    my_upcoming_webinars,
    my_waitlists,
    my_webinar_items,
)


@require_GET
@login_required
def my_bookings(request):
    now = timezone.now()
    user = request.user
    past_webinars_page = paginate(
        request, my_past_webinars(user=user, now=now), per_page=PAST_PAGE_SIZE, param="webinars"
    )
    past_sessions_page = paginate(
        request, my_past_sessions(user=user, now=now), per_page=PAST_PAGE_SIZE, param="sessions"
    )
    upcoming_webinars = my_upcoming_webinars(user=user, now=now)
    past_webinars = my_webinar_items(past_webinars_page.object_list, now=now)
    upcoming_sessions = my_upcoming_sessions(user=user, now=now)
    past_sessions = list(past_sessions_page.object_list)
    payment_ids = [item.registration.payment_id for item in upcoming_webinars + past_webinars]
    payment_ids += [booking.payment_id for booking in upcoming_sessions + past_sessions]
    context = {
        "now": now,
        "upcoming_webinars": upcoming_webinars,
        "waitlists": my_waitlists(user=user, now=now),
        "past_webinars": past_webinars,
        "past_webinars_page": past_webinars_page,
        "upcoming_sessions": upcoming_sessions,
        "past_sessions": past_sessions,
        "past_sessions_page": past_sessions_page,
        # invoices and credit notes of the rows on this page only (one query)
        "documents_by_payment": documents_by_payment(user, payment_ids=payment_ids),
        # refund request links of the past paid rows (payments.refunds)
        "refund_links": refund_links_for(
            user,
            payment_ids=[item.registration.payment_id for item in past_webinars]
            + [booking.payment_id for booking in past_sessions],
            now=now,
        ),
        # "Review" links of what may be reviewed now (reviews: 2 queries, any history)
        "review_links": review_links_for(user, now=now),
    }
    return render(request, "bookings/my_bookings.html", context)
