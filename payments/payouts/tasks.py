"""Celery adapters of the payout run (the beat schedule is set in payments/apps.py)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from payments.errors import GatewayUnavailable


@shared_task(acks_late=True)
def process_payouts() -> str:
    from payments.payouts.run import payouts_process

    return str(payouts_process())


@shared_task(bind=True, autoretry_for=(GatewayUnavailable,), retry_backoff=30, max_retries=8)
def process_payout_reversals(self: Any) -> int:  # self: the bound Celery task (untyped)
    from payments.payouts.refunds import reversals_process

    return reversals_process()


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=10, max_retries=5)
def render_settlement_advice(settlement_id: int) -> str:
    from payments.payouts.advice import settlement_advice_render, settlement_advice_send

    settlement = settlement_advice_render(settlement_id=settlement_id)
    settlement_advice_send(settlement_id=settlement.pk)
    name: str = settlement.pdf.name
    return name
