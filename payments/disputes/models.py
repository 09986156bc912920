"""Stripe disputes (chargebacks and inquiries) as we know them: one row per Stripe dispute,
created by the first `charge.dispute.*` event that names it (in any order), linked to our
payment, its coach and what was bought when we know the charge. See docs/disputes.md.

Imported by payments/models.py, so these are models of the `payments` app."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

# Stripe's dispute statuses, in the order a dispute moves through them. A status of a later
# rank never goes back to an earlier one (events arrive late and out of order): see
# payments.disputes.services.dispute_sync.
OPEN_STATUSES = ("warning_needs_response", "warning_under_review", "needs_response", "under_review")
CLOSED_STATUSES = ("warning_closed", "won", "lost", "prevented")
STATUS_RANK = {status: rank for rank, status in enumerate(OPEN_STATUSES)} | dict.fromkeys(
    CLOSED_STATUSES, len(OPEN_STATUSES)
)
# Evidence can be sent while Stripe waits for it.
NEEDS_RESPONSE = ("warning_needs_response", "needs_response")


class Dispute(models.Model):
    class Status(models.TextChoices):
        WARNING_NEEDS_RESPONSE = "warning_needs_response", "Inquiry: needs response"
        WARNING_UNDER_REVIEW = "warning_under_review", "Inquiry: under review"
        WARNING_CLOSED = "warning_closed", "Inquiry closed"
        NEEDS_RESPONSE = "needs_response", "Needs response"
        UNDER_REVIEW = "under_review", "Under review"
        WON = "won", "Won"
        LOST = "lost", "Lost"
        PREVENTED = "prevented", "Prevented"

    class Outcome(models.TextChoices):
        OPEN = "", "Open"
        WON = "won", "Won (money stays)"
        LOST = "lost", "Lost (money went back)"

    stripe_dispute_id = models.CharField(max_length=255, unique=True)
    stripe_charge_id = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_payment_intent_id = models.CharField(max_length=255, blank=True)
    # Null when the charge is not one of ours (still recorded, for staff to look at).
    payment = models.ForeignKey(
        "payments.Payment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disputes",
    )
    coach = models.ForeignKey(
        "accounts.Coach",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disputes",
    )
    # What was bought, as the purpose's app describes it (payments imports neither app).
    purchase_label = models.CharField(max_length=255, blank=True)

    status = models.CharField(max_length=24, choices=Status.choices, db_index=True)
    reason = models.CharField(max_length=64, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    due_by = models.DateTimeField(null=True, blank=True)
    is_charge_refundable = models.BooleanField(default=False)
    stripe_object = models.JSONField(default=dict, help_text="The newest dispute object seen.")

    evidence = models.JSONField(default=dict, blank=True, help_text="Staged by staff.")
    evidence_staged_at = models.DateTimeField(null=True, blank=True)
    evidence_staged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set before the Stripe call (a second click is refused), cleared if Stripe was unreachable.
    submit_started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Effects on our side (each applied once; see services).
    payment_status_before = models.CharField(max_length=24, blank=True)
    payout_status_before = models.CharField(max_length=12, blank=True)
    frozen_at = models.DateTimeField(null=True, blank=True)
    coach_reversed = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=Decimal(0),
        help_text="Coach's part taken back from a paid transfer when the dispute opened.",
    )
    outcome = models.CharField(max_length=8, choices=Outcome.choices, blank=True, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    loss_policy = models.CharField(max_length=16, blank=True)
    coach_loss = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    platform_loss = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    retransfer_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    retransfer_id = models.CharField(max_length=255, blank=True)
    retransfer_error = models.TextField(blank=True)
    funds_withdrawn_at = models.DateTimeField(null=True, blank=True)
    funds_reinstated_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["outcome", "due_by"])]

    def __str__(self) -> str:
        return f"Dispute {self.stripe_dispute_id} {self.currency} {self.amount} ({self.status})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("admin:payments_dispute_change", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.outcome == "" and self.status in OPEN_STATUSES

    @property
    def can_submit_evidence(self) -> bool:
        return self.is_open and self.status in NEEDS_RESPONSE and self.submit_started_at is None

    @property
    def submit_idempotency_key(self) -> str:
        return f"dispute-evidence-{self.stripe_dispute_id}"

    @property
    def retransfer_pending(self) -> bool:
        return self.retransfer_amount > 0 and not self.retransfer_id
