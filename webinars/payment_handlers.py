"""What a webinar payment's outcome does to the seat (registered in WebinarsConfig.ready()).

Called by payments/finalize.py inside the webhook's transaction with the Payment row locked;
here we lock the webinar and then the registration (lock order: payment, webinar,
registration). No Stripe calls: money that must go back is `payment_refund_later`.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.utils import timezone

from payments.models import Payment
from payments.services import payment_refund_later
from webinars import locks
from webinars.models import Registration, Webinar
from webinars.services import (
    after_confirm,
    expire_stale_holds,
    live_seat_count,
    minimum_attendees_sync,
)
from webinars.services.seats import live_panels_push

logger = logging.getLogger(__name__)


def _registration_of(payment: Payment, intent: dict | None) -> Registration | None:
    metadata = (intent or {}).get("metadata") or {}
    registration_id = metadata.get("registration_id")
    if not registration_id:
        registration_id = (
            Registration.objects.filter(payment=payment).values_list("pk", flat=True).first()
        )
    if not registration_id:
        return None
    registration = Registration.objects.filter(pk=registration_id).first()
    if registration is None:
        return None
    webinar = locks.lock_webinar(registration.webinar_id)
    registration = locks.lock_registration(registration.pk)
    registration.webinar = webinar
    return registration


def on_succeeded(payment: Payment, intent: dict) -> None:
    registration = _registration_of(payment, intent)
    if registration is None:
        logger.error("STAFF ATTENTION: paid intent %s has no registration", intent.get("id"))
        payment_refund_later(payment=payment, reason="Registration not found", notify=True)
        return
    webinar = registration.webinar
    if registration.payment_id is None:
        registration.payment = payment
        registration.save(update_fields=["payment", "updated_at"])
    elif registration.payment_id != payment.pk:
        # A second intent paid for a seat another payment already settles: give it back.
        payment_refund_later(payment=payment, reason="Duplicate payment", notify=True)
        return
    if registration.status == Registration.Status.CONFIRMED:
        return
    now = timezone.now()
    if _seat_still_ours(registration, now) or _seat_free_for_late_payment(registration, now):
        registration.status = Registration.Status.CONFIRMED
        registration.confirmed_at = now
        registration.hold_expires_at = None
        registration.ended_at = None
        registration.save()
        after_confirm(webinar=webinar, registration=registration)
        return
    _refund_late_payment(payment, registration, now)


def _seat_still_ours(registration: Registration, now) -> bool:
    return (
        registration.status == Registration.Status.HELD
        and registration.hold_expires_at is not None
        and registration.hold_expires_at > now
        and registration.webinar.status in Webinar.BOOKABLE_STATUSES
    )


def _seat_free_for_late_payment(registration: Registration, now) -> bool:
    """The hold expired (or was released) before the money arrived: take a seat only if one
    is free now and the user has no other live registration for this webinar."""
    webinar = registration.webinar
    if webinar.status not in Webinar.BOOKABLE_STATUSES:
        return False
    if registration.status not in (
        Registration.Status.HELD,
        Registration.Status.EXPIRED,
        Registration.Status.CANCELLED,
    ):
        return False
    expire_stale_holds(webinar=webinar, now=now, keep_id=registration.pk)
    if (
        Registration.objects.filter(
            webinar_id=webinar.pk,
            user_id=registration.user_id,
            status__in=Registration.LIVE_STATUSES,
        )
        .exclude(pk=registration.pk)
        .exists()
    ):
        return False
    return (
        live_seat_count(webinar_id=webinar.pk, exclude_id=registration.pk) < webinar.max_attendees
    )


def _refund_late_payment(payment: Payment, registration: Registration, now) -> None:
    """The money arrived but there is no seat for it any more: the webinar was cancelled
    meanwhile, or the last seat went to someone else. Refund it and say which."""
    from notifications.services import notify
    from notifications.types import NotificationType

    webinar = registration.webinar
    registration.status = Registration.Status.REFUNDED
    registration.ended_at = now
    registration.hold_expires_at = None
    registration.save()
    if webinar.status == Webinar.Status.CANCELLED:
        payment_refund_later(payment=payment, reason="Webinar cancelled")
        notify(
            recipient=registration.user,
            type=NotificationType.WEBINAR_CANCELLED,
            target=registration,
            context={
                "refund_amount": payment.amount_total,
                "reason": webinar.cancellation_reason,
                "late_payment": True,
            },
        )
    else:
        payment_refund_later(payment=payment, reason="Webinar full when the payment arrived")
        notify(
            recipient=registration.user,
            type=NotificationType.WEBINAR_BOOKING_FAILED_FULL,
            target=registration,
            context={"refund_amount": payment.amount_total},
        )
    live_panels_push(registration.webinar_id, registration.pk)


def on_failed(payment: Payment, intent: dict) -> None:
    """Declined: no seat is given; the hold stays until it expires so the user can retry."""
    from notifications.services import notify
    from notifications.types import NotificationType

    registration = _registration_of(payment, intent)
    if registration is None:
        return
    notify(
        recipient=registration.user,
        type=NotificationType.PAYMENT_FAILED,
        target=registration,
        context={"reason": payment.error_message},
    )
    live_panels_push(None, registration.pk)  # no seat changed: only the user's panel


def on_refunded(payment: Payment, amount: Decimal) -> None:
    """Fully refunded (e.g. by staff): the seat goes back to the pool."""
    if payment.status != Payment.Status.REFUNDED:
        return
    registration = _registration_of(payment, None)
    if registration is None or registration.status != Registration.Status.CONFIRMED:
        return
    registration.status = Registration.Status.REFUNDED
    registration.ended_at = timezone.now()
    registration.save(update_fields=["status", "ended_at", "updated_at"])
    minimum_attendees_sync(webinar=registration.webinar)  # may fall below the minimum again
    live_panels_push(registration.webinar_id, registration.pk)
    from webinars.services.waitlist import seats_offer

    now = timezone.now()
    expire_stale_holds(webinar=registration.webinar, now=now)
    seats_offer(webinar=registration.webinar, now=now)  # the freed seat goes to the waitlist
