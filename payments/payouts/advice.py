"""Settlement advice PDFs (WeasyPrint): rendered once per settlement, stored, never changed,
then sent to the coach (in-app notice + email with the PDF attached)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from payments.payouts.models import DebtNetting, PayoutItem, PayoutReversal, Settlement

if TYPE_CHECKING:
    from payments.models import Payment


logger = logging.getLogger(__name__)


@dataclass
class AdviceLine:
    date: object
    service: str
    client_first_name: str
    gross: Decimal
    vat: Decimal
    platform_fee: Decimal
    coach_share: Decimal
    refunds: Decimal
    netted: Decimal
    transferred: Decimal
    transfer_id: str


def _service_name(payment: Payment) -> str:
    booking = payment.session_bookings.first()
    if booking is not None:
        return f"1:1 session: {booking.title}"
    registration = payment.webinar_registrations.select_related("webinar").first()
    if registration is not None:
        return f"Webinar: {registration.webinar.title}"
    return payment.get_purpose_display()


def advice_context(settlement: Settlement) -> dict[str, Any]:
    items = (
        PayoutItem.objects.filter(settlement=settlement)
        .select_related("payment__payer")
        .order_by("service_ended_at", "pk")
    )
    lines = [
        AdviceLine(
            date=item.service_ended_at,
            service=_service_name(item.payment),
            client_first_name=item.payment.payer.first_name or "Client",
            gross=item.payment.amount_total,
            vat=item.payment.vat_amount,
            platform_fee=item.payment.platform_fee,
            coach_share=item.gross_share,
            refunds=item.refund_deduction,
            netted=item.debt_netted,
            transferred=item.amount_transferred,
            transfer_id=item.stripe_transfer_id,
        )
        for item in items
    ]
    reversals = list(
        PayoutReversal.objects.filter(settlement=settlement).select_related("item", "debt")
    )
    nettings = list(DebtNetting.objects.filter(item__settlement=settlement).select_related("debt"))
    return {
        "settlement": settlement,
        "coach": settlement.coach,
        "lines": lines,
        "reversals": reversals,
        "nettings": nettings,
        "total": sum((line.transferred for line in lines), Decimal(0)),
        "platform_name": getattr(settings, "SITE_NAME", "Coaching Platform"),
    }


def settlement_advice_render(*, settlement_id: int) -> Settlement:
    """Render and store the PDF once (a second call leaves the stored file untouched)."""
    from weasyprint import HTML

    settlement = Settlement.objects.select_related("coach__user").get(pk=settlement_id)
    if settlement.pdf:
        return settlement
    html = render_to_string("payments/payouts/advice_pdf.html", advice_context(settlement))
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    with transaction.atomic():
        locked = Settlement.objects.select_for_update().get(pk=settlement_id)
        if locked.pdf:
            return locked
        locked.pdf.save(f"advice-{locked.pk}.pdf", ContentFile(pdf), save=True)
    return locked


def settlement_advice_send(*, settlement_id: int) -> bool:
    from notifications.services import notify
    from notifications.types import NotificationType

    with transaction.atomic():
        settlement = Settlement.objects.select_for_update().get(pk=settlement_id)
        if settlement.emailed_at or not settlement.pdf:
            return False
        settlement.emailed_at = timezone.now()
        settlement.save(update_fields=["emailed_at"])
    coach_user = settlement.coach.user
    notify(
        recipient=coach_user,
        type=NotificationType.PAYOUT_SETTLEMENT_ADVICE,
        target=settlement,
        context={"total": settlement.total_transferred, "currency": settlement.currency},
        channels={"in_app"},
    )
    message = EmailMessage(
        subject=f"Settlement advice {settlement.pk}: "
        f"{settlement.currency} {settlement.total_transferred} sent",
        body=(
            f"Hello {coach_user.first_name or coach_user.email},\n\n"
            f"we transferred {settlement.currency} {settlement.total_transferred} to your "
            "Stripe account. The attached settlement advice lists every booking, refund and "
            f"deduction. You also find it under {settings.SITE_URL}/coach/payouts/.\n"
        ),
        to=[coach_user.email],
    )
    with settlement.pdf.open("rb") as pdf:
        message.attach(f"settlement-advice-{settlement.pk}.pdf", pdf.read(), "application/pdf")
    message.send()
    return True
