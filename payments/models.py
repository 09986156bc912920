from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce


class Payment(models.Model):
    """One payment a client makes to a coach through Stripe (statuses as seed 001).

    What it pays for points here: `webinars.Registration.payment` or `bookings.Booking.payment`.
    Amounts are Decimal in the currency's unit; `price_snapshot` freezes the breakdown the
    client was quoted and never changes after creation.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PENDING = "pending", "Pending"
        PROCESSING = "processing", "Processing"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        REFUNDED = "refunded", "Refunded"
        PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
        DISPUTED = "disputed", "Disputed"

    class Purpose(models.TextChoices):
        WEBINAR_REGISTRATION = "webinar_registration", "Webinar registration"
        SESSION_BOOKING = "session_booking", "1:1 session booking"

    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments"
    )
    coach = models.ForeignKey(
        "accounts.Coach", on_delete=models.PROTECT, related_name="payments_received"
    )
    purpose = models.CharField(max_length=32, choices=Purpose.choices)
    status = models.CharField(
        max_length=24, choices=Status.choices, default=Status.DRAFT, db_index=True
    )

    currency = models.CharField(max_length=3, default="CHF")
    amount_total = models.DecimalField(
        max_digits=12, decimal_places=2, help_text="What the client pays."
    )
    amount_net = models.DecimalField(max_digits=12, decimal_places=2, help_text="Total less VAT.")
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2)
    vat_amount = models.DecimalField(max_digits=12, decimal_places=2)
    vat_included = models.BooleanField(default=True)
    platform_fee = models.DecimalField(max_digits=12, decimal_places=2)
    coach_share = models.DecimalField(max_digits=12, decimal_places=2)
    amount_refunded = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    # What Stripe says it captured (set when the payment completes). Normally amount_total;
    # differs only on an amount mismatch or a partial capture. Refunds are bounded by it.
    amount_captured = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    price_snapshot = models.JSONField(default=dict, help_text="The quoted breakdown, frozen.")

    stripe_payment_intent_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_charge_id = models.CharField(max_length=255, blank=True)
    # Stripe transfer_group of the intent and of the coach's payout transfer (booking_<id>).
    transfer_group = models.CharField(max_length=64, blank=True)
    stripe_customer_id = models.CharField(max_length=255, blank=True)
    stripe_payment_method_id = models.CharField(max_length=255, blank=True)
    # Handed to the payer's browser only (Stripe.js 3-D Secure); never logged.
    stripe_client_secret = models.CharField(max_length=255, blank=True)
    capture_method = models.CharField(max_length=16, default="automatic")
    authorized_at = models.DateTimeField(null=True, blank=True, help_text="Manual capture.")
    # Non-empty: money must go back (seat gone, amount mismatch). Cleared once refunded;
    # reconcile_payments retries it if the refund after commit could not reach Stripe.
    refund_owed_reason = models.CharField(max_length=255, blank=True)

    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True)
    decline_code = models.CharField(max_length=64, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_total__gte=0), name="payment_total_non_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    amount_refunded__lte=Coalesce(
                        models.F("amount_captured"), models.F("amount_total")
                    )
                ),
                name="payment_refund_within_charge",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.amount_total} {self.get_purpose_display()} ({self.status})"

    @property
    def charged_amount(self) -> Decimal:
        """What the payer was charged: Stripe's captured amount once known, else the quote."""
        return self.amount_total if self.amount_captured is None else self.amount_captured

    @property
    def refundable_amount(self) -> Decimal:
        return self.charged_amount - self.amount_refunded

    @property
    def intent_id(self) -> str:
        """The Stripe PaymentIntent's id, for the calls that act on it. Every payment our code
        records has one (payment_open creates the intent first); the column is nullable for
        rows made by hand (admin, imports), and for those there is nothing at Stripe to
        capture, cancel or refund."""
        if not self.stripe_payment_intent_id:
            from payments.errors import PaymentNotPayable

            raise PaymentNotPayable(
                "This payment never reached Stripe, so there is nothing there to act on.",
                code="no_intent",
            )
        return self.stripe_payment_intent_id


class Transaction(models.Model):
    """Append-only ledger: every charge, refund and fee as its own row. Never updated."""

    class Kind(models.TextChoices):
        CHARGE = "charge", "Charge"
        REFUND = "refund", "Refund"
        FEE = "fee", "Platform fee"

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="transactions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    stripe_object_id = models.CharField(
        max_length=255, blank=True, help_text="Charge or refund id."
    )
    note = models.CharField(max_length=255, blank=True)
    # Refund rows: the cost policy, who initiated it (payments.refunds.models) and the user.
    policy = models.CharField(max_length=16, blank=True)
    initiator = models.CharField(max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # One ledger row per Stripe object and kind: a replayed webhook cannot book twice.
            models.UniqueConstraint(
                fields=["kind", "stripe_object_id"],
                condition=~models.Q(stripe_object_id=""),
                name="transaction_unique_stripe_object",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.currency} {self.amount}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Ledger rows are append-only.")
        super().save(*args, **kwargs)


class WebhookEvent(models.Model):
    """Inbox of Stripe events. The unique event id makes each event take effect once."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Ignored (type not handled)"
        FAILED = "failed", "Failed"

    stripe_event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.stripe_event_id} ({self.status})"


# Money out (payments/payouts/): defined there, registered as models of this app.
# Disputes (payments/disputes/): defined there, registered as models of this app.
from payments.disputes.models import Dispute  # noqa: E402, F401
from payments.payouts.models import (  # noqa: E402, F401
    CoachDebt,
    ConnectAccount,
    DebtNetting,
    PayoutItem,
    PayoutReversal,
    Settlement,
)
from payments.refunds.models import (  # noqa: E402, F401
    Refund,
    RefundRequest,
    RefundRequestEvent,
    RefundRequestMessage,
)
