"""Re-read disputes from Stripe (repairs lost `charge.dispute.*` webhooks)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand, CommandError

from payments.disputes.services import disputes_sync_from_stripe
from payments.errors import PaymentError

if TYPE_CHECKING:
    from django.core.management.base import CommandParser


class Command(BaseCommand):
    help = "List disputes at Stripe (all pages, or one charge's) and apply each one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--charge", default="", help="Only this charge's disputes (ch_...).")

    def handle(self, *args: Any, charge: str = "", **options: Any) -> None:
        try:
            disputes = disputes_sync_from_stripe(charge_id=charge)
        except PaymentError as exc:
            raise CommandError(f"Stripe could not be read: {exc.message}") from exc
        for dispute in disputes:
            outcome = dispute.outcome or "open"
            self.stdout.write(f"{dispute.stripe_dispute_id}: {dispute.status} ({outcome})")
        self.stdout.write(f"{len(disputes)} dispute(s) synced.")
