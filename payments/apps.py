from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings


class PaymentsConfig(AppConfig):
    name = "payments"

    def ready(self):
        from accounts.roles import register_coach_permissions

        # Coaches see their own payments in the admin (rows scoped by OwnedByCoachAdminMixin).
        register_coach_permissions("payments.view_payment", "payments.view_transaction")
        # settings.CELERY_BEAT_SCHEDULE is the dict Celery reads; apps add their entries.
        settings.CELERY_BEAT_SCHEDULE.update(
            {
                "payments-reconcile": {
                    "task": "payments.tasks.reconcile_payments",
                    "schedule": timedelta(minutes=5),
                },
            }
        )
