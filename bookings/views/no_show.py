"""The coach marks (or unmarks) a past session as a no-show from the booking page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from bookings.errors import BookingError
from bookings.models import Booking
from bookings.services.external import NO_SHOW_STATUSES, booking_no_show_set


def no_show_allowed(booking: Booking, now) -> bool:
    return booking.status in NO_SHOW_STATUSES and booking.start <= now


@login_required
@require_POST
def mark(request, booking_id: int):
    booking = Booking.objects.filter(pk=booking_id).select_related("coach").first()
    if booking is None or booking.coach.user_id != request.user.pk:
        raise Http404("No such booking.")  # a client or a stranger: no existence leak
    marked = request.POST.get("no_show", "on") != "off"
    try:
        booking_no_show_set(booking_id=booking.pk, marked=marked, user=request.user)
    except BookingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, "Marked as a no-show." if marked else "The no-show mark is removed."
        )
    return redirect(booking.get_absolute_url())
