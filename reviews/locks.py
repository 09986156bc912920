"""Row locks for review writes. A review write takes one lock: the reviewed booking or
registration (create), or the review itself (edit, reply, hide). It never holds a coach,
webinar or payment lock, so it cannot deadlock with the booking and payment paths (which lock
coach → booking → payment, webinar → registration). On SQLite every write transaction is
already exclusive (BEGIN IMMEDIATE). Callers are inside transaction.atomic()."""

from __future__ import annotations

from bookings.models import Booking
from core.locking import busy_after_timeout, require_transaction
from reviews.errors import AlreadyDone
from reviews.models import Review
from webinars.models import Registration

LOCKS_ENABLED = True  # only a concurrency control test would switch it off

BUSY = "Someone is changing this right now. Please try again."


def _locked(queryset, helper: str):
    require_transaction(helper)
    return queryset.select_for_update(of=("self",)) if LOCKS_ENABLED else queryset


def lock_booking(booking_id: int) -> Booking | None:
    with busy_after_timeout(AlreadyDone, BUSY):
        qs = Booking.objects.select_related("payment", "coach__user")
        return _locked(qs, "lock_booking").filter(pk=booking_id).first()


def lock_registration(registration_id: int) -> Registration | None:
    with busy_after_timeout(AlreadyDone, BUSY):
        qs = Registration.objects.select_related("payment", "webinar__coach__user")
        return _locked(qs, "lock_registration").filter(pk=registration_id).first()


def lock_review(review_id: int) -> Review | None:
    with busy_after_timeout(AlreadyDone, BUSY):
        qs = Review.objects.select_related("coach__user", "author")
        return _locked(qs, "lock_review").filter(pk=review_id).first()
