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


class RefundRequest(models.Model):
    """A client's request for money back (the seed's support ticket): the coach answers
    first, staff decide when the coach declines or stays silent (docs/refunds.md)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open (coach to answer)"
        APPROVED = "approved", "Approved in full"
        PARTIALLY_APPROVED = "partially_approved", "Partially approved"
        DECLINED = "declined", "Declined by the coach"
        ESCALATED = "escalated", "Escalated to staff"
        RESOLVED = "resolved", "Resolved by staff"

    class Reason(models.TextChoices):
        NOT_DELIVERED = "not_delivered", "The service did not take place"
        QUALITY = "quality", "Quality was not as described"
        TECHNICAL = "technical", "Technical problems"
        DUPLICATE = "duplicate", "Charged twice"
        OTHER = "other", "Other"

    ACTIVE = (Status.OPEN, Status.DECLINED, Status.ESCALATED)
    FINAL = (Status.APPROVED, Status.PARTIALLY_APPROVED, Status.RESOLVED)

    payment = models.ForeignKey(
        "payments.Payment", on_delete=models.PROTECT, related_name="refund_requests"
    )
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="refund_requests"
    )
    coach = models.ForeignKey(
        "accounts.Coach", on_delete=models.PROTECT, related_name="refund_requests"
    )
    purchase_label = models.CharField(max_length=255, blank=True)
    service_end = models.DateTimeField(null=True, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, help_text="Asked for.")
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    coach_due_at = models.DateTimeField(help_text="The coach answers by then, else staff.")
    decided_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    decided_policy = models.CharField(max_length=16, choices=RefundPolicy.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decline_reason = models.TextField(blank=True)
    staff_note = models.TextField(blank=True)
    refund = models.ForeignKey(
        Refund, on_delete=models.PROTECT, null=True, blank=True, related_name="requests"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One request at a time per payment (two at once: the second gets 409).
            models.UniqueConstraint(
                fields=["payment"],
                condition=models.Q(status__in=("open", "declined", "escalated")),
                name="refund_request_one_active_per_payment",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="refund_request_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"Refund request {self.pk}: {self.purchase_label or self.payment_id}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("payments:refund_request_detail", args=[self.pk])

    @property
    def refund_pending(self) -> bool:
        return self.refund is not None and self.refund.status == Refund.Status.PENDING


class RefundRequestMessage(models.Model):
    request = models.ForeignKey(RefundRequest, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=8)  # client, coach, staff
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.role} on request {self.request_id}"


class RefundRequestEvent(models.Model):
    """Audit trail: every step of a request (who, when, what). Append-only."""

    request = models.ForeignKey(RefundRequest, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=24)
    detail = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} on request {self.request_id}"
