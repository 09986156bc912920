from decimal import Decimal

from django import forms

from payments.refunds.models import RefundPolicy


class StaffRefundForm(forms.Form):
    """Staff refund from the payment's admin page: amount (blank = all), policy, note."""

    amount = forms.DecimalField(
        label="Amount",
        required=False,
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        help_text="In the payment's currency; leave empty for everything still refundable.",
    )
    policy = forms.ChoiceField(label="Who bears the cost", choices=RefundPolicy.choices)
    note = forms.CharField(
        label="Note (why; kept on the ledger row)",
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
