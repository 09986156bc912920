"""When the service a 1:1 payment paid for ended, for the payout schedule (registered with
payments.payouts.schedule from BookingsConfig.ready)."""

from __future__ import annotations

from django.db.models import DateTimeField, OuterRef, Subquery

from bookings.models import Booking


def session_end_of_payment() -> Subquery:
    ends = (
        Booking.objects.filter(
            payment=OuterRef("pk"),
            status__in=[Booking.Status.CONFIRMED, Booking.Status.COMPLETED],
        )
        .order_by("-end")
        .values("end")[:1]
    )
    return Subquery(ends, output_field=DateTimeField())
