"""What a suspension (accounts.suspension) does to 1:1 bookings, run by the Celery task
`bookings.tasks.end_for_suspended_user` after the suspension committed.

As a client: unpaid holds (payment_pending) are released and their intents cancelled;
pending requests (requested, time suggested) are withdrawn (the authorization is cancelled,
never captured; the coach is told).
As a coach: holds on their calendar are released the same way, pending requests declined, and
confirmed sessions that have not started are cancelled through `booking_cancel` as the coach:
the coach-cancellation policy refunds the client in full and both sides are told.

Each booking goes through its own service call (own locks and transaction, Stripe after
commit), so one that changed meanwhile (InvalidTransition) does not stop the rest.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from accounts.models import AccountSanction, User
from bookings.errors import BookingError
from bookings.models import Booking
from bookings.services.booking_create import booking_release_unpaid
from bookings.services.transitions import (
    booking_cancel,
    booking_decline,
    booking_withdraw,
)
from bookings.services.transitions.common import void_payment

logger = logging.getLogger(__name__)
PENDING_REQUEST = (Booking.Status.REQUESTED, Booking.Status.TIME_SUGGESTED)


@dataclass
class SuspensionOutcome:
    holds_released: int = 0
    requests_withdrawn: int = 0
    requests_declined: int = 0
    sessions_cancelled: int = 0


def _release_hold(booking_id: int, why: str) -> bool:
    booking = booking_release_unpaid(booking_id=booking_id, reason=why)
    if booking is None:
        return False
    void_payment(booking, why)
    return True


def _ids(**filters: Any) -> list[int]:
    return list(Booking.objects.filter(**filters).order_by("start").values_list("pk", flat=True))


def bookings_end_for_suspension(*, user_id: int, reason: str = "") -> SuspensionOutcome:
    """Release and cancel what a suspended user holds and sells. Idempotent. Call it with no
    transaction open (the services call Stripe after their own commits)."""
    outcome = SuspensionOutcome()
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return outcome
    why = "account suspended" + (f": {reason}" if reason else "")
    for booking_id in _ids(client_id=user_id, status=Booking.Status.PAYMENT_PENDING):
        outcome.holds_released += _release_hold(booking_id, why)
    client_message = "The client's account is suspended."
    for booking_id in _ids(client_id=user_id, status__in=PENDING_REQUEST):
        try:
            booking_withdraw(user=user, booking_id=booking_id, message=client_message)
            outcome.requests_withdrawn += 1
        except BookingError as exc:
            logger.info("withdrawing booking %s of suspended client: %s", booking_id, exc)

    for booking_id in _ids(coach__user_id=user_id, status=Booking.Status.PAYMENT_PENDING):
        outcome.holds_released += _release_hold(booking_id, why)
    coach_message = "The coach's account is suspended; you have not been charged."
    for booking_id in _ids(coach__user_id=user_id, status__in=PENDING_REQUEST):
        try:
            booking_decline(user=user, booking_id=booking_id, message=coach_message)
            outcome.requests_declined += 1
        except BookingError as exc:
            logger.info("declining booking %s of suspended coach: %s", booking_id, exc)
    future = _ids(coach__user_id=user_id, status=Booking.Status.CONFIRMED, start__gt=timezone.now())
    for booking_id in future:
        try:
            booking_cancel(
                user=user,
                booking_id=booking_id,
                reason="The coach's account is suspended. You get a full refund.",
            )
            outcome.sessions_cancelled += 1
        except BookingError as exc:
            logger.info("cancelling booking %s of suspended coach: %s", booking_id, exc)
    return outcome


def on_user_suspended(
    sender: object, *, user: User, sanction: AccountSanction, **kwargs: Any
) -> None:
    """Receiver of accounts.suspension.user_suspended (connected in BookingsConfig.ready):
    the work runs in a Celery task after the suspension commits."""
    from bookings.tasks import end_for_suspended_user
    from core.oncommit import enqueue_on_commit

    enqueue_on_commit(
        end_for_suspended_user,
        user.pk,
        sanction.reason,
        retry_note="re-run it from the admin (suspend again) to release and cancel",
    )
