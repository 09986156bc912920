from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand, CommandError

from payments.errors import PaymentError
from payments.models import Payment
from payments.refunds.models import RefundPolicy
from payments.refunds.service import refund_issue

if TYPE_CHECKING:
    from django.core.management.base import CommandParser


class Command(BaseCommand):
    help = (
        "Refund a payment by hand through the refund service (staff initiator): "
        "--payment ID [--amount X] --policy standard|platform_fault|goodwill --note '...'. "
        "Refuses (non-zero exit) an amount above what is refundable."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--payment", type=int, required=True)
        parser.add_argument("--amount", help="Decimal in the currency's unit; default: all.")
        parser.add_argument("--policy", choices=RefundPolicy.values, required=True)
        parser.add_argument("--note", required=True, help="Why (kept on the ledger row).")
        parser.add_argument("--no-notify", action="store_true", help="Do not tell the client.")

    def handle(
        self,
        *args: Any,
        payment: int,
        amount: str | None,
        policy: str,
        note: str,
        no_notify: bool,
        **options: Any,
    ) -> None:
        if not note.strip():
            raise CommandError("--note must say why.")
        if not Payment.objects.filter(pk=payment).exists():
            raise CommandError(f"No payment {payment}.")
        value = None
        if amount is not None:
            try:
                value = Decimal(amount)
            except InvalidOperation:
                raise CommandError(f"--amount {amount!r} is not a decimal amount.") from None
            if not value.is_finite() or value <= 0:
                raise CommandError("--amount must be positive.")
        try:
            refund = refund_issue(
                payment_id=payment,
                amount=value,
                policy=policy,
                initiator="staff",
                reason=note.strip()[:255],
                note=note.strip(),
                notify=not no_notify,
            )
        except PaymentError as exc:
            raise CommandError(f"Refund refused: {exc.message}") from exc
        self.stdout.write(
            f"Refunded {refund.currency} {refund.amount} on payment {payment} "
            f"({refund.policy}): {refund.stripe_refund_id}"
        )
