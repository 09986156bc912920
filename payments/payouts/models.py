"""Money out (docs/payouts.md): coaches' Connect accounts, what each payment owes its coach,
reversals after refunds, debts netted from later payouts, and settlement advices.

Imported by payments/models.py, so these are models of the `payments` app."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q


class ConnectAccount(models.Model):
    """The coach's Stripe Express account as Stripe last told us (account.updated or a fetch).

    Never set from the onboarding return URL. `Coach.stripe_account_id` holds the same id."""

    coach = models.OneToOneField(
        "accounts.Coach", on_delete=models.CASCADE, related_name="connect_account"
    )
    stripe_account_id = models.CharField(max_length=255, unique=True)
    details_submitted = models.BooleanField(default=False)
    payouts_enabled = models.BooleanField(default=False)
    transfers_capability = models.CharField(max_length=16, default="inactive")
    requirements_due = models.JSONField(default=list, blank=True)
    disabled_reason = models.CharField(max_length=255, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    READY = Q(details_submitted=True, payouts_enabled=True, transfers_capability="active")

    class Meta:
        indexes = [models.Index(fields=["payouts_enabled", "details_submitted"])]

    def __str__(self) -> str:
        return f"{self.stripe_account_id} ({self.state})"

    @property
    def is_ready(self) -> bool:
        return (
            self.details_submitted
            and self.payouts_enabled
            and (self.transfers_capability == "active")
        )

    @property
    def state(self) -> str:
        return "ready" if self.is_ready else "details_missing"


class Settlement(models.Model):
    """One payout run's statement for one coach; its PDF is rendered once and never changed."""

    coach = models.ForeignKey(
        "accounts.Coach", on_delete=models.PROTECT, related_name="settlements"
    )
    run_id = models.CharField(max_length=32, db_index=True)
    currency = models.CharField(max_length=3)
    total_transferred = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    pdf = models.FileField(upload_to="settlements/%Y/%m/", blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["coach", "run_id", "currency"], name="settlement_once")
        ]

    def __str__(self) -> str:
        return f"Settlement advice {self.pk} ({self.currency} {self.total_transferred})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("payouts:advice_pdf", args=[self.pk])


class PayoutItem(models.Model):
    """What one payment owes its coach, transferred once the service was delivered and the
    hold period passed. `amount` = `gross_share` - `refund_deduction` (who bears a refund is
    the refund policy's decision: payout_item_adjust_for_refund)."""

    class Status(models.TextChoices):
        ON_HOLD = "on_hold", "On hold"
        PENDING = "pending", "Due"
        PROCESSING = "processing", "Processing"
        PAID = "paid", "Paid"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Nothing to pay (refunded)"
        # An open dispute on the payment: the run never claims it (payments/payouts/disputes.py).
        FROZEN = "frozen", "Frozen (disputed)"

    payment = models.OneToOneField(
        "payments.Payment", on_delete=models.PROTECT, related_name="payout_item"
    )
    coach = models.ForeignKey(
        "accounts.Coach", on_delete=models.PROTECT, related_name="payout_items"
    )
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.ON_HOLD, db_index=True
    )
    currency = models.CharField(max_length=3)
    gross_share = models.DecimalField(max_digits=12, decimal_places=2)
    refund_deduction = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    debt_netted = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, help_text="Earlier debts taken from this item."
    )
    amount_transferred = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    amount_reversed = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    transfer_group = models.CharField(max_length=64)
    service_ended_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    run_id = models.CharField(max_length=32, blank=True)
    stripe_transfer_id = models.CharField(max_length=255, blank=True)
    last_error = models.TextField(blank=True)
    blocked_reason = models.CharField(max_length=255, blank=True)
    settlement = models.ForeignKey(
        Settlement, null=True, blank=True, on_delete=models.PROTECT, related_name="items"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(refund_deduction__lte=F("gross_share")),
                name="payout_deduction_le_share",
            ),
            models.CheckConstraint(condition=Q(debt_netted__gte=0), name="payout_netted_positive"),
        ]

    def __str__(self) -> str:
        return f"Payout item {self.pk} {self.currency} {self.amount} ({self.status})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("admin:payments_payoutitem_change", args=[self.pk])

    @property
    def amount(self) -> Decimal:
        """The coach's share after refunds (before netting debts)."""
        return self.gross_share - self.refund_deduction

    @property
    def transfer_amount(self) -> Decimal:
        return self.amount - self.debt_netted

    @property
    def idempotency_key(self) -> str:
        return f"payout-item-{self.pk}"


class PayoutReversal(models.Model):
    """A refund after the transfer: take the coach's part back from their Stripe balance.
    If the balance cannot cover it, the shortfall becomes a CoachDebt."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Reversed"
        DEBT = "debt", "Recorded as debt"

    item = models.ForeignKey(PayoutItem, on_delete=models.PROTECT, related_name="reversals")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    refund_key = models.CharField(max_length=128, unique=True, help_text="One per refund.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    stripe_reversal_id = models.CharField(max_length=255, blank=True)
    settlement = models.ForeignKey(
        Settlement, null=True, blank=True, on_delete=models.PROTECT, related_name="reversals"
    )
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Reversal {self.pk} {self.amount} ({self.status})"


class CoachDebt(models.Model):
    """Money a coach owes the platform (a reversal their balance could not cover), netted
    from their next payouts until `remaining` is 0. Never silently dropped."""

    coach = models.ForeignKey("accounts.Coach", on_delete=models.PROTECT, related_name="debts")
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    remaining = models.DecimalField(max_digits=12, decimal_places=2)
    reason = models.CharField(max_length=255)
    reversal = models.OneToOneField(
        PayoutReversal, null=True, blank=True, on_delete=models.PROTECT, related_name="debt"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(remaining__gte=0) & Q(remaining__lte=F("amount")),
                name="debt_remaining_in_range",
            )
        ]

    def __str__(self) -> str:
        return f"Debt {self.pk} {self.currency} {self.remaining}/{self.amount}"


class DebtNetting(models.Model):
    """Part of a debt taken from one payout item (listed on that run's settlement advice)."""

    debt = models.ForeignKey(CoachDebt, on_delete=models.PROTECT, related_name="nettings")
    item = models.ForeignKey(PayoutItem, on_delete=models.PROTECT, related_name="nettings")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.amount} of debt {self.debt_id} from item {self.item_id}"
