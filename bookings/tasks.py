"""Beat tasks of the bookings app: thin adapters around the services."""

from celery import shared_task

from bookings.models import Booking
from bookings.services import transitions


@shared_task
def expire_bookings() -> int:
    """Unpaid holds and unanswered requests past their deadline (never charged)."""
    return transitions.bookings_expire()


@shared_task
def complete_sessions() -> int:
    return transitions.bookings_complete_past()


@shared_task
def settle_owed_refunds() -> int:
    """Refunds that could not reach Stripe at cancellation time, or waited for the capture."""
    settled = 0
    owed = Booking.objects.filter(refund_amount__gt=0, payment__isnull=False).values_list(
        "pk", "refund_amount", "payment__amount_refunded"
    )
    for booking_id, refund_amount, refunded in owed:
        if refund_amount > refunded and transitions.settle_refund(booking_id) > 0:
            settled += 1
    return settled


@shared_task
def settle_booking_refund(booking_id: int) -> str:
    """One booking's owed refund (queued after a capture that finished after a cancel)."""
    return str(transitions.settle_refund(booking_id))


@shared_task
def end_for_suspended_user(user_id: int, reason: str = "") -> dict:
    """A user was suspended (accounts.suspension): release their holds and requests; as a
    coach, decline their requests and cancel their future sessions with full refunds."""
    from bookings.services.suspension import bookings_end_for_suspension

    return vars(bookings_end_for_suspension(user_id=user_id, reason=reason))
