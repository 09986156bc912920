"""What a coach offers: session types and their booking rules."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

WEEKDAY_CHOICES = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]
GRID_MINUTES = 15  # every start time and duration sits on the quarter hour
GENERIC_TITLES = frozenset({"", "availability", "verfügbarkeit", "available", "slot", "session"})


def validate_weekdays(value) -> None:
    if not isinstance(value, list) or not value or any(d not in range(7) for d in value):
        raise ValidationError("Choose at least one weekday (0 = Monday ... 6 = Sunday).")


class SessionType(models.Model):
    """A kind of 1:1 session a coach offers, with its booking rules (seed 002 SessionType)."""

    class Format(models.TextChoices):
        ONE_ON_ONE = "one_on_one", "1:1"
        GROUP = "group", "Group"
        WORKSHOP = "workshop", "Workshop"

    coach = models.ForeignKey(
        "accounts.Coach", on_delete=models.CASCADE, related_name="session_types"
    )
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    format = models.CharField(max_length=12, choices=Format.choices, default=Format.ONE_ON_ONE)
    is_active = models.BooleanField(default=True)
    meeting_url = models.URLField(
        "meeting link",
        max_length=500,
        blank=True,
        help_text="Where sessions of this type take place (video call link). Only the client "
        "and you receive it, once a session is confirmed.",
    )

    duration_default = models.PositiveSmallIntegerField("default duration (min)", default=60)
    duration_min = models.PositiveSmallIntegerField("shortest (min)", default=30)
    duration_max = models.PositiveSmallIntegerField("longest (min)", default=120)
    duration_step = models.PositiveSmallIntegerField("step (min)", default=15)
    price_factor = models.DecimalField(
        "price factor",
        max_digits=5,
        decimal_places=3,
        default=Decimal("1.000"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Multiplies the coach's hourly rate for this type (1 = the rate as is).",
    )

    allow_firm_booking = models.BooleanField(
        default=True, help_text="Clients may book instantly-bookable slots without approval."
    )
    firm_booking_threshold_hours = models.PositiveSmallIntegerField(
        default=24,
        help_text="Instant booking only for sessions starting at least this many hours ahead.",
    )
    min_notice_hours = models.PositiveSmallIntegerField(
        default=2, help_text="No session can be booked to start sooner than this."
    )
    buffer_before_minutes = models.PositiveSmallIntegerField(default=15)
    buffer_after_minutes = models.PositiveSmallIntegerField(default=15)
    max_sessions_per_day = models.PositiveSmallIntegerField(null=True, blank=True)
    max_sessions_per_week = models.PositiveSmallIntegerField(null=True, blank=True)
    require_approval_non_connected = models.BooleanField(
        default=True, help_text="Clients you are not connected with always send a request."
    )
    allow_guest_booking = models.BooleanField(
        "guests may book",
        default=True,
        help_text="When a session of this type is free (its price is 0.00), people without an "
        "account may book it with their name and email.",
    )

    full_refund_hours = models.PositiveSmallIntegerField(
        default=48,
        help_text="Cancelled by the client more than this many hours ahead: full refund.",
    )
    partial_refund_hours = models.PositiveSmallIntegerField(
        default=24, help_text="More than this many hours ahead: the partial refund below."
    )
    partial_refund_percent = models.PositiveSmallIntegerField(
        default=50, validators=[MaxValueValidator(100)]
    )

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["coach", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_min__lte=models.F("duration_default"))
                & models.Q(duration_default__lte=models.F("duration_max")),
                name="session_type_duration_order",
            ),
            models.CheckConstraint(
                condition=models.Q(duration_step__gt=0), name="session_type_step_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(full_refund_hours__gte=models.F("partial_refund_hours")),
                name="session_type_refund_tiers_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        for field in ("duration_default", "duration_min", "duration_max", "duration_step"):
            value = getattr(self, field)
            if value is not None and (value <= 0 or value % GRID_MINUTES):
                errors[field] = f"Use a positive multiple of {GRID_MINUTES} minutes."
        if not errors and not (self.duration_min <= self.duration_default <= self.duration_max):
            errors["duration_default"] = (
                "The default must lie between the shortest and longest duration."
            )
        if self.full_refund_hours < self.partial_refund_hours:
            errors["full_refund_hours"] = (
                "The full-refund deadline must be earlier than the partial one."
            )
        if errors:
            raise ValidationError(errors)

    def allowed_durations(self) -> list[int]:
        return list(range(self.duration_min, self.duration_max + 1, self.duration_step))
