"""Calendly connections, their webhook inbox, and what the events made here.

A coach connects with a personal access token (encrypted at rest, integrations/crypto.py); we
register one webhook subscription whose callback URL carries `webhook_token`, an opaque value
that finds the connection (and so the signing key) before anything is written.
"""

from __future__ import annotations

from django.db import models


class CalendlyConnection(models.Model):
    class State(models.TextChoices):
        ACTIVE = "active", "Active"
        # Calendly disables a subscription after 24 h of failed deliveries: reconnect.
        DISABLED = "disabled", "Disabled by Calendly"
        DISCONNECTED = "disconnected", "Disconnected"

    class Scope(models.TextChoices):
        USER = "user", "Your Calendly user"
        ORGANIZATION = "organization", "Your Calendly organization"

    coach = models.OneToOneField(
        "accounts.Coach", on_delete=models.CASCADE, related_name="calendly_connection"
    )
    token_encrypted = models.TextField(blank=True, help_text="Fernet; never shown again.")
    token_last4 = models.CharField(max_length=4, blank=True)
    signing_key_encrypted = models.TextField(blank=True)
    webhook_token = models.CharField(max_length=64, unique=True)
    user_uri = models.CharField(max_length=500)
    user_name = models.CharField(max_length=200, blank=True)
    organization_uri = models.CharField(max_length=500)
    scope = models.CharField(max_length=16, choices=Scope.choices, default=Scope.USER)
    events = models.JSONField(default=list)
    subscription_uri = models.CharField(max_length=500, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.ACTIVE)
    state_checked_at = models.DateTimeField(null=True, blank=True)
    state_notified_at = models.DateTimeField(null=True, blank=True)
    connected_at = models.DateTimeField(null=True, blank=True)
    disconnected_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Calendly for {self.coach} ({self.state})"

    @property
    def is_active(self) -> bool:
        return self.state == self.State.ACTIVE


class CalendlyWebhookEvent(models.Model):
    """Inbox of verified deliveries. Unique on (event, subject URI, envelope created_at): the
    same delivery retried or replayed takes effect once."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Ignored"
        FAILED = "failed", "Failed"

    connection = models.ForeignKey(
        CalendlyConnection, on_delete=models.CASCADE, related_name="webhook_events"
    )
    event_type = models.CharField(max_length=64)
    subject_uri = models.CharField(max_length=500, help_text="Invitee (or submission) URI.")
    envelope_created_at = models.DateTimeField()
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_type", "subject_uri", "envelope_created_at"],
                name="calendly_event_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.subject_uri} ({self.status})"


class CalendlyEventType(models.Model):
    """A Calendly event type mirrored as a hidden session type of the coach (not bookable on
    our site: `is_active=False`), so a Calendly booking has a session type like any other."""

    coach = models.ForeignKey(
        "accounts.Coach", on_delete=models.CASCADE, related_name="calendly_event_types"
    )
    uri = models.CharField(max_length=500)
    name = models.CharField(max_length=120)
    session_type = models.OneToOneField(
        "bookings.SessionType", on_delete=models.CASCADE, related_name="calendly_event_type"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["coach", "uri"], name="calendly_event_type_once")
        ]

    def __str__(self) -> str:
        return self.name


class CalendlyBooking(models.Model):
    """The Calendly side of a booking with source=calendly. `invitee_uri` is the current
    invitee; a reschedule replaces it (every invitee URI that ever meant this booking is a
    CalendlyInvitee row, so late events about the old one find it)."""

    booking = models.OneToOneField(
        "bookings.Booking", on_delete=models.CASCADE, related_name="calendly"
    )
    connection = models.ForeignKey(
        CalendlyConnection, on_delete=models.CASCADE, related_name="bookings"
    )
    invitee_uri = models.CharField(max_length=500, unique=True)
    # A reschedule's cancel arrived before its create: the invitee it moves to.
    rescheduling_to_uri = models.CharField(max_length=500, blank=True)
    scheduled_event_uri = models.CharField(max_length=500)
    event_type_uri = models.CharField(max_length=500, blank=True)
    event_type_name = models.CharField(max_length=200, blank=True)
    invitee_name = models.CharField(max_length=200, blank=True)
    invitee_email = models.EmailField(blank=True)
    invitee_timezone = models.CharField(max_length=64, blank=True)
    questions_and_answers = models.JSONField(default=list, blank=True)
    tracking = models.JSONField(default=dict, blank=True)
    payment = models.JSONField(null=True, blank=True)
    location = models.JSONField(null=True, blank=True)
    cancel_url = models.URLField(max_length=500, blank=True)
    reschedule_url = models.URLField(max_length=500, blank=True)
    cancellation = models.JSONField(null=True, blank=True)
    overlaps = models.BooleanField(
        default=False, help_text="Arrived for a time already taken here: flagged to the coach."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Calendly {self.invitee_uri}"


class CalendlyInvitee(models.Model):
    """An invitee URI (current, rescheduled-from or rescheduled-to) and its booking."""

    calendly_booking = models.ForeignKey(
        CalendlyBooking, on_delete=models.CASCADE, related_name="invitees"
    )
    uri = models.CharField(max_length=500, unique=True)

    def __str__(self) -> str:
        return self.uri


class CalendlyLead(models.Model):
    """A routing form submission (fires whether or not the person then books)."""

    connection = models.ForeignKey(
        CalendlyConnection, on_delete=models.CASCADE, related_name="leads"
    )
    submission_uri = models.CharField(max_length=500, unique=True)
    routing_form_uri = models.CharField(max_length=500, blank=True)
    submitter_name = models.CharField(max_length=200, blank=True)
    submitter_email = models.EmailField(blank=True)
    questions_and_answers = models.JSONField(default=list, blank=True)
    tracking = models.JSONField(default=dict, blank=True)
    result = models.JSONField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-submitted_at", "-created_at"]

    def __str__(self) -> str:
        return f"{self.submitter_name or self.submitter_email} ({self.routing_form_uri})"
