"""Creating a 1:1 booking: validate, price, reserve the time under the coach lock, commit, and
only then open the payment at Stripe (authorize-only for requests, see
docs/adr/0002-request-payments.md)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import suspension
from bookings import scheduling, selectors
from bookings.errors import (
    AccountSuspended,
    BookingError,
    CoachPaymentsNotConfigured,
    InvalidTime,
    InvalidTransition,
    LimitReached,
    NotAllowed,
    PaymentProblem,
    SlotUnavailable,
    TooManyUnpaidBookings,
)
from bookings.locks import lock_client, lock_coach
from bookings.models import GENERIC_TITLES, AvailabilitySlot, Booking
from bookings.selectors import booking_type_for
from bookings.services import availability
from bookings.services.abandoned import release_own_unpaid_attempts
from bookings.services.notify import booking_event
from payments.payouts.readiness import coach_can_take_payments

if TYPE_CHECKING:
    from accounts.models import Coach, User
    from bookings.models import SessionType
    from bookings.payment_snapshot import SessionPriceBreakdown
    from bookings.selectors.access import CalendarAccess
    from payments.models import Payment


logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class GuestContact:
    """Who books without an account (bookings.services.guest): stored on the booking."""

    name: str
    email: str
    timezone: str = "UTC"


MAX_UNPAID_FUTURE_BOOKINGS = 3
# Stripe keeps a card authorization for 7 days; a request must be answered before that.
REQUEST_ANSWER_WINDOW = dt.timedelta(days=6)


@dataclass
class BookingStarted:
    booking: Booking
    payment: Payment | None = None

    @property
    def client_secret(self) -> str | None:
        return getattr(self.payment, "stripe_client_secret", None) or None

    def as_json(self) -> dict[str, Any]:
        data = {
            "booking_id": self.booking.pk,
            "status": self.booking.status,
            "type": self.booking.booking_type,
            "amount": str(self.booking.amount_total),
            "currency": self.booking.currency,
        }
        if self.payment is not None:
            data["client_secret"] = self.client_secret
            data["payment_intent_id"] = self.payment.stripe_payment_intent_id
        return data


def booking_title(title: str, session_type: SessionType) -> str:
    """Seed 004: a generic title ("Availability") becomes the session type's name."""
    cleaned = (title or "").strip()
    return session_type.name if cleaned.lower() in GENERIC_TITLES else cleaned[:160]


def booking_create(
    *,
    client: User,
    coach_id: int,
    session_type_id: int,
    start: dt.datetime,
    duration: int,
    code: str = "",
    title: str = "",
    message: str = "",
    now: dt.datetime | None = None,
) -> BookingStarted:
    """Book `duration` minutes at `start`. Prices are computed here; nothing the client sends
    about money is read. Raises a BookingError subclass and writes nothing on any problem."""
    now = now or timezone.now()
    booking = booking_reserve(
        client=client,
        coach_id=coach_id,
        session_type_id=session_type_id,
        start=start,
        duration=duration,
        code=code,
        title=title,
        message=message,
        now=now,
    )
    if booking.is_free:
        return BookingStarted(booking)
    try:
        payment = _open_payment(booking)
    except Exception as exc:  # Stripe refused or is down: give the time back, keep nothing
        booking_release_unpaid(booking_id=booking.pk, reason="payment could not be started")
        if not hasattr(exc, "message"):
            logger.exception("opening the payment of booking %s failed", booking.pk)
        raise PaymentProblem.from_payment_error(
            exc, "The payment could not be started. Please try again."
        ) from exc
    attached = _attach_payment(booking_id=booking.pk, payment=payment)
    if attached is None:
        # Released while we talked to Stripe: cancel the intent (committed, no lock held).
        _cancel_payment(payment.pk, f"booking {booking.pk} released before its payment")
        raise InvalidTransition(
            "This booking was released before its payment could start. Please book again.",
            code="booking_released",
        )
    return BookingStarted(attached, payment)


@transaction.atomic
def _attach_payment(*, booking_id: int, payment: Payment) -> Booking | None:
    """Link the payment under the coach and booking locks, re-checking the status (as the
    webinars' _attach_payment): the booking may have been released or expired while we
    talked to Stripe; then nothing is attached and None returned. A webhook that already
    attached it (paid before we got here) is fine."""
    from bookings.locks import lock_booking_with_coach

    booking = lock_booking_with_coach(booking_id)
    if booking.payment_id == payment.pk:
        return booking
    if booking.status != Booking.Status.PAYMENT_PENDING or booking.payment_id is not None:
        return None
    booking.payment = payment
    booking.save(update_fields=["payment", "updated_at"])
    return booking


def _cancel_payment(payment_id: int, reason: str) -> None:
    from payments.tasks import cancel_payment

    try:
        cancel_payment.delay(payment_id, reason)
    except Exception:  # broker down: reconcile_payments cancels abandoned intents
        logger.exception("could not queue the cancellation of payment %s", payment_id)


@transaction.atomic(durable=True)  # its caller calls Stripe next: no outer lock
def booking_reserve(
    *,
    client: User | None,
    coach_id: int,
    session_type_id: int,
    start: dt.datetime,
    duration: int,
    code: str,
    title: str,
    message: str,
    now: dt.datetime,
    guest: GuestContact | None = None,
) -> Booking:
    """The one creation path, for a client account or (`guest`, client None) a person with
    only a name and an email: the same time rules, availability, buffers, limits, coach lock
    and overlap constraint. A guest may only book a session whose quote is 0.00."""
    coach = selectors.coach_for_booking(coach_id)
    session_type = selectors.session_type_for(coach, session_type_id)
    if client is not None:
        access = _client_may_book(client, coach)
        booker_timezone = client.timezone
    elif guest is not None:
        from bookings.services.guest import guest_may_book

        _coach_not_suspended(coach)
        access = guest_may_book(guest, coach, session_type)
        booker_timezone = guest.timezone
    else:
        raise TypeError("A booking is made by a client account or by a guest.")
    end = selectors.validate_time_rules(
        session_type=session_type, start=start, duration=duration, now=now
    )
    if guest is not None:
        from bookings.services.guest import require_free

        require_free(coach=coach, session_type=session_type, start=start, end=end)

    coach = lock_coach(coach.pk)
    if client is not None:
        lock_client(client.pk)
        release_own_unpaid_attempts(
            client=client, coach=coach, session_type=session_type, start=start, end=end
        )
    check_free(coach, session_type, start, end)
    slots = covering_slots(coach, session_type, start, end)
    if client is not None:
        _check_unpaid_limit(client, now)
    discount = (
        selectors.discount_code_lookup(
            coach=coach, code=code, session_type=session_type, client=client, now=now
        )
        if client is not None and code and code.strip()
        else None
    )
    quote = selectors.quote_session(
        coach=coach, session_type=session_type, start=start, end=end, code=discount
    )
    if quote.total > 0 and not coach_can_take_payments(coach):
        raise CoachPaymentsNotConfigured()
    booking_type = booking_type_for(
        session_type=session_type,
        instant=all(s.instant_booking for s in slots),
        start=start,
        now=now,
        connected=access.connected,
    )
    booking = Booking(
        coach=coach,
        client=client,
        guest_name=guest.name if guest else "",
        guest_email=guest.email if guest else "",
        source=Booking.Source.GUEST if guest else Booking.Source.SITE,
        session_type=session_type,
        start=start,
        end=end,
        title=booking_title(title, session_type),
        timezone=booker_timezone,
        booking_type=booking_type,
        buffer_before_minutes=session_type.buffer_before_minutes,
        buffer_after_minutes=session_type.buffer_after_minutes,
        currency=quote.currency,
        amount_total=quote.total,
        price_snapshot=quote.breakdown,
        discount_code=discount if quote.code_applied else None,
        client_message=message.strip(),
    )
    _set_initial_status(booking, now)
    booking.consumed_availability = availability.carve(coach=coach, start=start, end=end)
    try:
        with transaction.atomic():  # savepoint: the exclusion constraint is the second line
            booking.save()
    except IntegrityError as exc:
        if "booking_no_overlap" in str(exc):
            raise SlotUnavailable(
                "Someone booked this time a moment ago. Please pick another."
            ) from None
        raise
    if booking.status == Booking.Status.CONFIRMED:
        booking_event(booking, "confirmed")
    elif booking.status == Booking.Status.REQUESTED:
        booking_event(booking, "requested")
    return booking


def _coach_not_suspended(coach: Coach) -> None:
    if suspension.is_suspended(coach.user):
        raise AccountSuspended("This coach is not taking bookings at the moment.")


def _client_may_book(client: User, coach: Coach) -> CalendarAccess:
    if client.pk == coach.user_id:
        raise NotAllowed("You cannot book a session with yourself.", code="own_calendar")
    # The one entry point of firm bookings and requests: a suspended client cannot book, a
    # suspended coach cannot sell (accounts.suspension).
    if suspension.is_suspended(client):
        raise AccountSuspended(suspension.refusal_message(client))
    _coach_not_suspended(coach)
    access = selectors.calendar_access(client, coach)
    if not access.can_book:
        raise NotAllowed(
            access.reason or "You cannot book this coach.",
            code="blocked" if access.blocked else "not_visible",
        )
    return access


def _set_initial_status(booking: Booking, now: dt.datetime) -> None:
    if booking.amount_total > 0:
        booking.status = Booking.Status.PAYMENT_PENDING
        booking.hold_expires_at = now + dt.timedelta(minutes=settings.SEAT_HOLD_MINUTES)
    elif booking.booking_type == Booking.Type.FIRM:
        booking.status = Booking.Status.CONFIRMED
        booking.confirmed_at = now
    else:
        booking.status = Booking.Status.REQUESTED
    if booking.booking_type == Booking.Type.REQUEST:
        booking.request_expires_at = min(booking.start, now + REQUEST_ANSWER_WINDOW)


def covering_slots(
    coach: Coach, session_type: SessionType, start: dt.datetime, end: dt.datetime
) -> list[AvailabilitySlot]:
    slots = list(
        selectors.load_schedule(
            coach=coach, session_type=session_type, window_start=start, window_end=end
        ).slots
    )
    if not scheduling.covers([(s.start, s.end) for s in slots], start, end):
        raise InvalidTime(
            "The coach is not available at this time. Pick one of the offered times.", field="start"
        )
    return slots


def check_free(
    coach: Coach,
    session_type: SessionType,
    start: dt.datetime,
    end: dt.datetime,
    *,
    exclude_booking_id: int | None = None,
) -> None:
    """Caller holds the coach lock: no other booking can appear between this and the insert."""
    schedule = selectors.load_schedule(
        coach=coach,
        session_type=session_type,
        window_start=start,
        window_end=end,
        exclude_booking_id=exclude_booking_id,
    )
    if scheduling.conflicts(
        start,
        end,
        buffer_before=dt.timedelta(minutes=session_type.buffer_before_minutes),
        buffer_after=dt.timedelta(minutes=session_type.buffer_after_minutes),
        busy=schedule.busy,
    ):
        raise SlotUnavailable(
            "This time overlaps another session (or the break around it). Please pick another."
        )
    problem = selectors.limit_problem(schedule, session_type, start, coach.user.tzinfo)
    if problem:
        raise LimitReached(problem)


def check_time_free(
    coach: Coach, session_type: SessionType, start: dt.datetime, end: dt.datetime
) -> None:
    """Read-only use of the same check (the quote endpoint): SlotUnavailable / LimitReached."""
    check_free(coach, session_type, start, end)


def _check_unpaid_limit(client: User, now: dt.datetime) -> None:
    unpaid = Booking.objects.filter(
        client=client,
        start__gt=now,
        amount_total__gt=0,
        status__in=[
            Booking.Status.PAYMENT_PENDING,
            Booking.Status.REQUESTED,
            Booking.Status.TIME_SUGGESTED,
        ],
    ).count()
    if unpaid >= MAX_UNPAID_FUTURE_BOOKINGS:
        raise TooManyUnpaidBookings(
            f"You already have {unpaid} unpaid upcoming bookings. "
            "Pay for or cancel one of them first."
        )


def _open_payment(booking: Booking) -> Payment:
    """Outside any lock: Stripe first, then the Payment row (payments.services.payment_open)."""
    from payments.models import Payment
    from payments.services import payment_open

    payer = booking.client
    if payer is None:  # a guest books free sessions only (guest.require_free)
        raise NotAllowed("Guests can only book free sessions.", code="guest_paid")
    return payment_open(
        payer=payer,
        coach=booking.coach,
        purpose=Payment.Purpose.SESSION_BOOKING,
        breakdown=session_breakdown(booking),
        metadata={"booking_id": str(booking.pk), "booking_type": booking.booking_type},
        idempotency_key=f"session-booking-{booking.pk}-open",
        capture_method="manual" if booking.booking_type == Booking.Type.REQUEST else "automatic",
    )


def session_breakdown(booking: Booking) -> SessionPriceBreakdown:
    """The booking's frozen quote as the payments core's PriceBreakdown (lines included)."""
    from bookings.payment_snapshot import SessionPriceBreakdown

    return SessionPriceBreakdown.from_snapshot(booking.price_snapshot)


@transaction.atomic
def booking_release_unpaid(
    *, booking_id: int, reason: str, status: str = Booking.Status.EXPIRED
) -> Booking | None:
    """Give back the time of a booking whose payment never happened (hold expired, payment
    could not start, client cancelled the payment step). No Stripe calls here."""
    from bookings.locks import lock_booking_with_coach

    try:
        booking = lock_booking_with_coach(booking_id)
    except BookingError:
        return None
    if booking.status != Booking.Status.PAYMENT_PENDING:
        return None
    booking.status = status
    booking.hold_expires_at = None
    availability.restore(coach=booking.coach, pieces=booking.consumed_availability)
    booking.save(update_fields=["status", "hold_expires_at", "updated_at"])
    logger.info("booking %s released: %s", booking.pk, reason)
    return booking
