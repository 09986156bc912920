"""1:1 sessions: what a coach offers, when they are free, what it costs, and the bookings.

Availability lives in its own table (not as flagged bookings like the predecessor): a booking
carves the time it uses out of the coach's slots and remembers the pieces in
`consumed_availability`, so that a decline or cancellation can put exactly that time back and
merge it with its neighbours. All datetimes are UTC; wall-clock rules (weekly availability,
evening rates, special periods) are evaluated in the coach's time zone.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

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


class AvailabilitySeries(models.Model):
    """A weekly pattern ("Mon-Fri 09:00-17:00") that generated slots in the coach's zone."""

    coach = models.ForeignKey(
        "accounts.Coach", on_delete=models.CASCADE, related_name="availability_series"
    )
    weekdays = models.JSONField(
        default=list, validators=[validate_weekdays], help_text="0 = Monday ... 6 = Sunday"
    )
    start_time = models.TimeField()
    end_time = models.TimeField()
    first_date = models.DateField()
    last_date = models.DateField()
    timezone = models.CharField(max_length=64, help_text="The zone the wall-clock times are in.")
    instant_booking = models.BooleanField(default=False)
    session_type = models.ForeignKey(SessionType, null=True, blank=True, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "availability series"

    def __str__(self) -> str:
        days = ", ".join(dict(WEEKDAY_CHOICES)[d][:3] for d in sorted(self.weekdays))
        times = f"{self.start_time:%H:%M}-{self.end_time:%H:%M}"
        return f"{days} {times} ({self.first_date} to {self.last_date})"

    def clean(self) -> None:
        errors = {}
        if (
            self.start_time
            and self.end_time
            and self.end_time <= self.start_time
            and self.end_time.hour + self.end_time.minute
        ):
            errors["end_time"] = "The end must be after the start."
        for name in ("start_time", "end_time"):
            value = getattr(self, name)
            if value and value.minute % GRID_MINUTES:
                errors[name] = "Use a time on the quarter hour (:00, :15, :30, :45)."
        if self.first_date and self.last_date and self.last_date < self.first_date:
            errors["last_date"] = "The last date must not be before the first."
        if errors:
            raise ValidationError(errors)


class AvailabilitySlot(models.Model):
    """A stretch of time the coach can be booked in. Booking carves it; cancelling restores it."""

    coach = models.ForeignKey(
        "accounts.Coach", on_delete=models.CASCADE, related_name="availability"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    instant_booking = models.BooleanField(
        default=False,
        help_text="Clients may book this time firmly (no approval), if the type allows it.",
    )
    session_type = models.ForeignKey(
        SessionType,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text="Only this session type may be booked here (empty: any of the coach's types).",
    )
    series = models.ForeignKey(
        AvailabilitySeries, null=True, blank=True, on_delete=models.SET_NULL, related_name="slots"
    )
    title = models.CharField(max_length=120, default="Availability", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start"]
        indexes = [models.Index(fields=["coach", "start"]), models.Index(fields=["coach", "end"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="availability_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.coach} {self.start:%Y-%m-%d %H:%M}-{self.end:%H:%M} UTC"

    def clean(self) -> None:
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": "The end must be after the start."})
        for name in ("start", "end"):
            value = getattr(self, name)
            if value and (value.minute % GRID_MINUTES or value.second or value.microsecond):
                raise ValidationError(
                    {name: "Use a time on the quarter hour (:00, :15, :30, :45)."}
                )


class TimeBasedRate(models.Model):
    """A surcharge or reduction for certain wall-clock hours, e.g. +20% after 18:00 on Fridays."""

    coach = models.ForeignKey(
        "accounts.Coach", on_delete=models.CASCADE, related_name="time_based_rates"
    )
    name = models.CharField(max_length=80)
    weekdays = models.JSONField(
        default=list, validators=[validate_weekdays], help_text="0 = Monday ... 6 = Sunday"
    )
    start_time = models.TimeField()
    end_time = models.TimeField(help_text="00:00 means midnight at the end of the day.")
    percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("-100")), MaxValueValidator(Decimal("500"))],
        help_text="+20 charges 20% more in this window, -10 charges 10% less.",
    )
    session_type = models.ForeignKey(SessionType, null=True, blank=True, on_delete=models.CASCADE)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["coach", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.percent:+}%)"


class SpecialPeriod(models.Model):
    """A date range with its own hourly rate (holidays, a launch week, ...)."""

    coach = models.ForeignKey(
        "accounts.Coach", on_delete=models.CASCADE, related_name="special_periods"
    )
    name = models.CharField(max_length=80)
    start_date = models.DateField()
    end_date = models.DateField(help_text="Inclusive.")
    hourly_rate = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    session_type = models.ForeignKey(SessionType, null=True, blank=True, on_delete=models.CASCADE)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["coach", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="special_period_dates_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.start_date}–{self.end_date}"


class DiscountCode(models.Model):
    """A code a coach hands out: percentage or fixed amount, validity window, usage limits."""

    class Kind(models.TextChoices):
        PERCENT = "percent", "Percentage"
        FIXED = "fixed", "Fixed amount"

    coach = models.ForeignKey(
        "accounts.Coach", on_delete=models.CASCADE, related_name="discount_codes"
    )
    code = models.CharField(max_length=40, help_text="Case does not matter; stored in capitals.")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.PERCENT)
    value = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="Percent (10 = 10%) or an amount in the coach's currency.",
    )
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    max_uses = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: unlimited.")
    max_uses_per_client = models.PositiveIntegerField(
        null=True, blank=True, help_text="Empty: unlimited."
    )
    session_types = models.ManyToManyField(
        SessionType, blank=True, help_text="Empty: every session type."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["coach", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["coach", "code"], name="discount_code_unique_per_coach"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="percent") | models.Q(value__lte=100),
                name="discount_percent_max_100",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs):
        self.code = self.code.strip().upper()
        super().save(*args, **kwargs)


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

    class Meta:
        ordering = ["start"]
        indexes = [
            models.Index(fields=["coach", "start"]),
            models.Index(fields=["client", "start"]),
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
        if self.client_id:
            return self.client.get_full_name() or self.client.email
        return self.guest_name or self.guest_email

    @property
    def person_email(self) -> str:
        return self.client.email if self.client_id else self.guest_email

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
