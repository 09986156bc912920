"""Refund requests on 1:1 sessions (payments.refunds.sources)."""

from __future__ import annotations

from bookings.models import Booking


def booking_payment(user, object_id):
    booking = Booking.objects.select_related("payment").filter(pk=object_id, client=user).first()
    return booking.payment if booking else None


def booking_service(payment):
    from payments.refunds.sources import Service

    booking = Booking.objects.filter(payment=payment).order_by("-start").first()
    if booking is None:
        return None
    return Service(label=booking.title or "1:1 session", start=booking.start, end=booking.end)
