"""When a coach is free: availability series and the slots they produce."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from bookings.models.offers import GRID_MINUTES, WEEKDAY_CHOICES, SessionType, validate_weekdays


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
