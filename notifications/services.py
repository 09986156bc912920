"""Writes of the notifications app. `notify` is the one way anything tells a person something.

    notify(recipient=user, type=NotificationType.WEBINAR_BOOKING_CONFIRMED, target=registration)

writes the in-app row and the outbox email (as the recipient's preferences allow) in the
caller's transaction; after commit it pushes the bell and a toast to the recipient's open
pages and hands the email to Celery. Nothing is pushed or sent for a transaction that rolls
back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from core.oncommit import enqueue_on_commit
from notifications import catalog, live
from notifications.catalog import EMAIL, IN_APP
from notifications.models import Notification, NotificationPreference, OutboundEmail
from notifications.suppressions import is_suppressed
from notifications.targets import describe
from notifications.types import NotificationCategory, NotificationType

logger = logging.getLogger(__name__)

# Categories whose emails a user cannot switch off: a record of money moving.
MANDATORY_EMAIL_CATEGORIES = frozenset({NotificationCategory.PAYMENT})


def channels_for(*, recipient, category: str) -> set[str]:
    """The channels `recipient` accepts for `category` (no preference row: all of them)."""
    preference = NotificationPreference.objects.filter(user=recipient, category=category).first()
    accepted = set()
    if preference is None or preference.in_app:
        accepted.add(IN_APP)
    if preference is None or preference.email or category in MANDATORY_EMAIL_CATEGORIES:
        accepted.add(EMAIL)
    return accepted


def _target_key(target) -> str:
    return f"{target._meta.label_lower}:{target.pk}"


def notifications_resolve(*, target, types) -> int:
    """Mark unread notices of `types` about `target` read, for whoever got them (an answered
    request is no longer something to act on); their bells update live. Returns how many."""
    resolved = Notification.objects.filter(
        metadata__target=_target_key(target), type__in=list(types), read_at__isnull=True
    )
    recipient_ids = set(resolved.values_list("recipient_id", flat=True))
    updated = resolved.update(read_at=timezone.now())
    for user_id in recipient_ids:
        live.bell_changed(user_id=user_id)
    return updated


def json_safe(value):
    """`value` as JSON can store it (a notification's metadata, a deferred notice's context):
    mappings and sequences recursively, other objects as their string."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


@transaction.atomic
def notify(
    *,
    recipient,
    type: NotificationType | str,  # noqa: A002 - the seeds' name for it
    target=None,
    context: dict | None = None,
    channels: set[str] | None = None,
    to_email: str | None = None,
) -> Notification | None:
    """Tell `recipient` that `type` happened to `target`.

    `channels` narrows the delivery ({"in_app"}, {"email"}); default both. The recipient's
    preferences narrow it further, except that payment and refund emails always go out.
    Returns the in-app notification, or None when none was written (in-app off).
    Safe inside the caller's transaction: pushes and email tasks run only after commit.
    `to_email` sends the email to another address than the recipient's (confirming a new
    address before it replaces the old one).
    """
    notification_type = NotificationType(type)
    spec = catalog.spec_for(notification_type)
    context = dict(context or {})
    requested = set(channels) if channels is not None else set(catalog.ALL_CHANNELS)
    accepted = channels_for(recipient=recipient, category=spec.category)
    if spec.email_mandatory:
        accepted.add(EMAIL)
    deliver = requested & accepted
    if spec.resolves and target is not None:
        notifications_resolve(target=target, types=spec.resolves)
    if not deliver:
        return None

    info = describe(target)
    with timezone.override(recipient.tzinfo):
        content = spec.build(recipient, info, context)
    if context.get("link"):
        content.link = str(context["link"])  # the producer knows the best page (e.g. a tab)
    metadata = json_safe(
        {
            **{k: v for k, v in context.items() if k not in {"message"}},
            "target": _target_key(target) if target is not None else "",
        }
    )

    notification = None
    if IN_APP in deliver:
        notification = Notification.objects.create(
            recipient=recipient,
            type=notification_type,
            category=spec.category,
            priority=spec.priority,
            title=content.title[:200],
            body=content.body,
            link=content.link,
            metadata=metadata,
        )
        live.notification_created(notification_id=notification.pk)

    if EMAIL in deliver and (to_email or recipient.email):
        email = _outbound_email_create(
            recipient=recipient,
            to_email=to_email or recipient.email,
            notification_type=notification_type,
            notification=notification,
            content=content,
            info=info,
            ics_method=spec.ics_method,
        )
        if email.status == OutboundEmail.Status.QUEUED:
            _queue_send(email.pk)
    return notification


@dataclass(frozen=True)
class EmailOnlyRecipient:
    """Someone we email who has no account here (a guest who booked a free session): the
    catalog's builders read `pk`, `display_name` and `tzinfo` as they do of a user."""

    email: str
    name: str = ""
    timezone_name: str = "UTC"
    pk = None
    is_authenticated = False

    @property
    def display_name(self) -> str:
        return self.name or self.email

    @property
    def tzinfo(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.timezone_name or "UTC")
        except (ValueError, KeyError):
            return ZoneInfo("UTC")


@transaction.atomic
def notify_email(
    *,
    to_email: str,
    name: str = "",
    timezone_name: str = "UTC",
    type: NotificationType | str,  # noqa: A002 - as notify()
    target=None,
    context: dict | None = None,
    link: str = "",
) -> OutboundEmail | None:
    """The email-only path of `notify`, for an address with no account (no in-app row, no
    preferences): the same catalog words, the same outbox row sent once after commit by the
    outbox task. `link` replaces the notice's link (e.g. a signed page for a guest).
    Returns the outbox row (None without an address)."""
    if not to_email:
        return None
    notification_type = NotificationType(type)
    spec = catalog.spec_for(notification_type)
    recipient = EmailOnlyRecipient(email=to_email, name=name, timezone_name=timezone_name)
    info = describe(target)
    with timezone.override(recipient.tzinfo):
        content = spec.build(recipient, info, dict(context or {}))
    if link:
        content.link = link
    email = _outbound_email_create(
        recipient=recipient,
        to_email=to_email,
        notification_type=notification_type,
        notification=None,
        content=content,
        info=info,
        ics_method=spec.ics_method,
    )
    if email.status == OutboundEmail.Status.QUEUED:
        _queue_send(email.pk)
    return email


@dataclass(frozen=True)
class EmailOnlyMessage:
    """One message of `notify_email_many`: `notify_email`'s arguments for one address."""

    to_email: str
    name: str = ""
    timezone_name: str = "UTC"
    target: object = None
    context: dict | None = None
    link: str = ""


def notify_email_many(
    *,
    type: NotificationType | str,  # noqa: A002 - as notify()
    messages: list[EmailOnlyMessage],
) -> list[OutboundEmail]:
    """`notify_email` for many addresses at once (the reminder sweep's guests): the same
    content and outbox rows, in a fixed number of queries whatever the count (one look-up of
    suppressed addresses, one insert). Messages without an address are dropped."""
    from notifications.suppressions import suppressed_among

    messages = [m for m in messages if m.to_email]
    if not messages:
        return []
    notification_type = NotificationType(type)
    spec = catalog.spec_for(notification_type)
    suppressed = suppressed_among([m.to_email for m in messages])
    rows = []
    for message in messages:
        recipient = EmailOnlyRecipient(
            email=message.to_email, name=message.name, timezone_name=message.timezone_name
        )
        info = describe(message.target)
        with timezone.override(recipient.tzinfo):
            content = spec.build(recipient, info, dict(message.context or {}))
        if message.link:
            content.link = message.link
        rows.append(
            _outbound_email_build(
                recipient=recipient,
                to_email=message.to_email,
                notification_type=notification_type,
                notification=None,
                content=content,
                info=info,
                ics_method=spec.ics_method,
                suppressed=message.to_email.strip().lower() in suppressed,
            )
        )
    emails = OutboundEmail.objects.bulk_create(rows)
    for email in emails:
        if email.status == OutboundEmail.Status.QUEUED:
            _queue_send(email.pk)
    return emails


def _outbound_email_create(
    *, recipient, to_email, notification_type, notification, content, info, ics_method
):
    email = _outbound_email_build(
        recipient=recipient,
        to_email=to_email,
        notification_type=notification_type,
        notification=notification,
        content=content,
        info=info,
        ics_method=ics_method,
        suppressed=is_suppressed(to_email),
    )
    email.save(force_insert=True)
    return email


def _outbound_email_build(
    *, recipient, to_email, notification_type, notification, content, info, ics_method, suppressed
) -> OutboundEmail:
    """The outbox row, unsaved."""
    from notifications.ics import build_invite

    link = content.link
    absolute_link = f"{settings.SITE_URL}{link}" if link.startswith("/") else link
    has_account = getattr(recipient, "pk", None) is not None
    template_context = {
        "recipient": recipient,
        "content": content,
        "link": absolute_link,
        "site_url": settings.SITE_URL,
        "preferences_url": (
            f"{settings.SITE_URL}/notifications/preferences/" if has_account else ""
        ),
        "has_invite": bool(ics_method and info.starts_at),
        "ics_method": ics_method,
    }
    with timezone.override(recipient.tzinfo):
        body_text = render_to_string("notifications/email/notification.txt", template_context)
        body_html = render_to_string("notifications/email/notification.html", template_context)
    ics_content = ""
    if ics_method and info.starts_at:
        ics_content = build_invite(
            info=info, method=ics_method, attendee_email=to_email, description=content.body
        )
    return OutboundEmail(
        recipient=recipient if has_account else None,
        notification=notification,
        # A hard-bounced or complaining address: kept as a record, never handed to the provider.
        status=OutboundEmail.Status.SUPPRESSED if suppressed else OutboundEmail.Status.QUEUED,
        type=notification_type,
        to_email=to_email,
        # One line whatever the title holds (rows written before titles were checked at input):
        # a header with a line break is refused by the mail library, so the email never left.
        subject=" ".join(content.title.split())[:255],
        body_text=body_text,
        body_html=body_html,
        ics_content=ics_content,
        ics_method=ics_method if ics_content else "",
    )


def _queue_send(email_id: int) -> None:
    """After commit, hand the email to Celery. If the broker is down the row stays queued and
    `retry_stuck_emails` (beat) picks it up; the caller never sees the error."""
    from notifications.tasks import send_outbound_email

    enqueue_on_commit(send_outbound_email, email_id, retry_note="the outbox sweep will retry it")


def email_retry(*, email_id: int) -> bool:
    """Staff: put a failed email back in the queue. Returns False if it was not failed."""
    updated = OutboundEmail.objects.filter(pk=email_id, status=OutboundEmail.Status.FAILED).update(
        status=OutboundEmail.Status.QUEUED
    )
    if updated:
        _queue_send(email_id)
    return bool(updated)


def notification_mark_read(*, user, notification_id: int) -> bool:
    """Mark one of `user`'s notifications read. False if it is not theirs or already read."""
    updated = Notification.objects.filter(
        pk=notification_id, recipient=user, read_at__isnull=True
    ).update(read_at=timezone.now())
    if updated:
        live.bell_changed(user_id=user.pk)
    return bool(updated)


def notification_mark_all_read(*, user) -> int:
    updated = Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if updated:
        live.bell_changed(user_id=user.pk)
    return updated


@transaction.atomic
def preferences_update(*, user, choices: dict[str, dict[str, bool]]) -> None:
    """Save `choices` ({category: {"in_app": bool, "email": bool}}). Email for payment
    categories stays on whatever the form says."""
    for category in NotificationCategory.values:
        if category not in choices:
            continue
        wanted = choices[category]
        email = bool(wanted.get("email", True)) or category in MANDATORY_EMAIL_CATEGORIES
        NotificationPreference.objects.update_or_create(
            user=user,
            category=category,
            defaults={"in_app": bool(wanted.get("in_app", True)), "email": email},
        )
