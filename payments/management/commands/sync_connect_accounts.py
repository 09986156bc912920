"""Re-fetch coaches' Connect accounts from Stripe (repairs a lost account.updated)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Coach
from payments.errors import PaymentError
from payments.payouts.connect import connect_account_sync

if TYPE_CHECKING:
    from django.core.management.base import CommandParser


class Command(BaseCommand):
    help = "Re-fetch every (or one) coach's Stripe Connect account and store its readiness."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--coach", type=int, help="Only this Coach id.")

    def handle(self, *args: Any, coach: int | None = None, **options: Any) -> None:
        coaches = Coach.objects.exclude(stripe_account_id="").select_related("user")
        if coach is not None:
            coaches = coaches.filter(pk=coach)
            if not coaches.exists():
                raise CommandError(f"No coach with id {coach} and a Stripe account.")
        failed = 0
        for one in coaches:
            try:
                account = connect_account_sync(coach=one)
            except PaymentError as exc:
                failed += 1
                self.stderr.write(f"coach {one.pk}: {exc.message}")
                continue
            state = account.state if account else "not connected"
            self.stdout.write(f"coach {one.pk} {one.stripe_account_id}: {state}")
        if failed:
            raise CommandError(f"{failed} account(s) could not be fetched.")
