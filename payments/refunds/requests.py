"""Refund requests (docs/refunds.md): the client asks, the coach answers first (approve all,
approve part, decline), staff decide when the coach declines or stays silent; staff's
decision is final. Every step is an audit row and notifies both parties. Money moves only
through the refund service (payments.refunds.service)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.oncommit import run_on_commit
from payments.disputes.selectors import refund_blocked_by_dispute
from payments.errors import PaymentError, PaymentNotFound
from payments.locks import lock_payment
from payments.models import Payment
from payments.money import quantize
from payments.refunds.models import (
    Refund,
    RefundPolicy,
    RefundRequest,
    RefundRequestEvent,
    RefundRequestMessage,
)
from payments.refunds.service import available_amount, refund_attempt, refund_reserve
from payments.refunds.sources import service_of, sources

if TYPE_CHECKING:
    from datetime import datetime

    from accounts.models import User
    from payments.refunds.sources import Service


logger = logging.getLogger(__name__)


class RequestInvalid(PaymentError):
    status_code = 400


class RequestConflict(PaymentError):
    status_code = 409


class RequestForbidden(PaymentError):
    status_code = 403


class RequestNotFound(PaymentNotFound):
    pass


MAX_TEXT = 5000


# --- reads ------------------------------------------------------------------------------------


def request_role(request: RefundRequest, user: User) -> str:
    """client, coach or staff; "" when the user may not see the request."""
    if not getattr(user, "is_authenticated", False):
        return ""
    if request.client_id == user.pk:
        return "client"
    if request.coach.user_id == user.pk:
        return "coach"
    if getattr(user, "sees_everything", False):
        return "staff"
    return ""


def request_for(
    *, user: User, request_id: int, coach_action: bool = False
) -> tuple[RefundRequest, str]:
    """The request and the user's role in it, or RequestNotFound (404: not yours). With
    `coach_action` (approve, decline) another coach gets RequestForbidden (403, the issue's
    contract) instead."""
    try:
        pk = int(request_id)
    except (TypeError, ValueError):
        raise RequestNotFound("No such refund request.", code="not_found") from None
    request = (
        RefundRequest.objects.select_related("payment", "coach__user", "client", "refund")
        .filter(pk=pk)
        .first()
    )
    if request is None:
        raise RequestNotFound("No such refund request.", code="not_found")
    role = request_role(request, user)
    if not role and coach_action and hasattr(user, "coach_profile"):
        raise RequestForbidden("This request is for another coach.", code="forbidden")
    if not role:
        raise RequestNotFound("No such refund request.", code="not_found")
    return request, role


def request_as_dict(request: RefundRequest) -> dict[str, Any]:
    return {
        "id": request.pk,
        "status": request.status,
        "amount": str(request.amount),
        "currency": request.currency,
        "reason": request.reason,
        "purchase": request.purchase_label,
        "coach_due_at": request.coach_due_at.isoformat(),
        "decided_amount": None if request.decided_amount is None else str(request.decided_amount),
        "policy": request.decided_policy,
        "refund_status": request.refund.status if request.refund is not None else "",
        "decline_reason": request.decline_reason,
        "messages": [
            {"role": m.role, "body": m.body, "at": m.created_at.isoformat()}
            for m in request.messages.all()
        ],
    }


def payment_for_request(*, user: User, data: Mapping[str, Any]) -> Payment:
    """The user's payment named by `payment_intent_id`, `registration_id` or `booking_id`."""
    intent = str(data.get("payment_intent_id") or "").strip()
    if intent:
        payment = Payment.objects.filter(stripe_payment_intent_id=intent, payer=user).first()
        if payment is None:
            raise RequestNotFound("No such payment of yours.", code="not_found")
        return payment
    for source in sources():
        value = data.get(source.lookup_field)
        if value in (None, ""):
            continue
        try:
            object_id = int(str(value))
        except ValueError:
            raise RequestNotFound("No such payment of yours.", code="not_found") from None
        payment = source.lookup(user, object_id)
        if payment is None or payment.payer_id != user.pk:
            raise RequestNotFound("No such payment of yours.", code="not_found")
        return payment
    raise RequestInvalid(
        "Say which purchase: payment_intent_id, registration_id or booking_id.",
        code="missing_purchase",
    )


def parse_amount(value: object, currency: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise RequestInvalid("Enter an amount such as 20.00.", code="invalid_amount") from None
    if not amount.is_finite() or amount <= 0 or amount != quantize(amount, currency):
        raise RequestInvalid("Enter a positive amount such as 20.00.", code="invalid_amount")
    return amount


def eligibility(payment: Payment, *, now: datetime | None = None) -> str:
    """Why a refund request cannot be opened on `payment` now ("" when it can), for pages."""
    try:
        _check_openable(payment, now=now or timezone.now())
    except PaymentError as exc:
        return exc.message
    return ""


def _check_openable(payment: Payment, *, now: datetime) -> Service:
    blocked = refund_blocked_by_dispute(payment)
    if blocked or payment.status == Payment.Status.DISPUTED:
        raise RequestConflict(blocked or "This payment is disputed.", code="disputed")
    if payment.status not in (Payment.Status.COMPLETED, Payment.Status.PARTIALLY_REFUNDED):
        raise RequestInvalid("Nothing was paid that could be refunded.", code="not_refundable")
    service = service_of(payment)
    if service is None:
        raise RequestInvalid("This purchase cannot be refunded by request.", code="no_service")
    if service.start > now:
        raise RequestInvalid(
            "The service has not started yet: cancel it instead; the cancellation policy "
            "decides the refund.",
            code="not_started",
        )
    if now > service.end + timedelta(days=settings.REFUND_REQUEST_DAYS):
        raise RequestInvalid(
            f"Refund requests close {settings.REFUND_REQUEST_DAYS} days after the service.",
            code="window_closed",
        )
    if RefundRequest.objects.filter(payment=payment, status__in=RefundRequest.ACTIVE).exists():
        raise RequestConflict("A refund request is already open for this.", code="already_open")
    return service


# --- writes -----------------------------------------------------------------------------------


def _event(request: RefundRequest, actor: User | None, action: str, detail: str = "") -> None:
    RefundRequestEvent.objects.create(
        request=request, actor=actor, action=action, detail=detail[:500]
    )


def _notify_both(request: RefundRequest, type_: str, **context: Any) -> None:
    from notifications.services import notify

    for recipient, role in ((request.client, "client"), (request.coach.user, "coach")):
        notify(
            recipient=recipient,
            type=type_,
            target=request,
            context={
                "role": role,
                "amount": request.decided_amount or request.amount,
                "currency": request.currency,
                "purchase": request.purchase_label,
                "status": request.get_status_display(),
                "due_at": request.coach_due_at,
                **context,
            },
        )


def _clean_text(value: object, *, required: bool, what: str) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise RequestInvalid(f"Please write {what}.", code="missing_text")
    if len(text) > MAX_TEXT:
        raise RequestInvalid(f"Keep {what} under {MAX_TEXT} characters.", code="too_long")
    return text


def refund_request_open(
    *,
    user: User,
    payment: Payment,
    amount: Decimal,
    reason: str,
    message: str,
    now: datetime | None = None,
) -> RefundRequest:
    """The client asks for `amount` back. 400 invalid amount/reason/window, 404 not theirs,
    409 already open or disputed; nothing changes on a refusal."""
    from notifications.types import NotificationType

    now = now or timezone.now()
    if payment.payer_id != user.pk:
        raise RequestNotFound("No such payment of yours.", code="not_found")
    if reason not in RefundRequest.Reason.values:
        raise RequestInvalid("Choose a reason from the list.", code="invalid_reason")
    amount = parse_amount(amount, payment.currency)
    message = _clean_text(message, required=False, what="a message")
    try:
        with transaction.atomic():
            payment = lock_payment(payment.pk)
            service = _check_openable(payment, now=now)
            available = available_amount(payment)
            if amount > available:
                raise RequestInvalid(
                    f"At most {payment.currency} {available} can be refunded.",
                    code="above_refundable",
                )
            request = RefundRequest.objects.create(
                payment=payment,
                client=user,
                coach=payment.coach,
                purchase_label=service.label[:255],
                service_end=service.end,
                amount=amount,
                currency=payment.currency,
                reason=reason,
                coach_due_at=now + timedelta(hours=settings.REFUND_COACH_RESPONSE_HOURS),
            )
            if message:
                RefundRequestMessage.objects.create(
                    request=request, author=user, role="client", body=message
                )
            _event(request, user, "opened", f"{payment.currency} {amount}, {reason}")
            _notify_both(request, NotificationType.REFUND_REQUEST_OPENED)
    except IntegrityError:  # a second request at the same instant (the partial unique index)
        raise RequestConflict(
            "A refund request is already open for this.", code="already_open"
        ) from None
    return request


def refund_request_approve(
    *, user: User, request_id: int, amount: Decimal | None = None
) -> RefundRequest:
    """The coach approves all (amount None) or part of the asked amount (Standard policy: a
    coach's own decision, the coach bears their share)."""
    from notifications.types import NotificationType

    request, role = request_for(user=user, request_id=request_id, coach_action=True)
    if role != "coach":
        raise RequestForbidden("Only the coach of this purchase can approve.", code="forbidden")
    if request.status != RefundRequest.Status.OPEN:
        raise RequestConflict("This request is no longer open.", code="not_open")
    if amount not in (None, ""):
        amount = parse_amount(amount, request.currency)
        if amount > request.amount:
            raise RequestInvalid(
                f"At most the {request.currency} {request.amount} asked for.",
                code="above_requested",
            )
    else:
        amount = request.amount
    with transaction.atomic():
        lock_payment(request.payment_id)
        request = RefundRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != RefundRequest.Status.OPEN:
            raise RequestConflict("This request is no longer open.", code="not_open")
        refund = refund_reserve(
            payment_id=request.payment_id,
            amount=amount,
            policy=RefundPolicy.STANDARD,
            initiator="coach",
            actor=user,
            reason=f"Refund request {request.pk} approved by the coach",
        )
        request.status = (
            RefundRequest.Status.APPROVED
            if amount == request.amount
            else RefundRequest.Status.PARTIALLY_APPROVED
        )
        _record_decision(request, user, refund, RefundPolicy.STANDARD)
        _event(request, user, request.status, f"{request.currency} {refund.amount}")
        _notify_both(request, NotificationType.REFUND_REQUEST_APPROVED)
    run_on_commit(lambda: _attempt(refund.pk), log_as="Refund request refund")
    request.refresh_from_db()
    return request


def _record_decision(
    request: RefundRequest, user: User, refund: Refund | None, policy: str, note: str = ""
) -> None:
    request.decided_amount = refund.amount if refund else Decimal(0)
    request.decided_policy = policy
    request.decided_by = user
    request.decided_at = timezone.now()
    request.refund = refund
    if note:
        request.staff_note = note
    request.save()


def _attempt(refund_pk: int) -> None:
    try:
        refund_attempt(refund_id=refund_pk)
    except PaymentError as exc:
        logger.warning("refund %s of a request pending: %s", refund_pk, exc.message)


def refund_request_decline(*, user: User, request_id: int, reason: str) -> RefundRequest:
    from notifications.types import NotificationType

    request, role = request_for(user=user, request_id=request_id, coach_action=True)
    if role != "coach":
        raise RequestForbidden("Only the coach of this purchase can decline.", code="forbidden")
    reason = _clean_text(reason, required=True, what="why you decline")
    with transaction.atomic():
        request = RefundRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != RefundRequest.Status.OPEN:
            raise RequestConflict("This request is no longer open.", code="not_open")
        request.status = RefundRequest.Status.DECLINED
        request.decline_reason = reason
        request.decided_by = user
        request.decided_at = timezone.now()
        request.save()
        _event(request, user, "declined", reason)
        _notify_both(request, NotificationType.REFUND_REQUEST_DECLINED, decline_reason=reason)
    return request


def _escalate(request: RefundRequest, actor: User | None, why: str) -> None:
    from notifications.types import NotificationType

    request.status = RefundRequest.Status.ESCALATED
    request.escalated_at = timezone.now()
    request.save()
    _event(request, actor, "escalated", why)
    _notify_both(request, NotificationType.REFUND_REQUEST_ESCALATED, why=why)


def refund_request_escalate(*, user: User, request_id: int) -> RefundRequest:
    """The client takes a declined request to staff."""
    request, role = request_for(user=user, request_id=request_id)
    if role not in ("client", "staff"):
        raise RequestForbidden("Only the client can escalate.", code="forbidden")
    with transaction.atomic():
        request = RefundRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != RefundRequest.Status.DECLINED:
            raise RequestConflict(
                "Only a declined request can be escalated (an unanswered one is escalated "
                "automatically when the coach's time is up).",
                code="not_declined",
            )
        _escalate(request, user, "The client escalated after the coach declined.")
    return request


def refund_request_message(*, user: User, request_id: int, body: object) -> RefundRequestMessage:
    from notifications.types import NotificationType

    request, role = request_for(user=user, request_id=request_id)
    body = _clean_text(body, required=True, what="a message")
    with transaction.atomic():
        message = RefundRequestMessage.objects.create(
            request=request, author=user, role=role, body=body
        )
        _event(request, user, "message", f"by {role}")
        _notify_both(request, NotificationType.REFUND_REQUEST_MESSAGE, author_role=role)
    return message


def refund_request_resolve(
    *, staff: User, request_id: int, amount: Decimal, policy: str, note: str
) -> RefundRequest:
    """Staff's final decision on an escalated (or still open/declined) request: refund
    `amount` (0 = no refund) with a policy and a required note."""
    from notifications.types import NotificationType

    if not getattr(staff, "sees_everything", False):
        raise RequestForbidden("Only staff decide.", code="forbidden")
    request, _role = request_for(user=staff, request_id=request_id)
    if policy not in RefundPolicy.values:
        raise RequestInvalid("Choose a policy.", code="invalid_policy")
    note = _clean_text(note, required=True, what="a note")
    amount = Decimal(0) if amount in (None, "", "0", 0) else parse_amount(amount, request.currency)
    with transaction.atomic():
        lock_payment(request.payment_id)
        request = RefundRequest.objects.select_for_update().get(pk=request.pk)
        if request.status not in RefundRequest.ACTIVE:
            raise RequestConflict("This request was already decided.", code="final")
        refund = None
        if amount > 0:
            refund = refund_reserve(
                payment_id=request.payment_id,
                amount=amount,
                policy=policy,
                initiator="staff",
                actor=staff,
                reason=f"Refund request {request.pk}: {note}"[:255],
                note=note,
            )
        request.status = RefundRequest.Status.RESOLVED
        _record_decision(request, staff, refund, policy, note)
        _event(request, staff, "resolved", f"{request.currency} {amount} ({policy}): {note}")
        _notify_both(request, NotificationType.REFUND_REQUEST_RESOLVED, note=note)
    if refund is not None:
        run_on_commit(lambda: _attempt(refund.pk), log_as="Refund request refund")
    request.refresh_from_db()
    return request


def refund_requests_escalate_due(*, now: datetime | None = None) -> int:
    """Beat task: the coach's time is up. Open (unanswered) and declined requests go to the
    staff queue. Returns how many were escalated."""
    now = now or timezone.now()
    due = RefundRequest.objects.filter(
        status__in=(RefundRequest.Status.OPEN, RefundRequest.Status.DECLINED), coach_due_at__lte=now
    ).values_list("pk", flat=True)
    count = 0
    for pk in list(due):
        with transaction.atomic():
            request = (
                RefundRequest.objects.select_for_update()
                .select_related("client", "coach__user")
                .get(pk=pk)
            )
            if (
                request.status not in (RefundRequest.Status.OPEN, RefundRequest.Status.DECLINED)
                or request.coach_due_at > now
            ):
                continue
            why = (
                "The coach did not answer in time."
                if request.status == RefundRequest.Status.OPEN
                else "The coach declined; staff decide."
            )
            _escalate(request, None, why)
            count += 1
    return count


def refund_pending_of(request: RefundRequest) -> bool:
    return request.refund is not None and request.refund.status == Refund.Status.PENDING
