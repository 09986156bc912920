"""Words for account sanctions (accounts.suspension, issue 18): warning, suspension or ban,
restoration. Sent by moderation, the trust score or staff."""

from __future__ import annotations

from datetime import datetime

from notifications.catalog.base import HIGH, NORMAL, Content, Spec, when
from notifications.types import NotificationCategory, NotificationType


def _account_warning(recipient, info, context):
    reason = str(context.get("reason") or "").strip()
    return Content(
        title="A warning about your account",
        body=(
            (f"{reason} " if reason else "")
            + "Please follow the platform's rules: if this goes on, your account may be hidden "
            "from search or suspended. If you think this is a mistake, contact support."
        ),
        link="/",
        cta_label="Open Coaching Platform",
    )


def _account_suspended(recipient, info, context):
    reason = str(context.get("reason") or "").strip()
    until = context.get("until")
    if until:
        end = when(datetime.fromisoformat(str(until)))
        title = f"Your account is suspended until {end}"
    else:
        title = "Your account is banned"
    body = (
        (f"Reason: {reason}. " if reason else "")
        + "You can still log in, but you cannot book, register for webinars or sell sessions. "
        "Your open holds and requests were released; sessions and webinars you were to give "
        "are cancelled and their clients refunded in full. If you think this is a mistake, "
        "contact support."
    )
    return Content(title=title, body=body, link="/", cta_label="Open Coaching Platform")


def _account_restored(recipient, info, context):
    return Content(
        title="Your account is restored",
        body="The restriction on your account was lifted: you can book and sell again.",
        link="/",
        cta_label="Open Coaching Platform",
    )


SPECS: dict[str, Spec] = {
    # Sanctions: the person must hear about them, whatever their preferences.
    NotificationType.ACCOUNT_WARNING: Spec(
        NotificationCategory.ACCOUNT, HIGH, _account_warning, email_mandatory=True
    ),
    NotificationType.ACCOUNT_SUSPENDED: Spec(
        NotificationCategory.ACCOUNT, HIGH, _account_suspended, email_mandatory=True
    ),
    NotificationType.ACCOUNT_RESTORED: Spec(
        NotificationCategory.ACCOUNT, NORMAL, _account_restored, email_mandatory=True
    ),
}
