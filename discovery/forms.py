from django import forms

from accounts.models import LANGUAGE_CHOICES
from bookings.models import SessionType

KIND_CHOICES = [
    ("", "Everything"),
    ("coach", "Coaches"),
    ("webinar", "Webinars"),
    ("session_type", "Session types"),
    ("booking", "My bookings"),
]
FORMAT_CHOICES = [("", "Any format"), ("webinar", "Webinar"), *SessionType.Format.choices]


class SearchForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=10_000)
    kind = forms.ChoiceField(label="Show", choices=KIND_CHOICES, required=False)
    min_price = forms.DecimalField(label="Price from", required=False, min_value=0, max_digits=10)
    max_price = forms.DecimalField(label="Price up to", required=False, min_value=0, max_digits=10)
    date_from = forms.DateField(
        label="From date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    language = forms.ChoiceField(
        label="Coach's language", choices=[("", "Any language"), *LANGUAGE_CHOICES], required=False
    )
    format = forms.ChoiceField(label="Format", choices=FORMAT_CHOICES, required=False)

    def __init__(self, data=None, **kwargs):
        # The contract names the date parameters `from` and `to`.
        if data is not None:
            data = data.copy()
            for key, name in (("from", "date_from"), ("to", "date_to")):
                if key in data and name not in data:
                    data[name] = data[key]
        super().__init__(data, **kwargs)
