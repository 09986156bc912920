"""One refund attempt: reserved under the payment lock before Stripe is called, finished
(or failed) after. Imported by payments/models.py, so a model of the `payments` app."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class RefundPolicy(models.TextChoices):
    STANDARD = "standard", "Standard (coach and platform in proportion)"
    PLATFORM_FAULT = "platform_fault", "Platform fault (the platform bears it all)"
    GOODWILL = "goodwill", "Goodwill (paid from the platform fee)"


class RefundInitiator(models.TextChoices):
    CLIENT_POLICY = "client_policy", "Client (cancellation policy)"
    COACH = "coach", "Coach"
    STAFF = "staff", "Staff"
    SYSTEM = "system", "System"


class Refund(models.Model):
    """`pending` holds its amount against the payment's refundable amount until Stripe
    answers; a pending refund is retried with the same idempotency key (payments_reconcile),
    so it is never lost and never doubled."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending at Stripe"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    payment = models.ForeignKey(
        "payments.Payment", on_delete=models.PROTECT, related_name="refund_attempts"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    policy = models.CharField(max_length=16, choices=RefundPolicy.choices)
    initiator = models.CharField(max_length=16, choices=RefundInitiator.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(max_length=255)
    note = models.TextField(blank=True)
    notify = models.BooleanField(default=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    stripe_refund_id = models.CharField(max_length=255, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_positive")
        ]

    def __str__(self) -> str:
        return f"Refund {self.currency} {self.amount} ({self.policy}, {self.status})"

    @property
    def idempotency_key(self) -> str:
        return f"refund-attempt-{self.pk}"
