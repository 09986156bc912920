"""Waitlists for full webinars (issue 15 #4).

A full webinar offers "Join the waitlist". When a seat frees (an attendee cancels, a hold runs
out or is released, a seat is refunded), `seats_offer` gives it to the first person waiting:
a HELD registration expiring after `WAITLIST_OFFER_HOURS` (never after the start), told in-app,
by email and by live push. They pay through the normal register step, which finds that hold.
An offer that runs out moves on to the next person; its payment intent, if one was opened, is
cancelled so a late payment cannot charge for a seat that is someone else's.

Capacity: every function here runs under the webinar lock (webinars/locks.py), and an offer IS
a held seat, so "held + confirmed <= max_attendees" is kept by the same count as bookings, and
two concurrent frees can never offer one seat twice (webinars/tests/test_waitlist_concurrency).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts import blocks, suspension
from payments.payouts.readiness import coach_can_take_payments
from webinars import locks, pricing
from webinars.errors import (
    AlreadyRegistered,
    BookingClosed,
    NotBookable,
    NotFull,
    NotOnWaitlist,
    OwnWebinar,
    WebinarCancelled,
    WebinarNotFound,
)
from webinars.models import Registration, WaitlistEntry, Webinar
from webinars.services.seats import (
    LIVE,
    cancel_payment_after_commit,
    check_not_suspended,
    expire_stale_holds,
    live_panels_push,
    live_seat_count,
    webinar_starts_at,
)

if TYPE_CHECKING:
    from accounts.models import User


logger = logging.getLogger(__name__)


# --- joining and leaving ---------------------------------------------------------------------


@transaction.atomic
def waitlist_join(*, webinar_id: int, user: User, now: datetime | None = None) -> WaitlistEntry:
    """Take a place in line (POST /webinars/<id>/waitlist/). Only when the webinar is full
    (NotFull otherwise: book instead); joining twice keeps the one place. Refused like a
    booking for the coach, a blocked pair, a registered attendee, a closed webinar."""
    now = now or timezone.now()
    try:
        webinar = locks.lock_webinar(webinar_id)
    except Webinar.DoesNotExist:
        raise WebinarNotFound() from None
    _check_can_wait(webinar, user, now)
    mine = locks.lock_registrations(webinar_id=webinar.pk, user_id=user.pk, status__in=LIVE)
    for registration in mine:
        if registration.status == Registration.Status.CONFIRMED:
            raise AlreadyRegistered()
        if registration.hold_expires_at and registration.hold_expires_at > now:
            raise AlreadyRegistered("You already have a seat on hold: finish paying for it.")
    expire_stale_holds(webinar=webinar, now=now)
    seats_offer(webinar=webinar, now=now)  # a freed seat goes to the people already waiting
    existing = locks.lock_waitlist(webinar_id=webinar.pk, user_id=user.pk, status__in=_ACTIVE)
    if existing:
        return existing[0]
    if live_seat_count(webinar_id=webinar.pk) < webinar.max_attendees:
        raise NotFull()
    entry = WaitlistEntry.objects.create(webinar=webinar, user=user)
    live_panels_push(webinar.pk, None)  # the coach's waitlist count
    return entry


@transaction.atomic
def waitlist_leave(*, webinar_id: int, user: User, now: datetime | None = None) -> WaitlistEntry:
    """Give up one's place (or the seat offered): an offered seat goes to the next in line."""
    now = now or timezone.now()
    try:
        webinar = locks.lock_webinar(webinar_id)
    except Webinar.DoesNotExist:
        raise WebinarNotFound() from None
    entries = locks.lock_waitlist(webinar_id=webinar.pk, user_id=user.pk, status__in=_ACTIVE)
    if not entries:
        raise NotOnWaitlist()
    entry = entries[0]
    if entry.status == WaitlistEntry.Status.OFFERED and entry.registration_id:
        registration = locks.lock_registration(entry.registration_id)
        if registration.status == Registration.Status.HELD:
            registration.status = Registration.Status.CANCELLED
            registration.ended_at = now
            registration.save(update_fields=["status", "ended_at", "updated_at"])
            if registration.payment_id:
                cancel_payment_after_commit(registration.payment_id, "waitlist offer declined")
            live_panels_push(None, registration.pk)
    entry.status = WaitlistEntry.Status.LEFT
    entry.ended_at = now
    entry.save(update_fields=["status", "ended_at", "updated_at"])
    expire_stale_holds(webinar=webinar, now=now)
    seats_offer(webinar=webinar, now=now)
    live_panels_push(webinar.pk, None)
    return entry


_ACTIVE = WaitlistEntry.ACTIVE_STATUSES


def _check_can_wait(webinar: Webinar, user: User, now: datetime) -> None:
    if webinar.status == Webinar.Status.CANCELLED:
        raise WebinarCancelled()
    if webinar.status not in Webinar.BOOKABLE_STATUSES:
        raise NotBookable()
    if webinar.coach.user_id == user.pk:
        raise OwnWebinar()
    check_not_suspended(webinar, user)
    if blocks.is_blocked_between(user, webinar.coach.user_id):
        raise NotBookable(blocks.BLOCKED_MESSAGE)
    starts_at = webinar_starts_at(webinar.pk)
    if starts_at is None:
        raise NotBookable("This webinar has no date yet.")
    if starts_at <= now:
        raise BookingClosed()


@transaction.atomic
def webinar_seats_offer(*, webinar_id: int, now: datetime | None = None) -> list[WaitlistEntry]:
    """Offer whatever seats are free to the waitlist (the coach raised the capacity, or a
    sweep): the same locked path every seat change takes."""
    now = now or timezone.now()
    webinar = locks.lock_webinar(webinar_id)
    expire_stale_holds(webinar=webinar, now=now)
    return seats_offer(webinar=webinar, now=now)


# --- offering freed seats --------------------------------------------------------------------


def seats_offer(
    *, webinar: Webinar, now: datetime, starts_at: datetime | None = None
) -> list[WaitlistEntry]:
    """Caller holds the webinar lock and has expired stale holds. Settle the offers whose hold
    ended (booked, ran out, declined), then give every free seat to the next person waiting.
    Returns the new offers. `starts_at`: the first slot's start when the caller has just read
    it from the locked row (a seat hold), else it is counted from the slots.

    One locked read of the line (offers and people waiting); with nobody waiting, as for most
    seat holds, nothing more is read."""
    line = locks.lock_waitlist(webinar_id=webinar.pk, status__in=_ACTIVE)
    _settle_offers([entry for entry in line if entry.status == WaitlistEntry.Status.OFFERED], now)
    waiting = [entry for entry in line if entry.status == WaitlistEntry.Status.WAITING]
    if not waiting or webinar.status not in Webinar.BOOKABLE_STATUSES:
        return []
    if starts_at is None:
        starts_at = webinar_starts_at(webinar.pk)
    if starts_at is None or starts_at <= now:
        return []
    free = webinar.max_attendees - live_seat_count(webinar_id=webinar.pk)
    if free <= 0:
        return []
    quote = pricing.quote(webinar, now=now)
    if quote.amount is None or (not quote.is_free and not coach_can_take_payments(webinar.coach)):
        return []  # nobody could pay for the seat now; the line keeps its order
    offers: list[WaitlistEntry] = []
    for entry in waiting:
        if free <= 0:
            break
        if _drop_if_ineligible(entry, webinar, now):
            continue
        entry.registration = Registration.objects.create(
            webinar=webinar,
            user=entry.user,
            status=Registration.Status.HELD,
            hold_expires_at=min(now + timedelta(hours=settings.WAITLIST_OFFER_HOURS), starts_at),
            amount=quote.amount,
            currency=webinar.currency,
            price_reason=quote.reason,
        )
        entry.status = WaitlistEntry.Status.OFFERED
        entry.offered_at = now
        entry.offer_expires_at = entry.registration.hold_expires_at
        entry.save(update_fields=["status", "registration", "offered_at", "offer_expires_at"])
        _notify_offer(entry, entry.registration)
        live_panels_push(None, entry.registration.pk)
        offers.append(entry)
        free -= 1
    if offers:
        live_panels_push(webinar.pk, None)
    return offers


def _drop_if_ineligible(entry: WaitlistEntry, webinar: Webinar, now: datetime) -> bool:
    """Someone who booked meanwhile, or is now on the other side of a block with the coach,
    leaves the line instead of being offered a seat."""
    if Registration.objects.filter(
        webinar_id=webinar.pk, user_id=entry.user_id, status__in=LIVE
    ).exists():
        entry.status = WaitlistEntry.Status.BOOKED
    elif blocks.is_blocked_between(entry.user, webinar.coach.user_id) or suspension.is_suspended(
        entry.user
    ):
        entry.status = WaitlistEntry.Status.ENDED
    else:
        return False
    entry.ended_at = now
    entry.save(update_fields=["status", "ended_at", "updated_at"])
    return True


_ENDED_BY: dict[str, str] = {
    Registration.Status.CONFIRMED: WaitlistEntry.Status.BOOKED,
    Registration.Status.EXPIRED: WaitlistEntry.Status.EXPIRED,
    Registration.Status.REFUNDED: WaitlistEntry.Status.EXPIRED,
    # "Cancel and release my seat" on the offer
    Registration.Status.CANCELLED: WaitlistEntry.Status.LEFT,
}


def _settle_offers(offered: list[WaitlistEntry], now: datetime) -> None:
    for entry in offered:
        registration = entry.registration
        if registration is None or registration.status not in _ENDED_BY:
            continue
        entry.status = _ENDED_BY[registration.status]
        entry.ended_at = now
        entry.save(update_fields=["status", "ended_at", "updated_at"])
        if registration.status == Registration.Status.EXPIRED and registration.payment_id:
            # The offer ran out while a payment was open: cancel it, so a late payment cannot
            # charge for a seat that now goes to the next person.
            cancel_payment_after_commit(registration.payment_id, "waitlist offer expired")


def waitlist_mark_booked(*, webinar: Webinar, user_id: int, now: datetime) -> None:
    """A seat was confirmed for `user_id` (caller holds the webinar lock): their place in
    line, or the offer they paid for, is done."""
    WaitlistEntry.objects.filter(webinar_id=webinar.pk, user_id=user_id, status__in=_ACTIVE).update(
        status=WaitlistEntry.Status.BOOKED, ended_at=now, updated_at=now
    )


def waitlist_end(*, webinar: Webinar, now: datetime) -> int:
    """The webinar was cancelled (caller holds the lock): nobody waits for it any more."""
    return WaitlistEntry.objects.filter(webinar_id=webinar.pk, status__in=_ACTIVE).update(
        status=WaitlistEntry.Status.ENDED, ended_at=now, updated_at=now
    )


def _notify_offer(entry: WaitlistEntry, registration: Registration) -> None:
    """`registration`: the hold just offered (entry.registration)."""
    from notifications.services import notify
    from notifications.types import NotificationType

    notify(
        recipient=entry.user,
        type=NotificationType.WEBINAR_WAITLIST_OFFER,
        target=registration,
        context={
            "offer_expires_at": entry.offer_expires_at,
            "amount": registration.amount,
            "currency": registration.currency,
        },
    )
