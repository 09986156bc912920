"""What staff can tell Stripe about a disputed 1:1 session (registered with
payments.disputes.evidence from BookingsConfig.ready; payments does not import bookings)."""

from __future__ import annotations

from bookings.models import Booking


def booking_dispute_evidence(payment) -> dict:
    booking = (
        Booking.objects.filter(payment=payment)
        .select_related("session_type", "coach__user", "client")
        .first()
    )
    if booking is None:
        return {}
    when = f"{booking.start:%Y-%m-%d %H:%M}–{booking.end:%H:%M} UTC"
    policy = booking.session_type
    return {
        "label": f"1:1 session “{booking.title}” {when} (booking {booking.pk})",
        "product_description": f"A 1:1 coaching session “{booking.title}” with "
        f"{booking.coach}, {when}.",
        "service_date": booking.start.date().isoformat(),
        "service_documentation": f"Booking {booking.pk}: {when}, status "
        f"“{booking.get_status_display()}” on our platform.",
        "customer_communication": "\n\n".join(
            text
            for text in (
                booking.client_message and f"Client: {booking.client_message}",
                booking.coach_message and f"Coach: {booking.coach_message}",
            )
            if text
        ),
        "cancellation_policy": (
            f"Cancelling more than {policy.full_refund_hours} hours before the start refunds "
            f"everything; more than {policy.partial_refund_hours} hours before refunds "
            f"{policy.partial_refund_percent} %; later, nothing. Shown before payment."
        ),
    }
