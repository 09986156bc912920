from __future__ import annotations

from typing import Any

from django import forms

EVIDENCE_LABELS = {
    "product_description": "What was bought",
    "service_date": "Service date",
    "service_documentation": "Attendance and delivery (what shows the service took place)",
    "customer_communication": "Messages with the client",
    "cancellation_policy": "Cancellation policy (as shown to the client)",
    "cancellation_policy_disclosure": "How the policy was shown before paying",
    "refund_policy": "Refund policy",
    "refund_refusal_explanation": "Why the client is not entitled to a refund",
    "uncategorized_text": "Anything else",
}


class EvidenceForm(forms.Form):
    """Stripe's text evidence fields (150,000 characters together)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in EVIDENCE_LABELS.items():
            widget = (
                forms.TextInput if name == "service_date" else forms.Textarea(attrs={"rows": 4})
            )
            self.fields[name] = forms.CharField(
                label=label, required=False, max_length=20000, widget=widget
            )


class AcceptForm(forms.Form):
    confirm = forms.BooleanField(
        label="I understand that accepting is final: the money goes back to the client.",
        required=True,
    )
