"""Thin Celery adapters of the dispute services (beat schedule in payments/apps.py)."""

from celery import shared_task


@shared_task
def remind_dispute_deadlines() -> int:
    """Hourly: freeze disputes that arrived before their payment completed, retry pending
    re-transfers, remind staff of evidence due soon."""
    from payments.disputes.services import dispute_reminders_send, disputes_reconcile
    from payments.payouts.disputes import dispute_retransfers_process

    disputes_reconcile()
    dispute_retransfers_process()
    return dispute_reminders_send()


@shared_task
def process_dispute_retransfers() -> int:
    from payments.payouts.disputes import dispute_retransfers_process

    return dispute_retransfers_process()
