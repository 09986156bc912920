"""Celery adapters of the webinars app."""

from celery import shared_task


@shared_task
def expire_holds() -> int:
    """Release seat holds past their deadline (Celery beat, every minute)."""
    from webinars.services import holds_expire

    return holds_expire()


@shared_task
def complete_webinars() -> int:
    """Complete webinars whose last slot has ended (Celery beat, every five minutes)."""
    from webinars.services import webinars_complete

    return webinars_complete()


@shared_task
def settle_seat_refunds() -> int:
    """Retry refunds of seats their attendees cancelled that Stripe refused (every 10 min)."""
    from webinars.services.seat_cancel import seat_refunds_settle

    return seat_refunds_settle()


@shared_task
def end_for_suspended_user(user_id: int, reason: str = "") -> dict:
    """A user was suspended (accounts.suspension): release their seats, cancel the webinars
    they sell with full refunds. Idempotent."""
    from webinars.services.suspension import webinars_end_for_suspension

    return vars(webinars_end_for_suspension(user_id=user_id, reason=reason))
