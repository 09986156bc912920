"""My Bookings (/bookings/mine/): the user's webinars and 1:1 sessions, times in their zone.

The one page that combines both domains, so it is composed here, above them: `webinars` and
`bookings` do not import each other (tests/test_import_rules.py). Upcoming webinars and
sessions are shown in full (a user holds few); past and cancelled ones are paged newest
first by keyset (cursor) windows, each list with its own cursor parameters
(`webinars_older`/`webinars_newer`, `sessions_older`/`sessions_newer`; the links keep the
other list's), a LIMIT over the user's own index: a history of 10,000 rows costs what one
of 10 does (no COUNT, no OFFSET, no sort of the whole history)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.views.decorators.http import require_GET

from bookings.selectors import my_past_sessions_page, my_upcoming_sessions
from core.http import url_maker
from core.pagination import KeysetPage
from invoicing.selectors import documents_by_payment
from payments.refunds.selectors import refund_links_for
from reviews.selectors import review_links_for
from webinars.selectors import (
    PAST_PAGE_SIZE,
    my_past_webinars_page,
    my_upcoming_webinars,
    my_waitlists,
)


@dataclass(frozen=True)
class Moment:
    """A time as the rows show it, in the viewer's zone: formatted once per row here, not by
    a `date` filter per use (the page's per-row cost was mostly date filters, `{% url %}`
    and includes that render nothing)."""

    iso: str  # the `date:'Y-m-d\\TH:i:sO'` form of <time datetime>
    label: str  # "D j M Y, H:i"
    time: str  # "H:i"


def _names() -> tuple[list[str], list[str]]:
    """Day and month abbreviations as the `date` filter's D and M give them (translated)."""
    return [str(WEEKDAYS_ABBR[i]) for i in range(7)], [""] + [
        str(MONTHS_3[i]).title() for i in range(1, 13)
    ]


def moment(value, names=None) -> Moment | None:
    if value is None:
        return None
    days, months = names or _names()
    local = timezone.localtime(value)
    day, month = days[local.weekday()], months[local.month]
    clock = f"{local:%H:%M}"
    return Moment(
        iso=local.strftime("%Y-%m-%dT%H:%M:%S%z"),
        label=f"{day} {local.day} {month} {local.year}, {clock}",
        time=clock,
    )


def _prepare_rows(webinars, sessions, *, documents, refund_links, review_links) -> None:
    """Per-row display values in one pass: times, the row's links, its documents and refund
    link (the includes render only for rows that have them)."""
    detail_url, session_url = url_maker("webinars:detail"), url_maker("bookings:detail")
    names = _names()
    for item in webinars:
        payment_id = item.registration.payment_id
        item.detail_url = detail_url(item.webinar.pk)
        item.start, item.end = moment(item.starts_at, names), moment(item.ends_at, names)
        item.documents = documents.get(payment_id, []) if payment_id else []
        item.refund_link = refund_links.get(payment_id) if payment_id else None
        item.review_url = review_links.get(f"registration:{item.registration.pk}")
    coach_urls: dict[int, str] = {}
    for booking in sessions:
        booking.url = session_url(booking.pk)
        coach = booking.coach
        if coach.pk not in coach_urls:
            coach_urls[coach.pk] = coach.get_absolute_url()
        booking.coach_url = coach_urls[coach.pk]
        booking.coach_name = coach.user.get_full_name() or coach.user.display_name
        booking.start_at, booking.end_at = moment(booking.start, names), moment(booking.end, names)
        booking.documents = documents.get(booking.payment_id, []) if booking.payment_id else []
        booking.refund_link = refund_links.get(booking.payment_id) if booking.payment_id else None
        booking.review_url = review_links.get(f"booking:{booking.pk}")


def _cursors(request, prefix: str) -> dict:
    return {
        "older": request.GET.get(f"{prefix}_older"),
        "newer": request.GET.get(f"{prefix}_newer"),
    }


def _named(page: KeysetPage, prefix: str) -> KeysetPage:
    """The list's own cursor parameters, for the pager's links."""
    page.param_after, page.param_before = f"{prefix}_older", f"{prefix}_newer"
    return page


@require_GET
@login_required
def my_bookings(request):
    now = timezone.now()
    user = request.user
    past_webinars_page = _named(
        my_past_webinars_page(
            user=user, now=now, size=PAST_PAGE_SIZE, **_cursors(request, "webinars")
        ),
        "webinars",
    )
    past_sessions_page = _named(
        my_past_sessions_page(
            user=user, now=now, size=PAST_PAGE_SIZE, **_cursors(request, "sessions")
        ),
        "sessions",
    )
    upcoming_webinars = my_upcoming_webinars(user=user, now=now)
    past_webinars = past_webinars_page.items
    upcoming_sessions = my_upcoming_sessions(user=user, now=now)
    past_sessions = past_sessions_page.items
    payment_ids = [item.registration.payment_id for item in upcoming_webinars + past_webinars]
    payment_ids += [booking.payment_id for booking in upcoming_sessions + past_sessions]
    # invoices and credit notes of the rows on this page only (one query)
    documents = documents_by_payment(user, payment_ids=payment_ids)
    # refund request links of the past paid rows (payments.refunds)
    refund_links = refund_links_for(
        user,
        payment_ids=[item.registration.payment_id for item in past_webinars]
        + [booking.payment_id for booking in past_sessions],
        now=now,
    )
    # "Review" links of the past rows on this page that may be reviewed now (2 queries,
    # bounded by the page, not the history)
    review_links = review_links_for(
        user,
        now=now,
        booking_ids=[booking.pk for booking in past_sessions],
        registration_ids=[item.registration.pk for item in past_webinars],
    )
    _prepare_rows(
        upcoming_webinars + past_webinars,
        upcoming_sessions + past_sessions,
        documents=documents,
        refund_links=refund_links,
        review_links=review_links,
    )
    context = {
        "now": now,
        "upcoming_webinars": upcoming_webinars,
        "waitlists": my_waitlists(user=user, now=now),
        "past_webinars": past_webinars,
        "past_webinars_page": past_webinars_page,
        "upcoming_sessions": upcoming_sessions,
        "past_sessions": past_sessions,
        "past_sessions_page": past_sessions_page,
        "documents_by_payment": documents,
        "refund_links": refund_links,
        "review_links": review_links,
    }
    return render(request, "bookings/my_bookings.html", context)
