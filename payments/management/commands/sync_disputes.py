"""Re-read disputes from Stripe (repairs lost `charge.dispute.*` webhooks)."""

from django.core.management.base import BaseCommand, CommandError

from payments.disputes.services import disputes_sync_from_stripe
from payments.errors import PaymentError


class Command(BaseCommand):
    help = "List disputes at Stripe (all pages, or one charge's) and apply each one."

    def add_arguments(self, parser):
        parser.add_argument("--charge", default="", help="Only this charge's disputes (ch_...).")

    def handle(self, *args, charge="", **options):
        try:
            disputes = disputes_sync_from_stripe(charge_id=charge)
        except PaymentError as exc:
            raise CommandError(f"Stripe could not be read: {exc.message}") from exc
        for dispute in disputes:
            outcome = dispute.outcome or "open"
            self.stdout.write(f"{dispute.stripe_dispute_id}: {dispute.status} ({outcome})")
        self.stdout.write(f"{len(disputes)} dispute(s) synced.")
