"""Bookings and the times a coach suggests instead."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse

from bookings.models.offers import SessionType
from bookings.models.pricing import DiscountCode


class Booking(models.Model):
    """A client's 1:1 session with a coach (seed 002 statuses, plus our payment hold)."""

    class Status(models.TextChoices):
        # Our pre-state: the time is held while the client pays / authorizes (hold_expires_at).
        PAYMENT_PENDING = "payment_pending", "Awaiting payment"
        REQUESTED = "requested", "Requested"
        TIME_SUGGESTED = "time_suggested", "Other time suggested"
        CONFIRMED = "confirmed", "Confirmed"
        COMPLETED = "completed", "Completed"
        DECLINED = "declined", "Declined"
        CANCELLED_BY_CLIENT = "cancelled_by_client", "Cancelled by client"
        CANCELLED_BY_COACH = "cancelled_by_coach", "Cancelled by coach"
        EXPIRED = "expired", "Expired"
        # The client took back a pending request (issue 15 #5): never charged.
        WITHDRAWN = "withdrawn", "Withdrawn"
        # Made elsewhere (Calendly) for a time already taken here: kept, shown to the coach,
        # and outside BLOCKING_STATUSES so the exclusion constraint lets it be stored.
        CONFLICT = "conflict", "Overlaps another booking"

    class Type(models.TextChoices):
        FIRM = "FIRM", "Firm booking"
        REQUEST = "REQUEST", "Request"

    # Statuses whose time is taken on the coach's calendar (the exclusion constraint uses the
    # same list, see migrations/0002). A suggestion releases the requested time until the
    # client picks one of the alternatives.
    BLOCKING_STATUSES = (
        Status.PAYMENT_PENDING,
        Status.REQUESTED,
        Status.CONFIRMED,
        Status.COMPLETED,
    )
    OPEN_STATUSES = (
        Status.PAYMENT_PENDING,
        Status.REQUESTED,
        Status.TIME_SUGGESTED,
        Status.CONFIRMED,
    )
    # A discount code counts as used by these (a declined or expired request gives it back).
    CODE_USING_STATUSES = (
        Status.PAYMENT_PENDING,
        Status.REQUESTED,
        Status.TIME_SUGGESTED,
        Status.CONFIRMED,
        Status.COMPLETED,
        Status.CANCELLED_BY_CLIENT,
        Status.CANCELLED_BY_COACH,
    )

    coach = models.ForeignKey(
        "accounts.Coach", on_delete=models.PROTECT, related_name="session_bookings"
    )

    class Source(models.TextChoices):
        SITE = "site", "Booked on this site"
        GUEST = "guest", "Guest booking (no account)"
        CALENDLY = "calendly", "Calendly"

    # A booking has a client account, or (guest bookings and Calendly invitees without an
    # account here) only a name and an email: constraint `booking_client_or_guest_email`.
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="session_bookings",
        null=True,
        blank=True,
    )
    guest_name = models.CharField(max_length=150, blank=True)
    guest_email = models.EmailField(blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.SITE)
    session_type = models.ForeignKey(SessionType, on_delete=models.PROTECT, related_name="bookings")
    title = models.CharField(max_length=160)
    start = models.DateTimeField()
    end = models.DateTimeField()
    timezone = models.CharField(max_length=64, help_text="The client's zone when booking.")
    status = models.CharField(
        max_length=24, choices=Status.choices, default=Status.PAYMENT_PENDING, db_index=True
    )
    booking_type = models.CharField(max_length=8, choices=Type.choices)
    buffer_before_minutes = models.PositiveSmallIntegerField(default=0)
    buffer_after_minutes = models.PositiveSmallIntegerField(default=0)

    currency = models.CharField(max_length=3)
    amount_total = models.DecimalField(max_digits=12, decimal_places=2)
    price_snapshot = models.JSONField(
        default=dict, help_text="The breakdown the client was quoted."
    )
    discount_code = models.ForeignKey(
        DiscountCode, null=True, blank=True, on_delete=models.SET_NULL, related_name="bookings"
    )
    payment = models.ForeignKey(
        "payments.Payment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="session_bookings",
    )
    refund_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))

    hold_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Payment step deadline."
    )
    request_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="The coach must answer by then."
    )
    consumed_availability = models.JSONField(
        default=list,
        blank=True,
        help_text="Availability pieces this booking took (restored on release).",
    )
    client_message = models.TextField(blank=True)
    coach_message = models.TextField(blank=True)
    meeting_url = models.URLField(
        "meeting link",
        max_length=500,
        blank=True,
        help_text="For this session only, instead of the session type's meeting link.",
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The client did not come (seed 002 `no_show`): set by the coach on a past session, or by
    # Calendly's invitee_no_show events; cleared again when unmarked.
    no_show_marked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["start"]
        indexes = [
            models.Index(fields=["coach", "start"]),
            # My Bookings: past sessions newest first, keyset pages on (start, id) ...
            models.Index(fields=["client", "start", "id"], name="booking_client_start_id"),
            # ... upcoming ones and those open for a review, by their end
            models.Index(fields=["client", "end"], name="booking_client_end"),
            models.Index(fields=["status", "hold_expires_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="booking_end_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(amount_total__gte=0), name="booking_amount_non_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(client__isnull=False) | ~models.Q(guest_email=""),
                name="booking_client_or_guest_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.start:%Y-%m-%d %H:%M} UTC ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("bookings:detail", args=[self.pk])

    @property
    def join_url(self) -> str:
        """The session's meeting link: this booking's own, else its session type's. For the
        client and the coach only; pages and messages show it once the session is confirmed."""
        return self.meeting_url or self.session_type.meeting_url

    @property
    def person_name(self) -> str:
        """Who the session is with, from the coach's side: the client's name, or the guest's."""
        client = self.client  # no query for a guest booking (client_id is None)
        if client is not None:
            return client.get_full_name() or client.email
        return self.guest_name or self.guest_email

    @property
    def person_email(self) -> str:
        client = self.client  # no query for a guest booking (client_id is None)
        return client.email if client is not None else self.guest_email

    @property
    def duration_minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_free(self) -> bool:
        return self.amount_total == 0


class SuggestedTime(models.Model):
    """An alternative time the coach offers for a request; the client picks one or declines."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="suggested_times")
    start = models.DateTimeField()
    end = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start"]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M} UTC"
