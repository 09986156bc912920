"""Words for moderation (issue 18 #3): the owner of reported content hears that it was hidden
(or shown again) and why; a reporter hears only that their report was reviewed."""

from __future__ import annotations

from notifications.catalog.base import HIGH, LOW, NORMAL, Content, Spec
from notifications.types import NotificationCategory, NotificationType


def _moderation_reason(context) -> tuple[str, list[tuple[str, str]]]:
    reason = str(context.get("reason") or "")
    return (f" Reason: {reason}" if reason else ""), ([("Reason", reason)] if reason else [])


def _moderation_content_hidden(recipient, info, context):
    reason, details = _moderation_reason(context)
    what = str(context.get("target_label") or "Your content")
    return Content(
        title="Your content was hidden",
        body=f"Our moderation team hid {what}: it no longer appears to other people.{reason} "
        "Reply to this email if you think this is a mistake.",
        link=str(context.get("link") or "/"),
        cta_label="Open the site",
        details=details,
    )


def _moderation_restored(recipient, info, context):
    what = str(context.get("target_label") or "your account")
    return Content(
        title="A moderation decision was reversed",
        body=f"Our moderation team reversed its earlier decision about {what}.",
        link=str(context.get("link") or "/"),
        cta_label="Open the site",
    )


def _moderation_report_reviewed(recipient, info, context):
    # Deliberately says nothing about the outcome: what happened to someone else's account
    # or content is theirs to know.
    return Content(
        title="We reviewed your report",
        body="Thank you for your report. Our moderation team reviewed it and took the steps "
        "it considers right. We do not share the details of decisions about other people.",
        link="/",
        cta_label="Open the site",
    )


SPECS: dict[str, Spec] = {
    # The person concerned always hears that their content was hidden.
    NotificationType.MODERATION_CONTENT_HIDDEN: Spec(
        NotificationCategory.ACCOUNT, HIGH, _moderation_content_hidden, email_mandatory=True
    ),
    NotificationType.MODERATION_RESTORED: Spec(
        NotificationCategory.ACCOUNT, NORMAL, _moderation_restored
    ),
    NotificationType.MODERATION_REPORT_REVIEWED: Spec(
        NotificationCategory.ACCOUNT, LOW, _moderation_report_reviewed
    ),
}
