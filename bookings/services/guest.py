"""Booking a free session without an account (issue 17 #3), and what the guest's signed link
allows afterwards: view, cancel, reschedule, and claim by an account holder.

Creation goes through booking_create's one path (`booking_reserve` with a GuestContact): the same
time rules, availability, buffers, limits, coach lock and overlap constraint as any booking.
Here only the guest's own rules: the session type takes guests (on by default), its quote is
0.00 at that time (the server's pricing engine decides, never the form), and the address is
one we may use. A guest booking is never attached to an account by the typed email alone:
the account holder claims it from the email's link while signed in (`guest_booking_claim`).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone

from accounts import blocks
from bookings import selectors
from bookings.errors import GuestBookingRefused, InvalidTransition, NotAllowed
from bookings.guest_links import GuestActor
from bookings.locks import lock_booking_with_coach
from bookings.models import Booking
from bookings.services.booking_create import GuestContact, booking_reserve
from bookings.services.transitions import booking_cancel, booking_reschedule, booking_withdraw

if TYPE_CHECKING:
    from accounts.models import Coach, User
    from bookings.models import SessionType
    from bookings.selectors.access import CalendarAccess


REFUSED_EMAIL = (
    "We cannot take a booking for this email address. Use another address, or log in to book."
)


def guest_may_book(guest: GuestContact, coach: Coach, session_type: SessionType) -> CalendarAccess:
    """Raise unless a guest may book `session_type` with this coach at all (before any time
    or price check). Returns the calendar access of an anonymous visitor."""
    from notifications.suppressions import is_suppressed

    access = selectors.calendar_access(AnonymousUser(), coach)
    if not access.can_view:
        raise NotAllowed(access.reason, code="not_visible")
    if not session_type.allow_guest_booking:
        raise GuestBookingRefused(
            f"{coach.user.get_full_name() or 'This coach'} does not take guest bookings for "
            f"{session_type.name}. Log in or sign up to book it.",
            code="guest_booking_off",
            field="session_type",
        )
    if is_suppressed(guest.email):
        # Our email to this address bounced or was reported as spam: the confirmation and its
        # link could never arrive.
        raise GuestBookingRefused(REFUSED_EMAIL, code="email_refused", field="email")
    owner = get_user_model().objects.filter(email__iexact=guest.email).first()
    if owner is not None and (
        owner.pk == coach.user_id or blocks.is_blocked_between(owner.pk, coach.user_id)
    ):
        raise GuestBookingRefused(REFUSED_EMAIL, code="email_refused", field="email")
    return access


def require_free(
    *, coach: Coach, session_type: SessionType, start: dt.datetime, end: dt.datetime
) -> None:
    quote = selectors.quote_session(coach=coach, session_type=session_type, start=start, end=end)
    if quote.total > 0:
        raise GuestBookingRefused(
            f"{session_type.name} costs {quote.currency} {quote.total} at this time. Only free "
            "sessions can be booked as a guest: log in or sign up to book it.",
            code="guest_paid_session",
            field="session_type",
        )


def guest_booking_create(
    *,
    coach_id: int,
    session_type_id: int,
    start: dt.datetime,
    duration: int,
    name: str,
    email: str,
    timezone_name: str = "UTC",
    message: str = "",
    now: dt.datetime | None = None,
) -> Booking:
    """Book a free session for a person without an account. Raises a BookingError subclass
    (GuestBookingRefused for a paid type, guests switched off or a refused address;
    SlotUnavailable when the time is taken) and writes nothing on any problem."""
    guest = GuestContact(name=name.strip(), email=email.strip().lower(), timezone=timezone_name)
    return booking_reserve(
        client=None,
        guest=guest,
        coach_id=coach_id,
        session_type_id=session_type_id,
        start=start,
        duration=duration,
        code="",
        title="",
        message=message,
        now=now or timezone.now(),
    )


def guest_actor(booking: Booking) -> GuestActor:
    return GuestActor(booking_id=booking.pk, name=booking.guest_name, email=booking.guest_email)


def guest_booking_cancel(*, booking: Booking, reason: str = "") -> Booking:
    """The link holder cancels: a confirmed session through booking_cancel (free, so nothing
    to refund), a pending request through booking_withdraw. The coach is told either way."""
    actor = guest_actor(booking)
    if booking.status in (Booking.Status.REQUESTED, Booking.Status.TIME_SUGGESTED):
        return booking_withdraw(user=actor, booking_id=booking.pk, message=reason)
    booking_cancel(user=actor, booking_id=booking.pk, reason=reason)
    return Booking.objects.get(pk=booking.pk)


def guest_booking_reschedule(*, booking: Booking, start: dt.datetime) -> Booking:
    """Move a confirmed guest session to another free start (booking_reschedule's rules)."""
    return booking_reschedule(user=guest_actor(booking), booking_id=booking.pk, start=start)


@transaction.atomic
def guest_booking_claim(*, user: User, booking_id: int) -> Booking:
    """Attach a guest booking to `user`'s account: only while signed in, with a verified
    account address equal to the one the booking was made with (the email's link proves the
    person reads that mailbox; the account's verification proves it is theirs)."""
    booking = lock_booking_with_coach(booking_id)
    if booking.client_id is not None:
        if booking.client_id == user.pk:
            return booking
        raise InvalidTransition("This booking already belongs to an account.")
    if booking.source != Booking.Source.GUEST:
        raise NotAllowed("This booking cannot be added to an account.")
    if not user.is_authenticated:
        raise NotAllowed("Log in to add this booking to your account.", code="login_required")
    if user.email.strip().lower() != booking.guest_email.strip().lower():
        raise NotAllowed(
            f"This booking was made with {booking.guest_email}; your account uses another "
            "address. Log in with the account of that address to add it.",
            code="email_mismatch",
        )
    if not user.email_verified:
        raise NotAllowed(
            "Confirm your account's email address first (we sent you a link), then add the "
            "booking.",
            code="email_not_verified",
        )
    if user.pk == booking.coach.user_id or blocks.is_blocked_between(
        user.pk, booking.coach.user_id
    ):
        raise NotAllowed("This booking cannot be added to your account.", code="blocked")
    booking.client = user
    booking.save(update_fields=["client", "updated_at"])
    return booking
