"""The client's Launchpad (/dashboard/, issue 16): where a user lands after login. The next
session or webinar with its join link and countdown, what else is coming, the coaches they
are connected with, unread notifications, payments still open and requests waiting.
A fixed number of queries: upcoming items are few per user, the rest is counted or capped."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass
class Item:
    kind: str  # "webinar" or "session"
    title: str
    starts_at: dt.datetime | None
    url: str
    join_url: str = ""
    status: str = ""


def launchpad(*, user, now: dt.datetime) -> dict:
    from accounts.models import Connection
    from bookings.models import Booking
    from bookings.selectors import my_upcoming_sessions
    from notifications.selectors import notifications_for, unread_count
    from payments.models import Payment
    from webinars.selectors import my_upcoming_webinars

    items = []
    for mine in my_upcoming_webinars(user=user, now=now):
        confirmed = mine.registration.status == "confirmed"
        items.append(
            Item(
                "webinar",
                mine.webinar.title,
                mine.starts_at,
                mine.webinar.get_absolute_url(),
                join_url=mine.webinar.join_url if confirmed else "",
                status=mine.registration.get_status_display(),
            )
        )
    requests = []
    for booking in my_upcoming_sessions(user=user, now=now):
        item = Item(
            "session",
            f"{booking.session_type.name if booking.session_type_id else 'Session'} with "
            f"{booking.coach.user.display_name}",
            booking.start,
            booking.get_absolute_url(),
            join_url=booking.join_url if booking.status == Booking.Status.CONFIRMED else "",
            status=booking.get_status_display(),
        )
        if booking.status in (Booking.Status.REQUESTED, Booking.Status.TIME_SUGGESTED):
            requests.append(item)
        items.append(item)
    items.sort(key=lambda i: (i.starts_at is None, i.starts_at or now))
    confirmed_items = [i for i in items if i.join_url]
    coaches = list(
        Connection.objects.filter(client=user, status=Connection.Status.ACCEPTED)
        .select_related("coach__user")
        .order_by("coach__user__first_name")[:12]
    )
    pending_payments = list(
        Payment.objects.filter(
            payer=user,
            status__in=[Payment.Status.PENDING, Payment.Status.PROCESSING],
        ).order_by("-created_at")[:5]
    )
    return {
        "now": now,
        "next_item": confirmed_items[0] if confirmed_items else (items[0] if items else None),
        "upcoming": items[:10],
        "coaches": coaches,
        "unread_count": unread_count(user_id=user.pk),
        "notifications": list(notifications_for(user=user).filter(read_at__isnull=True)[:5]),
        "pending_payments": pending_payments,
        "requests": requests,
        "is_coach": getattr(user, "is_coach", False),
    }
