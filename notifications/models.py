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
        max_length=8, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
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
    """One row per reminder sent. The unique constraint is the "exactly once": the sender
    inserts the row first and only sends when the insert succeeded (insert-then-send)."""

    kind = models.CharField(max_length=32, help_text="Provider name, e.g. webinar or session.")
    object_id = models.CharField(max_length=64, help_text="The reminded-about object's id.")
    offset = models.CharField(max_length=8, help_text="Which reminder: 24h or 1h.")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_logs"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "offset", "recipient"], name="reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} {self.offset} → {self.recipient_id}"
