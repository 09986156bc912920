"""Reads of the notifications app (constant query counts)."""

from __future__ import annotations

from django.db.models import QuerySet

from notifications.models import Notification, NotificationPreference, OutboundEmail
from notifications.services import MANDATORY_EMAIL_CATEGORIES
from notifications.types import NotificationCategory


def unread_count(*, user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def notifications_for(*, user) -> QuerySet[Notification]:
    """Newest first. No joins needed: a notification carries its own words and link."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def preferences_for(*, user) -> list[dict]:
    """One row per category with the effective in-app/email choice, in one query."""
    saved = {p.category: p for p in NotificationPreference.objects.filter(user=user)}
    rows = []
    for category in NotificationCategory:
        preference = saved.get(category.value)
        locked = category.value in MANDATORY_EMAIL_CATEGORIES
        rows.append(
            {
                "category": category.value,
                "label": category.label,
                "in_app": preference.in_app if preference else True,
                "email": True if locked else (preference.email if preference else True),
                "email_locked": locked,
            }
        )
    return rows


def failed_emails() -> QuerySet[OutboundEmail]:
    return OutboundEmail.objects.filter(status=OutboundEmail.Status.FAILED).select_related(
        "recipient"
    )
