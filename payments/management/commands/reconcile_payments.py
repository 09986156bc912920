from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand

from payments.services import payments_reconcile

if TYPE_CHECKING:
    from django.core.management.base import CommandParser


class Command(BaseCommand):
    help = (
        "Ask Stripe about payments stuck in pending/processing (lost webhooks) and finish them; "
        "retry refunds still owed; cancel abandoned intents. Also runs from Celery beat."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=500)

    def handle(self, *args: Any, limit: int, **options: Any) -> None:
        report = payments_reconcile(limit=limit)
        self.stdout.write(f"reconcile_payments: {report}")
