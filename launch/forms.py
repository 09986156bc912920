from django import forms

from launch.models import Lead


class LeadForm(forms.Form):
    email = forms.EmailField(label="Email address", max_length=254)
    role = forms.ChoiceField(
        label="I am a", choices=Lead.Role.choices, widget=forms.RadioSelect, initial="client"
    )
