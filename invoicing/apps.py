from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings


class InvoicingConfig(AppConfig):
    name = "invoicing"
    verbose_name = "Invoices and credit notes"

    def ready(self):
        from invoicing.payouts import self_billing_before_transfer
        from payments import events
        from payments.payouts.hooks import register_before_transfer

        events.on_payment_completed(_payment_completed)
        events.on_refund_recorded(_refund_recorded)
        register_before_transfer(self_billing_before_transfer)
        settings.CELERY_BEAT_SCHEDULE.update(
            {
                "invoicing-sweep": {
                    "task": "invoicing.tasks.documents_sweep",
                    "schedule": timedelta(minutes=5),
                }
            }
        )


def _payment_completed(*, payment_id: int) -> None:
    from invoicing.tasks import issue_invoice_for_payment

    issue_invoice_for_payment.delay(payment_id)


def _refund_recorded(*, payment_id: int, refund_transaction_id: int) -> None:
    from invoicing.tasks import issue_credit_note_for_refund

    issue_credit_note_for_refund.delay(payment_id, refund_transaction_id)
