"""What a notification is about, read from the model instance a producer passes as `target`.

Producers pass their own objects (webinars.Registration, webinars.Webinar, payments.Payment,
bookings.Booking, ...); this module turns any of them into the few facts a notification
needs: a title, a link, start/end times, a join link, an amount, a stable calendar UID.
Each known model has a describer that reads its real fields; any other model is described by
its `__str__` and `get_absolute_url()` only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.conf import settings


@dataclass
class TargetInfo:
    kind: str = ""
    object_id: int | None = None
    title: str = ""
    link: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    join_url: str = ""
    location: str = ""
    coach_name: str = ""
    other_party_name: str = ""
    amount: Decimal | None = None
    amount_refunded: Decimal | None = None
    # What the payer actually paid (the payment completed); None when nothing was paid yet.
    amount_paid: Decimal | None = None
    currency: str = ""
    calendar_uid: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def has_time(self) -> bool:
        return self.starts_at is not None


def _url(obj) -> str:
    get_url = getattr(obj, "get_absolute_url", None)
    if get_url is None:
        return ""
    try:
        return get_url()
    except Exception:  # a URL that cannot be reversed must not stop a notification
        return ""


def _person(user) -> str:
    if user is None:
        return ""
    return getattr(user, "display_name", None) or str(user)


PAID_STATUSES = frozenset({"completed", "partially_refunded", "refunded"})


def _paid_amount(payment) -> Decimal | None:
    if payment is None or getattr(payment, "status", "") not in PAID_STATUSES:
        return None
    return payment.amount_total or None


def calendar_uid(kind: str, object_id) -> str:
    """Stable across updates and cancellation, so calendars replace the same event."""
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
    return f"{kind}-{object_id}@{host}"


def describe(target) -> TargetInfo:
    if target is None:
        return TargetInfo()
    label = target._meta.label_lower
    describer = _DESCRIBERS.get(label, _describe_generic)
    return describer(target)


def _describe_generic(target) -> TargetInfo:
    """A model without a describer of its own: its name and page, no times."""
    return TargetInfo(
        kind=target._meta.model_name,
        object_id=target.pk,
        title=str(target),
        link=_url(target),
        calendar_uid=calendar_uid(target._meta.model_name, target.pk),
    )


def _webinar_times(webinar):
    """First slot's start and last slot's end (uses a prefetched `slots` if there is one)."""
    slots = list(webinar.slots.all())
    if not slots:
        return None, None
    return min(s.start for s in slots), max(s.end for s in slots)


def _describe_webinar(webinar) -> TargetInfo:
    starts_at, ends_at = _webinar_times(webinar)
    return TargetInfo(
        kind="webinar",
        object_id=webinar.pk,
        title=webinar.title,
        link=_url(webinar),
        starts_at=starts_at,
        ends_at=ends_at,
        join_url=webinar.join_url,  # the access-checked way in, not the raw room link
        location="Online",
        coach_name=_person(webinar.coach.user),
        currency=webinar.currency,
        calendar_uid=calendar_uid("webinar", webinar.pk),
    )


def _describe_registration(registration) -> TargetInfo:
    info = _describe_webinar(registration.webinar)
    info.kind = "registration"
    info.object_id = registration.pk
    info.other_party_name = _person(registration.user)
    info.extra["webinar_id"] = registration.webinar_id
    info.extra["user_id"] = registration.user_id
    payment = registration.payment
    if payment is not None:
        info.amount, info.currency = payment.amount_total, payment.currency
        info.amount_refunded = payment.amount_refunded
        info.amount_paid = _paid_amount(payment)
    else:
        info.amount, info.currency = registration.amount, registration.currency
    return info


def _describe_payment(payment) -> TargetInfo:
    """A payment is described by what it paid for (webinar seat or 1:1 session)."""
    paid_for = None
    for related in ("webinar_registrations", "session_bookings"):
        manager = getattr(payment, related, None)
        if manager is not None:
            paid_for = manager.order_by("pk").first()
        if paid_for is not None:
            break
    info = describe(paid_for) if paid_for is not None else TargetInfo()
    info.kind = "payment"
    info.object_id = payment.pk
    info.title = info.title or payment.get_purpose_display()
    info.amount, info.currency = payment.amount_total, payment.currency
    info.amount_refunded = payment.amount_refunded
    info.amount_paid = _paid_amount(payment)
    info.link = info.link or "/bookings/mine/"
    info.coach_name = info.coach_name or _person(getattr(payment.coach, "user", None))
    info.other_party_name = info.other_party_name or _person(payment.payer)
    return info


def _describe_booking(booking) -> TargetInfo:
    coach_name = _person(booking.coach.user)
    return TargetInfo(
        kind="booking",
        object_id=booking.pk,
        title=booking.title or f"Session with {coach_name}",
        link=booking.get_absolute_url(),
        starts_at=booking.start,
        ends_at=booking.end,
        # Only the client and the coach are ever told about a booking; the catalog puts the
        # link in the notices that follow a confirmation (and the calendar invite).
        join_url=booking.join_url,
        location="Online",
        coach_name=coach_name,
        other_party_name=_person(booking.client) or getattr(booking, "guest_name", ""),
        amount=booking.amount_total,
        amount_refunded=booking.refund_amount,
        amount_paid=_paid_amount(booking.payment),
        currency=booking.currency,
        calendar_uid=calendar_uid("booking", booking.pk),
        extra={"client_id": booking.client_id},
    )


_DESCRIBERS = {
    "webinars.webinar": _describe_webinar,
    "webinars.registration": _describe_registration,
    "payments.payment": _describe_payment,
    "bookings.booking": _describe_booking,
}
