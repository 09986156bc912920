"""Webinars (seed 000): a coach's live event with seats, its time slots, the registrations
(seat holds and attendees) and the materials attendees may download."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse


def _default_vat_rate() -> Decimal:
    return Decimal(settings.DEFAULT_VAT_RATE)


def _default_platform_fee() -> Decimal:
    return Decimal(settings.DEFAULT_PLATFORM_FEE_PERCENT)


def _default_currency() -> str:
    return settings.DEFAULT_CURRENCY


class Webinar(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft (not visible)"
        PENDING_MINIMUM = "pending_minimum_attendees", "Open, waiting for the minimum attendees"
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"
        COMPLETED = "completed", "Completed"

    BOOKABLE_STATUSES = (Status.PENDING_MINIMUM, Status.SCHEDULED)

    coach = models.ForeignKey("accounts.Coach", on_delete=models.CASCADE, related_name="webinars")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    price = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="What a client pays, VAT included. 0 = free. Empty = not set (not bookable).",
    )
    currency = models.CharField(max_length=3, default=_default_currency)
    early_bird_price = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Charged instead of the price while now is before the early-bird deadline.",
    )
    early_bird_deadline = models.DateTimeField(null=True, blank=True)
    max_attendees = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    min_attendees = models.PositiveIntegerField(
        default=0, help_text="Below this the webinar stays 'waiting for the minimum attendees'."
    )
    status = models.CharField(
        max_length=32, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    join_link = models.URLField(
        blank=True, help_text="Your video-call link. Empty: the platform's session room is used."
    )
    vat_rate = models.DecimalField(
        "VAT rate (%)",
        max_digits=5,
        decimal_places=2,
        default=_default_vat_rate,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    platform_fee_percent = models.DecimalField(
        "platform fee (%)",
        max_digits=5,
        decimal_places=2,
        default=_default_platform_fee,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    # The attendee's cancellation terms (issue 15 #3), set by the coach per webinar; the
    # defaults are the 1:1 sessions' (webinars/policy.py reads them).
    full_refund_hours = models.PositiveSmallIntegerField(
        default=48,
        help_text="An attendee cancelling more than this many hours ahead gets everything back.",
    )
    partial_refund_hours = models.PositiveSmallIntegerField(
        default=24, help_text="More than this many hours ahead: the partial refund below."
    )
    partial_refund_percent = models.PositiveSmallIntegerField(
        default=50, validators=[MaxValueValidator(100)]
    )
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancellation_reason = models.TextField(
        blank=True, editable=False, help_text="Told to the attendees (webinar_cancel)."
    )
    # Set by staff moderation (moderation.targets, "hide content"): out of every public list,
    # search and the detail page; its coach, staff and people holding a seat still see it.
    hidden_by_moderation_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Kept by the database (triggers of migration 0005 on the slots and the registrations),
    # so that every writer keeps them right (services, admin, bulk updates, fixtures) and
    # the list is a LIMIT over an index and the capacity check reads the locked row: the
    # first slot's start, the last slot's end, held + confirmed seats (a hold counts until
    # it is expired, see `live_seats`), confirmed seats, the earliest hold deadline and a
    # version.
    # `save()` never writes them (DB_MAINTAINED_FIELDS).
    starts_at = models.DateTimeField(null=True, blank=True, editable=False)
    ends_at = models.DateTimeField(null=True, blank=True, editable=False)
    seats_taken = models.PositiveIntegerField(default=0, editable=False)
    seats_confirmed = models.PositiveIntegerField(default=0, editable=False)
    next_hold_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    # +1 on every trigger run: with `updated_at` (every save) it versions the public list
    # card cached for anonymous visitors (webinars/fragments.py).
    counts_version = models.PositiveIntegerField(default=0, editable=False)

    DB_MAINTAINED_FIELDS = (
        "starts_at",
        "ends_at",
        "seats_taken",
        "seats_confirmed",
        "next_hold_expires_at",
        "counts_version",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # /webinars/: open webinars soonest first, a LIMIT over this index (closed and
            # completed ones, however many, are not in it)
            models.Index(
                fields=["starts_at", "id"],
                name="webinar_open_starts_at",
                condition=models.Q(status__in=["pending_minimum_attendees", "scheduled"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__isnull=True) | models.Q(price__gte=0),
                name="webinar_price_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(early_bird_price__isnull=True)
                | models.Q(early_bird_price__gte=0),
                name="webinar_early_bird_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(max_attendees__gte=1), name="webinar_has_seats"
            ),
            models.CheckConstraint(
                condition=models.Q(full_refund_hours__gte=models.F("partial_refund_hours")),
                name="webinar_refund_tiers_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Never write the database-maintained columns back: an instance loaded before a
        seat or slot change would overwrite the triggers' values with stale ones."""
        if (
            not self._state.adding
            and kwargs.get("update_fields") is None
            and not kwargs.get("force_insert")
        ):
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in self.DB_MAINTAINED_FIELDS
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("webinars:detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if (
            self.full_refund_hours is not None
            and self.partial_refund_hours is not None
            and self.full_refund_hours < self.partial_refund_hours
        ):
            raise ValidationError(
                {"full_refund_hours": "The full-refund deadline must come before the partial one."}
            )

    @property
    def join_url(self) -> str:
        """The access-checked way in: redirects to `join_link` or opens the session room."""
        return f"{settings.SITE_URL}{reverse('webinars:join', args=[self.pk])}"

    def live_seats(self, now) -> int:
        """Held (not run out) + confirmed seats. `seats_taken` counts a hold until it is
        expired; only when a deadline has passed unswept is the exact count read."""
        if self.next_hold_expires_at is None or self.next_hold_expires_at > now:
            return self.seats_taken
        return self.registrations.filter(
            models.Q(status=Registration.Status.CONFIRMED)
            | models.Q(status=Registration.Status.HELD, hold_expires_at__gt=now)
        ).count()


class WebinarSlot(models.Model):
    """One session of a webinar; the earliest slot's start is the webinar's start."""

    webinar = models.ForeignKey(Webinar, on_delete=models.CASCADE, related_name="slots")
    start = models.DateTimeField()
    end = models.DateTimeField()

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="slot_ends_after_start"
            )
        ]
        indexes = [
            models.Index(fields=["webinar", "start"]),
            # /webinars/ finds the webinars not ended yet through their slots' end
            models.Index(fields=["end", "webinar"], name="webinarslot_end_webinar"),
        ]

    def __str__(self) -> str:
        return f"{self.webinar} {self.start:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        """A coach cannot be in a webinar and a 1:1 session at once (every admin and form
        path runs this). Sessions come from core.busy_time: no import of the bookings app."""
        super().clean()
        webinar = getattr(self, "webinar", None)
        if webinar is None or not (self.start and self.end) or self.end <= self.start:
            return
        if webinar.status == Webinar.Status.CANCELLED or not webinar.coach_id:
            return
        from core.busy_time import busy_blocks

        clashes = busy_blocks(
            coach_id=webinar.coach_id,
            window_start=self.start,
            window_end=self.end,
            exclude_source="webinars",
        )
        if clashes:
            first = clashes[0]
            raise ValidationError(
                f"This time overlaps a {first.label} of the coach "
                f"({first.start:%Y-%m-%d %H:%M}-{first.end:%H:%M} UTC). Pick another time."
            )


class Registration(models.Model):
    """A user's seat: `held` while they pay (counts against capacity until hold_expires_at),
    `confirmed` once paid (or free)."""

    class Status(models.TextChoices):
        HELD = "held", "Seat held (paying)"
        CONFIRMED = "confirmed", "Confirmed"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Hold expired"
        REFUNDED = "refunded", "Refunded"

    LIVE_STATUSES = (Status.HELD, Status.CONFIRMED)

    class PriceReason(models.TextChoices):
        EARLY_BIRD = "early_bird", "Early bird"
        REGULAR = "regular", "Regular"
        FREE = "free", "Free"

    webinar = models.ForeignKey(Webinar, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webinar_registrations"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.HELD)
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2, help_text="Quoted, VAT included.")
    currency = models.CharField(max_length=3)
    price_reason = models.CharField(max_length=16, choices=PriceReason.choices)
    payment = models.ForeignKey(
        "payments.Payment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="webinar_registrations",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(
        null=True, blank=True, help_text="Cancelled/expired/refunded at."
    )
    # The attendee gave the seat back (issue 15 #3): what the webinar's terms refund, settled
    # through the payments core after commit (webinars/services/seat_cancel.py).
    refund_amount = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    cancelled_by_attendee = models.BooleanField(default=False)
    # The webinar's stored start/end, copied by the database (webinars/
    # stored_registration_times.py) so that a person's seats are listed and paged newest
    # first over an index of their own, whatever the length of their history.
    webinar_starts_at = models.DateTimeField(null=True, blank=True, editable=False)
    webinar_ends_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["webinar", "user"],
                condition=models.Q(status__in=["held", "confirmed"]),
                name="registration_one_live_per_user",
            )
        ]
        indexes = [
            models.Index(fields=["webinar", "status"]),
            models.Index(fields=["user", "status"]),
            # My Bookings: past seats newest first (a backward scan, keyset pages) ...
            models.Index(
                fields=["user", "webinar_starts_at", "id"], name="registration_user_starts"
            ),
            # ... upcoming ones and those still open for a review (by the webinar's end)
            models.Index(fields=["user", "webinar_ends_at"], name="registration_user_ends"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.webinar} ({self.status})"

    def get_absolute_url(self) -> str:
        return self.webinar.get_absolute_url()


def material_upload_to(instance, filename: str) -> str:
    return f"webinar_materials/{instance.webinar_id}/{filename}"


class Material(models.Model):
    """A file or link for attendees. Files are never public: they are served by a view that
    checks the viewer is a confirmed attendee or the coach."""

    webinar = models.ForeignKey(Webinar, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=material_upload_to, blank=True)
    url = models.URLField(blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(file="") | ~models.Q(url=""), name="material_has_file_or_url"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("webinars:material", args=[self.webinar_id, self.pk])


class WaitlistEntry(models.Model):
    """A place in line for a full webinar (issue 15 #4). `waiting` until a seat frees; then
    `offered` with a seat hold (`registration`, a HELD seat expiring at `offer_expires_at`)
    that the person pays for through the normal register step; `booked` once confirmed;
    `expired` when the offer ran out (the seat went to the next in line), `left` when they
    gave up their place, `ended` when the webinar was cancelled. Every change runs under the
    webinar lock (webinars/services/waitlist.py)."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        OFFERED = "offered", "Seat offered"
        BOOKED = "booked", "Booked"
        EXPIRED = "expired", "Offer expired"
        LEFT = "left", "Left the waitlist"
        ENDED = "ended", "Webinar cancelled"

    ACTIVE_STATUSES = (Status.WAITING, Status.OFFERED)

    webinar = models.ForeignKey(Webinar, on_delete=models.CASCADE, related_name="waitlist")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webinar_waitlists"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.WAITING)
    registration = models.ForeignKey(
        Registration,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="waitlist_entries",
        help_text="The seat hold of the offer.",
    )
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "waitlist entries"
        constraints = [
            models.UniqueConstraint(
                fields=["webinar", "user"],
                condition=models.Q(status__in=["waiting", "offered"]),
                name="waitlist_one_active_place_per_user",
            )
        ]
        indexes = [models.Index(fields=["webinar", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.user} waiting for {self.webinar} ({self.status})"

    def get_absolute_url(self) -> str:
        return self.webinar.get_absolute_url()
