"""Flags (a person reports a review, a coach profile, a webinar or a user) and the log of
what staff did about them. A target is (`target_kind`, `target_id`): the kind names an entry
of moderation.targets, the id is that object's own primary key."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Flag(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", "Spam or advertising"
        ABUSE = "abuse", "Harassment or abuse"
        FRAUD = "fraud", "Fraud or scam"
        INAPPROPRIATE = "inappropriate", "Inappropriate content"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DISMISSED = "dismissed", "Dismissed"
        ACTIONED = "actioned", "Action taken"

    target_kind = models.CharField(max_length=20)
    target_id = models.PositiveBigIntegerField()
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flags_made"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.TextField(blank=True, max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="flags_resolved",
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # Flagging the same thing again while the first flag is open is the same flag
            # (moderation.services.flag_create answers 200 with it); once resolved, a new one.
            models.UniqueConstraint(
                fields=["reporter", "target_kind", "target_id"],
                condition=Q(status="open"),
                name="flag_one_open_per_reporter_and_target",
            )
        ]
        indexes = [models.Index(fields=["status", "target_kind", "target_id", "created_at"])]

    def __str__(self) -> str:
        return f"Report {self.pk}: {self.target_kind} {self.target_id} ({self.reason})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class ModerationAction(models.Model):
    """One decision of staff (or an automated rule: `actor` empty) about one target. Never
    changed after it is written: the log the issue asks for."""

    class Action(models.TextChoices):
        DISMISS = "dismiss", "Dismiss the reports"
        HIDE = "hide", "Hide the content"
        UNHIDE = "unhide", "Show the content again"
        WARN = "warn", "Warn the owner"
        SUSPEND = "suspend", "Suspend the owner for N days"
        BAN = "ban", "Ban the owner"
        LIFT = "lift", "Lift a suspension or ban"

    target_kind = models.CharField(max_length=20)
    target_id = models.PositiveBigIntegerField()
    target_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    days = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_actions",
    )
    # The person the action was about (the target's owner), when there is one.
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_actions_received",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    flags = models.ManyToManyField(Flag, blank=True, related_name="actions")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["target_kind", "target_id", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.target_label or self.target_kind}"


class Queue(Flag):
    """The staff moderation queue in the admin (/admin/moderation/queue/): a proxy of Flag so
    that the admin lists it under Moderation; its page groups open flags by target."""

    class Meta:
        proxy = True
        verbose_name = "moderation queue"
        verbose_name_plural = "moderation queue"
