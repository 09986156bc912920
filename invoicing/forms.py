from django import forms

from invoicing.models import BillingDetails


class BillingDetailsForm(forms.ModelForm):
    class Meta:
        model = BillingDetails
        fields = ("legal_name", "address", "vat_number", "vat_registered")
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
            "legal_name": forms.TextInput(attrs={"autocomplete": "organization"}),
        }
        help_texts = {
            "legal_name": "Leave empty to use your name.",
            "vat_number": "For business clients: e.g. CHE-123.456.789 MWST or DE123456789.",
        }

    def __init__(self, *args, show_vat_registered: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_vat_registered:
            del self.fields["vat_registered"]

    def clean_vat_number(self):
        return " ".join(self.cleaned_data["vat_number"].split())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("vat_registered") and not cleaned.get("vat_number"):
            self.add_error("vat_number", "Give your VAT number if you are registered for VAT.")
        return cleaned


class SelfBillingAcceptForm(forms.Form):
    accept = forms.BooleanField(
        label="I agree that the platform issues self-billed invoices (Gutschriften) in my "
        "name for the payouts it makes to me.",
        error_messages={"required": "Tick the box to accept the agreement."},
    )


class ContestForm(forms.Form):
    reason = forms.CharField(
        label="What is wrong with this self-billed invoice?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
