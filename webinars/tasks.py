"""Celery adapters of the webinars app."""

from celery import shared_task


@shared_task
def expire_holds() -> int:
    """Release seat holds past their deadline (Celery beat, every minute)."""
    from webinars.services import holds_expire

    return holds_expire()
