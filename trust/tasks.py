"""Celery adapters of the trust app."""

from celery import shared_task


@shared_task
def recompute_trust_scores() -> dict:
    """Every user's trust score and the automatic actions (Celery beat, hourly)."""
    from trust.services import trust_scores_recompute

    result = trust_scores_recompute()
    return {"users": result.users, "batches": result.batches, "actions": result.actions}
