"""Row locks for booking writes, always taken in this order: coach, then client, then booking.

Every write that can change what time a coach has free (create, accept, decline, suggest,
pick, cancel, reschedule, expire) locks the coach row first, so two of them for the same coach
run one after the other. On PostgreSQL this is SELECT ... FOR UPDATE; on SQLite the settings
open every transaction with BEGIN IMMEDIATE, which serializes writers the same way. Callers
must be inside transaction.atomic() and must not call Stripe while holding these locks.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from accounts.models import Coach
from bookings.errors import Busy, NotFound
from bookings.models import Booking
from core.locking import busy_after_timeout, require_transaction

# Only the concurrency tests' control switches this off, to show the race the lock prevents.
LOCKS_ENABLED = True


def _locking(queryset, helper: str):
    """Inside transaction.atomic() only, waiting LOCK_TIMEOUT_SECONDS at most (core.locking)."""
    require_transaction(helper)
    # of=("self",): lock the row itself, not the rows select_related joins in (the user).
    return queryset.select_for_update(of=("self",)) if LOCKS_ENABLED else queryset


def lock_coach(coach_id: int) -> Coach:
    try:
        with busy_after_timeout(Busy):
            return _locking(Coach.objects.select_related("user"), "lock_coach").get(pk=coach_id)
    except Coach.DoesNotExist:
        raise NotFound("This coach does not exist.") from None


def lock_client(user_id: int):
    """Second in the order: serializes one client's bookings across coaches (unpaid limit)."""
    with busy_after_timeout(Busy):
        return _locking(get_user_model().objects, "lock_client").get(pk=user_id)


def lock_booking(booking_id: int) -> Booking:
    """Caller already holds the booking's coach lock (see lock_booking_with_coach)."""
    try:
        with busy_after_timeout(Busy):
            return _locking(Booking.objects, "lock_booking").get(pk=booking_id)
    except Booking.DoesNotExist:
        raise NotFound("This booking does not exist.") from None


def lock_booking_with_coach(booking_id: int) -> Booking:
    """Coach first, then the booking: read the coach id unlocked (it never changes)."""
    require_transaction("lock_booking_with_coach")
    coach_id = Booking.objects.filter(pk=booking_id).values_list("coach_id", flat=True).first()
    if coach_id is None:
        raise NotFound("This booking does not exist.")
    coach = lock_coach(coach_id)
    booking = lock_booking(booking_id)
    booking.coach = coach
    return booking
