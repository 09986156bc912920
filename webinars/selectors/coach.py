"""The coach's side: cancellation preview, busy time, the editor's webinar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from webinars.models import Registration, Webinar, WebinarSlot
from webinars.selectors.counts import REFUNDABLE_PAYMENT_STATUSES, Status, with_counts


@dataclass
class CancellationPreview:
    """What cancelling `webinar` would do now (the confirmation step shows it)."""

    webinar: Webinar
    refund_count: int
    refund_total: Decimal
    free_attendees: int
    held_seats: int


def cancellation_preview(*, webinar: Webinar, now: datetime | None = None) -> CancellationPreview:
    """Counts and refund total over the live registrations (one query)."""
    now = now or timezone.now()
    refund_count, refund_total, free, held = 0, Decimal("0"), 0, 0
    registrations = Registration.objects.filter(
        webinar_id=webinar.pk, status__in=Registration.LIVE_STATUSES
    ).select_related("payment")
    for registration in registrations:
        payment = registration.payment
        if registration.status == Status.HELD:
            held += 1 if registration.hold_expires_at and registration.hold_expires_at > now else 0
        elif payment is not None and payment.status in REFUNDABLE_PAYMENT_STATUSES:
            refund_count += 1
            refund_total += payment.refundable_amount
        else:
            free += 1
    return CancellationPreview(webinar, refund_count, refund_total, free, held)


BUSY_SOURCE = "webinars"


def webinar_busy_time(*, coach_id: int, window_start: datetime, window_end: datetime):
    """The coach's webinar slots in a window (cancelled webinars free their time), for
    core.busy_time: 1:1 booking treats them as busy."""
    from core.busy_time import BusyBlock

    slots = (
        WebinarSlot.objects.filter(
            webinar__coach_id=coach_id, start__lt=window_end, end__gt=window_start
        )
        .exclude(webinar__status=Webinar.Status.CANCELLED)
        .only("start", "end")
    )
    return [BusyBlock(slot.start, slot.end, "webinar") for slot in slots]


def webinar_for_editor(*, webinar_id: int, user, now: datetime) -> Webinar | None:
    """The coach's own webinar with counts, its slots and materials; None for anyone else's
    (the editor answers 404, not 403: another coach's webinar is not there for you)."""
    coach = getattr(user, "coach_profile", None) if user.is_authenticated else None
    if coach is None:
        return None
    return (
        with_counts(Webinar.objects.filter(coach=coach).select_related("coach__user"), now=now)
        .prefetch_related("slots", "materials")
        .filter(pk=webinar_id)
        .first()
    )
