"""What of a person's 1:1 sessions stops their account from being deleted (accounts.deletion)."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from bookings.models import Booking


def upcoming_bookings_of(*, user) -> list[str]:
    """Open 1:1 bookings (requested, suggested, confirmed, paying) that have not ended yet,
    as the client or as the coach."""
    bookings = (
        Booking.objects.filter(Q(client=user) | Q(coach__user=user))
        .filter(status__in=Booking.OPEN_STATUSES, end__gt=timezone.now())
        .order_by("start")
    )
    lines = []
    for booking in bookings:
        start = timezone.localtime(booking.start).strftime("%a %d %b %Y, %H:%M")
        lines.append(f"1:1 session “{booking.title}” on {start} ({booking.get_status_display()})")
    return lines
