"""Writes of the webinars app: seat holds, confirmation, release, expiry (seed 000).

Every seat change runs under the webinar row lock (webinars/locks.py) and pushes its live
updates and notifications after commit. Stripe is never called while a lock is held: the
hold is committed first, then the PaymentIntent is created, then linked in a new transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from accounts import blocks, suspension
from payments.errors import PaymentError
from payments.models import Payment
from payments.payouts.readiness import coach_can_take_payments
from payments.services import payment_open
from webinars import locks, pricing
from webinars.errors import (
    AccountSuspended,
    AlreadyRegistered,
    BookingClosed,
    CoachPaymentsNotConfigured,
    HoldExpired,
    HoldNotFound,
    NotBookable,
    OfferExpired,
    OwnWebinar,
    PaymentUnavailable,
    PriceNotSet,
    WebinarCancelled,
    WebinarFull,
    WebinarNotFound,
)
from webinars.models import Registration, Webinar, WebinarSlot

if TYPE_CHECKING:
    from accounts.models import User


logger = logging.getLogger(__name__)

LIVE = Registration.LIVE_STATUSES


@dataclass
class RegisterResult:
    registration: Registration
    payment: Payment | None = None
    free_booking: bool = False
    reused: bool = False


def webinar_register(*, webinar_id: int, user: User, now: datetime | None = None) -> RegisterResult:
    """Book a seat for `user` (seed 000 POST /register).

    1. Under the webinar lock: validate in the seed's order, re-compute the price, take a
       seat hold (or confirm at once when free). Commit.
    2. No lock: create the PaymentIntent (idempotency key from the registration id). If Stripe
       is unreachable the hold is released and PaymentUnavailable raised; nothing is recorded.
    3. Link the payment to the hold. A second click reuses the live hold and its intent.
    """
    now = now or timezone.now()
    registration, reused = _hold_seat(webinar_id=webinar_id, user=user, now=now)
    if isinstance(registration, WebinarFull):
        # Raised after the commit: the seats that transaction offered to the waitlist stay.
        raise registration
    if registration.status == Registration.Status.CONFIRMED:
        return RegisterResult(registration, free_booking=True)
    if registration.payment_id is not None:
        return RegisterResult(registration, registration.payment, reused=True)
    webinar = registration.webinar
    try:
        payment = payment_open(
            payer=user,
            coach=webinar.coach,
            purpose=Payment.Purpose.WEBINAR_REGISTRATION,
            breakdown=pricing.breakdown(
                webinar, amount=registration.amount, reason=registration.price_reason
            ),
            metadata={
                "registration_id": registration.pk,
                "webinar_id": webinar.pk,
                "user_id": user.pk,
                "price_reason": registration.price_reason,
            },
            idempotency_key=f"webinar-registration-{registration.pk}",
        )
    except PaymentError as exc:
        logger.warning("releasing hold %s: payment provider failed: %s", registration.pk, exc)
        registration_release(registration_id=registration.pk, status=Registration.Status.CANCELLED)
        raise PaymentUnavailable() from exc
    attached = _attach_payment(registration_id=registration.pk, payment=payment)
    if attached is None:
        # The hold ended while we talked to Stripe. Cancelled here, after the (committed)
        # check: an on_commit callback registered before raising would be rolled back too.
        _cancel_payment_now(payment.pk, "hold ended before payment")
        raise HoldExpired()
    return RegisterResult(attached, payment, reused=reused)


def check_not_suspended(webinar: Webinar, user: User) -> None:
    """A suspended person takes no seat (hold, free seat, waitlist place); a suspended
    coach's webinar takes no new attendees (accounts.suspension)."""
    if suspension.is_suspended(user):
        raise AccountSuspended(suspension.refusal_message(user))
    if suspension.is_suspended(webinar.coach.user):
        raise NotBookable("This webinar's coach is not taking bookings at the moment.")


@transaction.atomic(durable=True)  # its caller calls Stripe next: no outer lock
def _hold_seat(
    *, webinar_id: int, user: User, now: datetime
) -> tuple[Registration | WebinarFull, bool]:
    """The hold (and whether it is one the user already had), or the "full" refusal to raise
    once committed."""
    try:
        webinar = locks.lock_webinar(webinar_id)
    except Webinar.DoesNotExist:
        raise WebinarNotFound() from None
    if webinar.status == Webinar.Status.CANCELLED:
        raise WebinarCancelled()
    if webinar.status not in Webinar.BOOKABLE_STATUSES:
        raise NotBookable()
    if webinar.coach.user_id == user.pk:
        raise OwnWebinar()
    check_not_suspended(webinar, user)
    if blocks.is_blocked_between(user, webinar.coach.user_id):
        raise NotBookable(blocks.BLOCKED_MESSAGE)
    starts_at = webinar.starts_at  # stored on the locked row (webinars/stored_counts.py)
    if starts_at is None:
        raise NotBookable("This webinar has no date yet.")
    if starts_at <= now:
        raise BookingClosed()
    mine = locks.lock_registrations(webinar_id=webinar.pk, user_id=user.pk, status__in=LIVE)
    for registration in mine:
        if registration.status == Registration.Status.CONFIRMED:
            raise AlreadyRegistered()
        if registration.hold_expires_at and registration.hold_expires_at > now:
            registration.webinar = webinar
            if registration.amount == 0 and registration.payment_id is None:
                _confirm_free_hold(webinar, registration, now)  # a free seat offered to them
            return registration, True
    from webinars.services.waitlist import seats_offer

    expire_stale_holds(webinar=webinar, now=now)
    for offer in seats_offer(webinar=webinar, now=now, starts_at=starts_at):  # line first
        held = offer.registration  # every offer comes with its hold
        if offer.user_id == user.pk and held is not None:  # first in line: the offer is theirs
            held.webinar = webinar
            if held.amount == 0:
                _confirm_free_hold(webinar, held, now)
            return held, True
    if live_seat_count(webinar_id=webinar.pk) >= webinar.max_attendees:
        return (OfferExpired() if _offer_ran_out(webinar, user) else WebinarFull()), False
    quote = pricing.quote(webinar, now=now)
    if quote.amount is None:  # not quote.is_set
        raise PriceNotSet()
    pricing.breakdown(webinar, amount=quote.amount, reason=quote.reason)  # validates the price
    if not quote.is_free and not coach_can_take_payments(webinar.coach):
        raise CoachPaymentsNotConfigured()
    registration = Registration(
        webinar=webinar,
        user=user,
        amount=quote.amount,
        currency=webinar.currency,
        price_reason=quote.reason,
    )
    if quote.is_free:
        registration.status = Registration.Status.CONFIRMED
        registration.confirmed_at = now
        registration.save()
        after_confirm(webinar=webinar, registration=registration)
    else:
        registration.status = Registration.Status.HELD
        registration.hold_expires_at = now + timedelta(minutes=settings.SEAT_HOLD_MINUTES)
        registration.save()
        # Seats changed for everyone; this user's own panel follows once the payment is
        # attached (_attach_payment), so one push each.
        live_panels_push(webinar.pk, None)
    return registration, False


def _confirm_free_hold(webinar: Webinar, registration: Registration, now: datetime) -> None:
    registration.status = Registration.Status.CONFIRMED
    registration.confirmed_at = now
    registration.hold_expires_at = None
    registration.save(update_fields=["status", "confirmed_at", "hold_expires_at", "updated_at"])
    after_confirm(webinar=webinar, registration=registration)


def _offer_ran_out(webinar: Webinar, user: User) -> bool:
    """The user's latest place in line is an offer that expired (the seat went on)."""
    from webinars.models import WaitlistEntry

    latest = (
        WaitlistEntry.objects.filter(webinar_id=webinar.pk, user_id=user.pk)
        .order_by("-created_at", "-pk")
        .values_list("status", flat=True)
        .first()
    )
    return latest == WaitlistEntry.Status.EXPIRED


@transaction.atomic(durable=True)  # its caller calls Stripe next: no outer lock
def _attach_payment(*, registration_id: int, payment: Payment) -> Registration | None:
    """Link the PaymentIntent to the hold: one locked read of the registration, no webinar
    lock (no seat moves; see locks.lock_held_registration)."""
    registration = locks.lock_held_registration(registration_id)
    if registration.payment_id == payment.pk:
        return registration  # a webhook already linked it (paid before we got here)
    if registration.status != Registration.Status.HELD:
        return None  # the hold ended while we talked to Stripe (expired, or released)
    registration.payment = payment
    registration.save(update_fields=["payment", "updated_at"])
    live_panels_push(None, registration.pk)
    return registration


def webinar_starts_at(webinar_id: int) -> datetime | None:
    """The first slot's start, counted from the slots (right after a slot change in the same
    transaction, where an instance's stored `starts_at` may be older)."""
    start: datetime | None = WebinarSlot.objects.filter(webinar_id=webinar_id).aggregate(
        start=Min("start")
    )["start"]
    return start


def live_seat_count(*, webinar_id: int, exclude_id: int | None = None) -> int:
    """Held + confirmed seats. Caller holds the webinar lock and has expired stale holds."""
    queryset = Registration.objects.filter(webinar_id=webinar_id, status__in=LIVE)
    if exclude_id is not None:
        queryset = queryset.exclude(pk=exclude_id)
    return queryset.count()


def expire_stale_holds(
    *, webinar: Webinar, now: datetime, keep_id: int | None = None
) -> list[Registration]:
    """Expire holds past their deadline (caller holds the webinar lock). Their intents stay
    open: a payment that still arrives is confirmed if a seat is free, else refunded."""
    filters = {
        "webinar_id": webinar.pk,
        "status": Registration.Status.HELD,
        "hold_expires_at__lte": now,
    }
    expired = [r for r in locks.lock_registrations(**filters) if r.pk != keep_id]
    for registration in expired:
        registration.status = Registration.Status.EXPIRED
        registration.ended_at = now
        registration.save(update_fields=["status", "ended_at", "updated_at"])
        live_panels_push(webinar.pk, registration.pk)
    return expired


def holds_expire(*, now: datetime | None = None) -> int:
    """Periodic sweep (expire_holds): release every hold past its deadline."""
    now = now or timezone.now()
    webinar_ids = set(
        Registration.objects.filter(
            status=Registration.Status.HELD, hold_expires_at__lte=now
        ).values_list("webinar_id", flat=True)
    )
    total = 0
    from webinars.services.waitlist import seats_offer

    for webinar_id in sorted(webinar_ids):
        with transaction.atomic():
            webinar = locks.lock_webinar(webinar_id)
            total += len(expire_stale_holds(webinar=webinar, now=now))
            seats_offer(webinar=webinar, now=now)  # an offer that ran out goes to the next
    return total


@transaction.atomic
def registration_release(
    *, registration_id: int, status: str = Registration.Status.CANCELLED, user: User | None = None
) -> Registration:
    """End a hold now (the user's "Cancel", or a failed payment set-up) and free the seat.
    Its PaymentIntent, if any, is cancelled after commit."""
    registration = Registration.objects.filter(pk=registration_id).first()
    if registration is None or (user is not None and registration.user_id != user.pk):
        raise HoldNotFound()
    webinar = locks.lock_webinar(registration.webinar_id)
    registration = locks.lock_registration(registration_id)
    registration.webinar = webinar
    if registration.status != Registration.Status.HELD:
        return registration
    now = timezone.now()
    registration.status = status
    registration.ended_at = now
    registration.save(update_fields=["status", "ended_at", "updated_at"])
    if registration.payment_id:
        cancel_payment_after_commit(registration.payment_id, "seat released")
    live_panels_push(webinar.pk, registration.pk)
    from webinars.services.waitlist import seats_offer

    seats_offer(webinar=webinar, now=now)
    return registration


def after_confirm(*, webinar: Webinar, registration: Registration) -> None:
    """A seat was confirmed (caller holds the webinar lock): minimum-attendees transition,
    notifications to the attendee and the coach, live updates. All effects after commit; the
    notices are also built then (notifications.deferred), not under the lock."""
    from webinars.services.waitlist import waitlist_mark_booked

    confirmed_at = registration.confirmed_at
    if confirmed_at is None:
        raise ValueError(f"registration {registration.pk} is not confirmed")
    confirmed = minimum_attendees_sync(webinar=webinar)
    waitlist_mark_booked(webinar=webinar, user_id=registration.user_id, now=confirmed_at)
    # Registered first, so on commit the push tasks are queued ahead of the emails and the
    # worker updates the open pages before it sends mail.
    live_panels_push(webinar.pk, registration.pk)
    from notifications.deferred import notify_after_commit
    from notifications.types import NotificationType

    # Built after commit, outside the webinar lock (a row each here, nothing rendered).
    notify_after_commit(
        recipient=registration.user,
        type=NotificationType.WEBINAR_BOOKING_CONFIRMED,
        target=registration,
        context={"join_url": webinar.join_url},
    )
    notify_after_commit(
        recipient=webinar.coach.user,
        type=NotificationType.WEBINAR_NEW_ATTENDEE,
        target=registration,
        context={
            "attendee_name": registration.user.display_name,
            "count": confirmed,
            "max": webinar.max_attendees,
        },
    )


def minimum_attendees_sync(*, webinar: Webinar) -> int:
    """Seed 004, both ways: `scheduled` once the confirmed seats reach the minimum, back to
    `pending_minimum_attendees` when they drop below it (a refund). Caller holds the webinar
    lock. Returns the confirmed count."""
    confirmed = Registration.objects.filter(
        webinar_id=webinar.pk, status=Registration.Status.CONFIRMED
    ).count()
    if webinar.status == Webinar.Status.PENDING_MINIMUM and confirmed >= webinar.min_attendees:
        webinar.status = Webinar.Status.SCHEDULED
    elif webinar.status == Webinar.Status.SCHEDULED and confirmed < webinar.min_attendees:
        webinar.status = Webinar.Status.PENDING_MINIMUM
    else:
        return confirmed
    webinar.save(update_fields=["status", "updated_at"])
    return confirmed


def live_panels_push(webinar_id: int | None, registration_id: int | None) -> None:
    """After commit: the webinar's spots/attendee count and/or the user's booking panel.
    Public: payment handlers and every seat service push through it."""
    from notifications import live

    if webinar_id is not None:
        live.webinar_changed(webinar_id=webinar_id)
    if registration_id is not None:
        live.registration_changed(registration_id=registration_id)


def _cancel_payment_now(payment_id: int, reason: str) -> None:
    from payments.tasks import cancel_payment

    try:
        cancel_payment.delay(payment_id, reason)
    except Exception:  # broker down: reconcile_payments cancels abandoned intents
        logger.exception("could not queue the cancellation of payment %s", payment_id)


def cancel_payment_after_commit(payment_id: int, reason: str) -> None:
    from core.oncommit import enqueue_on_commit
    from payments.tasks import cancel_payment

    enqueue_on_commit(cancel_payment, payment_id, reason)
