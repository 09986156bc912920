from django.conf import settings
from django.db import models

from notifications.types import NotificationCategory, NotificationType


class Notification(models.Model):
    """One in-app notification, shown in the bell and on /notifications/."""

    class Priority(models.TextChoices):
        LOW = "low", "Low"
        NORMAL = "normal", "Normal"
        HIGH = "high", "High"
        URGENT = "urgent", "Urgent"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    type = models.CharField(max_length=40, choices=NotificationType.choices)
    category = models.CharField(max_length=16, choices=NotificationCategory.choices)
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notif_recipient_recent"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notif_recipient_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} → {self.recipient}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """A user's choice for one category. No row means the defaults (everything on)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    category = models.CharField(max_length=16, choices=NotificationCategory.choices)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "category"], name="notif_pref_user_category")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.category}: in-app={self.in_app} email={self.email}"


class OutboundEmail(models.Model):
    """The email outbox: one row per message, sent at most once by `tasks.send_outbound_email`.

    The task claims the row by moving it from queued/failed to `sending` in one conditional
    UPDATE, so two workers (or a retry racing a slow first attempt) never both send it; a row
    in `sent` is never sent again.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        # The address hard-bounced or complained (EmailSuppression): never handed to the
        # provider; the in-app notification, if any, was still written.
        SUPPRESSED = "suppressed", "Suppressed"

    class Delivery(models.TextChoices):
        """What the provider's tracking webhook last said about this message."""

        UNKNOWN = "", "No report yet"
        DELIVERED = "delivered", "Delivered"
        DEFERRED = "deferred", "Deferred (the provider retries)"
        BOUNCED = "bounced", "Bounced"
        COMPLAINED = "complained", "Marked as spam"
        REJECTED = "rejected", "Rejected by the provider"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbound_emails",
    )
    notification = models.ForeignKey(
        Notification, on_delete=models.SET_NULL, null=True, blank=True, related_name="emails"
    )
    type = models.CharField(max_length=40, choices=NotificationType.choices, blank=True)
    to_email = models.EmailField()
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    ics_content = models.TextField(blank=True, help_text="Calendar invite attached as invite.ics.")
    ics_method = models.CharField(max_length=16, blank=True)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    provider_message_id = models.CharField(
        max_length=255,
        blank=True,
        db_index=True,
        help_text="The id the email provider gave the message (anymail_status.message_id); "
        "its tracking webhook names the message by it.",
    )
    delivery_status = models.CharField(
        max_length=12, choices=Delivery.choices, default=Delivery.UNKNOWN, blank=True
    )
    delivery_updated_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "outbound email"

    def __str__(self) -> str:
        return f"{self.subject} → {self.to_email} ({self.status})"


class ReminderLog(models.Model):
    """One row per reminder sent. The unique constraints are the "exactly once": the sender
    inserts the row first and only sends when the insert succeeded (insert-then-send).
    An account holder is keyed by `recipient`; a guest without an account (email only) by
    `email` (lower case) with no recipient."""

    kind = models.CharField(max_length=32, help_text="Provider name, e.g. webinar or session.")
    object_id = models.CharField(max_length=64, help_text="The reminded-about object's id.")
    offset = models.CharField(max_length=8, help_text="Which reminder: 24h or 1h.")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminder_logs",
    )
    email = models.EmailField(
        blank=True, default="", help_text="A guest's address (lower case) when no recipient."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "offset", "recipient"], name="reminder_once"
            ),
            # NULL recipients are distinct to the index above: guests get their own one.
            models.UniqueConstraint(
                fields=["kind", "object_id", "offset", "email"],
                condition=models.Q(recipient__isnull=True),
                name="reminder_once_per_email",
            ),
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=False) | ~models.Q(email=""),
                name="reminder_recipient_or_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} {self.offset} → {self.recipient_id or self.email}"


class EmailDeliveryEvent(models.Model):
    """One tracking event from the email provider (anymail's normalized `tracking` signal),
    kept as a log. The provider's event id is unique per provider, so a webhook the
    provider retries is recorded (and acted on) once."""

    provider = models.CharField(max_length=32)
    event_id = models.CharField(max_length=255, blank=True)
    event_type = models.CharField(max_length=24)
    message_id = models.CharField(max_length=255, blank=True, db_index=True)
    recipient = models.EmailField(blank=True)
    reject_reason = models.CharField(max_length=24, blank=True)
    description = models.TextField(blank=True)
    mta_response = models.TextField(blank=True)
    occurred_at = models.DateTimeField(null=True, blank=True)
    email = models.ForeignKey(
        OutboundEmail,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="delivery_events",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"],
                condition=~models.Q(event_id=""),
                name="email_event_once_per_provider",
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_type} {self.recipient}"


class EmailSuppression(models.Model):
    """An address we no longer send email to: it hard-bounced or its owner marked our mail as
    spam. At most one active row per address (lifted rows stay as history)."""

    class Reason(models.TextChoices):
        BOUNCED = "bounced", "Hard bounce"
        COMPLAINED = "complained", "Spam complaint"
        REJECTED = "rejected", "Rejected as invalid by the provider"

    email = models.EmailField(help_text="Stored in lower case.")
    reason = models.CharField(max_length=12, choices=Reason.choices)
    detail = models.TextField(blank=True)
    event = models.ForeignKey(EmailDeliveryEvent, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["email"],
                condition=models.Q(lifted_at__isnull=True),
                name="email_suppression_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_reason_display()})"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class DeferredNotification(models.Model):
    """A notice decided inside a write's transaction and built after it commits
    (notifications.deferred): the write records only this row, under its locks, and a task
    turns it into the in-app notification and the email once the locks are released. The row
    is deleted in the transaction that builds the notice, so each is built once; a row left
    behind (broker down, worker killed) is built by the beat sweep."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    type = models.CharField(max_length=40, choices=NotificationType.choices)
    # The target as "app_label.model" + pk (as Notification.metadata's "target"), not a
    # ContentType key: no join, and no cached content-type id a process could hold stale.
    target_model = models.CharField(max_length=100, blank=True)
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    context = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.type} → {self.recipient_id} (waiting to be built)"
