"""A client's review of a coach, tied to the one thing they attended: a 1:1 booking or a
webinar registration (never both). The database enforces what a race could break: one review
per booking and per registration (partial unique constraints), exactly one target, a rating
from 1 to 5."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

RATING_MIN, RATING_MAX = 1, 5
TEXT_MAX_LENGTH = 2000
REPLY_MAX_LENGTH = 2000


class ReviewQuerySet(models.QuerySet):
    def shown(self) -> ReviewQuerySet:
        """What the public sees and what the average counts: not hidden by moderation."""
        return self.filter(hidden_at__isnull=True)


class Review(models.Model):
    coach = models.ForeignKey("accounts.Coach", on_delete=models.CASCADE, related_name="reviews")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews_written"
    )
    booking = models.ForeignKey(
        "bookings.Booking",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reviews",
    )
    registration = models.ForeignKey(
        "webinars.Registration",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reviews",
    )
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(RATING_MIN), MaxValueValidator(RATING_MAX)]
    )
    # Optional: a star rating alone is a review too; text is what most people read.
    text = models.TextField(max_length=TEXT_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(
        null=True, blank=True, help_text="Hidden by moderation: not shown, not in the average."
    )
    hidden_reason = models.CharField(max_length=255, blank=True)
    reply_text = models.TextField("coach's reply", max_length=REPLY_MAX_LENGTH, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["coach", "-created_at"], name="review_coach_newest")]
        constraints = [
            models.CheckConstraint(
                condition=Q(booking__isnull=False, registration__isnull=True)
                | Q(booking__isnull=True, registration__isnull=False),
                name="review_exactly_one_target",
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=RATING_MIN, rating__lte=RATING_MAX),
                name="review_rating_1_to_5",
            ),
            models.UniqueConstraint(
                fields=["booking"],
                condition=Q(booking__isnull=False),
                name="review_one_per_booking",
            ),
            models.UniqueConstraint(
                fields=["registration"],
                condition=Q(registration__isnull=False),
                name="review_one_per_registration",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}★ for {self.coach} by {self.author}"

    def get_absolute_url(self) -> str:
        return f"{self.coach.get_absolute_url()}#review-{self.pk}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def target_label(self) -> str:
        if self.booking is not None:  # no query when booking_id is None
            return self.booking.title
        if self.registration is not None:
            return self.registration.webinar.title
        return ""  # not reached: the target constraint names exactly one
