"""What a session costs: time-based rates, special periods, discount codes."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from bookings.models.offers import SessionType, validate_weekdays


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
