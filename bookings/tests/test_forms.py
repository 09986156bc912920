"""Availability forms refuse a time range that ends before it starts."""

import datetime as dt

import pytest

from bookings.forms import AvailabilityForm, WeeklyAvailabilityForm


@pytest.mark.parametrize(
    ("form_class", "extra"),
    [
        (AvailabilityForm, {"date": "2030-01-07"}),
        (
            WeeklyAvailabilityForm,
            {"weekdays": ["0"], "first_date": "2030-01-07", "last_date": "2030-02-07"},
        ),
    ],
)
def test_an_end_before_the_start_is_refused(form_class, extra):
    form = form_class(data={"start_time": "17:00", "end_time": "09:00", **extra})
    assert not form.is_valid()
    assert form.non_field_errors() == ["The end must be after the start."]


def test_a_valid_range_is_accepted():
    form = AvailabilityForm(data={"date": "2030-01-07", "start_time": "09:00", "end_time": "17:00"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["end_time"] == dt.time(17)
