import datetime as dt

from django import forms

from bookings.models import WEEKDAY_CHOICES, SessionType
from core.forms import SingleLineInputsMixin


class TimeRangeMixin:
    """`start_time` / `end_time` fields whose end must come after their start."""

    def clean(self):
        data = super().clean()
        if (
            data.get("start_time")
            and data.get("end_time")
            and data["end_time"] <= data["start_time"]
        ):
            raise forms.ValidationError("The end must be after the start.")
        return data


class AvailabilityForm(TimeRangeMixin, forms.Form):
    """A one-off stretch of free time, entered in the coach's own zone."""

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time", "step": 900}))
    end_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time", "step": 900}))
    instant_booking = forms.BooleanField(
        required=False, label="Clients may book this time instantly"
    )


class WeeklyAvailabilityForm(TimeRangeMixin, forms.Form):
    weekdays = forms.TypedMultipleChoiceField(
        choices=WEEKDAY_CHOICES, coerce=int, widget=forms.CheckboxSelectMultiple, label="Every"
    )
    start_time = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time", "step": 900}), initial=dt.time(9)
    )
    end_time = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time", "step": 900}), initial=dt.time(17)
    )
    first_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="From")
    last_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Until")
    instant_booking = forms.BooleanField(
        required=False, label="Clients may book this time instantly"
    )


class SessionTypeForm(SingleLineInputsMixin, forms.ModelForm):
    class Meta:
        model = SessionType
        fields = ("name", "duration_default", "duration_min", "duration_max", "duration_step")
