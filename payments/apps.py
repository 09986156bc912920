from __future__ import annotations

from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings


class PaymentsConfig(AppConfig):
    name = "payments"

    def ready(self) -> None:
        from accounts.roles import register_coach_permissions

        # Coaches see their own payments in the admin (rows scoped by OwnedByCoachAdminMixin).
        register_coach_permissions(
            "payments.view_payment", "payments.view_transaction", "payments.view_dispute"
        )
        # Real Stripe sends transfer.* to the platform endpoint: same handlers as Connect's.
        from payments import webhooks
        from payments.payouts.webhooks import PLATFORM_HANDLERS

        webhooks.EVENT_HANDLERS.update(PLATFORM_HANDLERS)
        from payments.disputes.webhooks import DISPUTE_HANDLERS

        webhooks.EVENT_HANDLERS.update(DISPUTE_HANDLERS)
        import payments.disputes.tasks  # noqa: F401
        import payments.payouts.tasks  # noqa: F401  (registers the Celery tasks)

        # settings.CELERY_BEAT_SCHEDULE is the dict Celery reads; apps add their entries.
        settings.CELERY_BEAT_SCHEDULE.update(
            {
                "payments-escalate-refund-requests": {
                    "task": "payments.tasks.escalate_refund_requests",
                    "schedule": timedelta(minutes=15),
                },
                "payments-reconcile": {
                    "task": "payments.tasks.reconcile_payments",
                    "schedule": timedelta(minutes=5),
                },
                "payments-dispute-deadlines": {
                    "task": "payments.disputes.tasks.remind_dispute_deadlines",
                    "schedule": timedelta(hours=1),
                },
                "payments-process-payouts": {
                    "task": "payments.payouts.tasks.process_payouts",
                    "schedule": timedelta(minutes=30),
                },
            }
        )
