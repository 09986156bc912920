"""A client's own unpaid attempt must not block their next try.

A client who leaves the payment step (closed the modal, the page re-rendered, a lost
connection) leaves a `payment_pending` booking holding the time until its hold expires. When
the same client books again a time that collides with it, that attempt is superseded: its time
comes back before the new booking is checked, and its intent is cancelled at Stripe after
commit. Holds of other clients keep protecting their time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from typing import TYPE_CHECKING

from bookings.models import Booking

if TYPE_CHECKING:
    from bookings.models import SessionType


if TYPE_CHECKING:
    from accounts.models import Coach, User


logger = logging.getLogger(__name__)


def _collides(
    booking: Booking,
    start: dt.datetime,
    end: dt.datetime,
    *,
    before: dt.timedelta,
    after: dt.timedelta,
) -> bool:
    own_start = booking.start - dt.timedelta(minutes=booking.buffer_before_minutes)
    own_end = booking.end + dt.timedelta(minutes=booking.buffer_after_minutes)
    return own_start < end + after and own_end > start - before


def release_own_unpaid_attempts(
    *, client: User, coach: Coach, session_type: SessionType, start: dt.datetime, end: dt.datetime
) -> list[int]:
    """Caller holds the coach and client locks (booking_create). Releases the client's unpaid
    bookings with this coach that collide with [start, end) and returns their ids."""
    from bookings.services.booking_create import booking_release_unpaid
    from core.oncommit import enqueue_on_commit
    from notifications import live
    from payments.tasks import cancel_payment

    before = dt.timedelta(minutes=session_type.buffer_before_minutes)
    after = dt.timedelta(minutes=session_type.buffer_after_minutes)
    pending = Booking.objects.filter(
        client=client, coach=coach, status=Booking.Status.PAYMENT_PENDING
    )
    released = []
    for booking in pending:
        if not _collides(booking, start, end, before=before, after=after):
            continue
        reason = "superseded by the client's new attempt"
        if booking_release_unpaid(booking_id=booking.pk, reason=reason) is None:
            continue
        if booking.payment_id:
            # Paid in the meantime after all: the payment handler refunds or re-reserves it.
            enqueue_on_commit(cancel_payment, booking.payment_id, reason)
        live.booking_changed(booking_id=booking.pk)
        released.append(booking.pk)
    return released


def booking_payment_abandon(*, booking_id: int) -> Booking | None:
    """The client stops at the payment step: the time comes back (under the locks), then, with
    no lock held, the intent is cancelled at Stripe. Paid in the meantime: Stripe refuses the
    cancel and the payment handler gives the money back. Returns the released booking, or None
    when it no longer waited for its payment."""
    from bookings.services.booking_create import booking_release_unpaid
    from payments.errors import PaymentError
    from payments.services import payment_cancel

    released = booking_release_unpaid(
        booking_id=booking_id, reason="client cancelled the payment", status=Booking.Status.EXPIRED
    )
    if released is not None and released.payment_id:
        with contextlib.suppress(PaymentError):
            payment_cancel(
                payment_id=released.payment_id, reason="client cancelled the payment step"
            )
    return released
