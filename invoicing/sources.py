"""What a payment paid for, as an invoice line describes it (webinar seat or 1:1 session)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from invoicing.dates import platform_date


@dataclass(frozen=True)
class Supply:
    description: str
    date_of_supply: date | None


def supply_of(payment) -> Supply:
    from bookings.models import Booking
    from webinars.models import Registration

    coach_name = payment.coach.user.get_full_name() or payment.coach.user.display_name
    if payment.purpose == "webinar_registration":
        registration = (
            Registration.objects.filter(payment=payment).select_related("webinar").first()
        )
        if registration is not None:
            webinar = registration.webinar
            first = webinar.slots.order_by("start").first()
            when = platform_date(first.start) if first else None
            return Supply(f"Webinar seat: {webinar.title} (coach {coach_name})", when)
        return Supply(f"Webinar seat (coach {coach_name})", None)
    booking = Booking.objects.filter(payment=payment).first()
    if booking is not None:
        return Supply(
            f"1:1 coaching session: {booking.title}, {booking.duration_minutes} min "
            f"(coach {coach_name})",
            platform_date(booking.start),
        )
    return Supply(f"1:1 coaching session (coach {coach_name})", None)
