"""My Bookings formats each row's times once in Python (core.my_bookings.moment): the same
strings the `date` filters gave, in the viewer's zone, across a DST change."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import time as time_filter
from django.utils import timezone

from core.my_bookings import moment


@pytest.mark.parametrize("zone", ["Europe/Zurich", "Asia/Tokyo", "America/Los_Angeles", "UTC"])
@pytest.mark.parametrize(
    "value",
    [
        dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC),  # Zurich changes to summer time at 01:00
        dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 31, 23, 5, 9, tzinfo=dt.UTC),
    ],
)
def test_row_times_equal_the_date_filters(zone, value):
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        shown = moment(value)
        local = timezone.localtime(value)  # what a template does before its filters
        assert shown.iso == date_filter(local, "Y-m-d\\TH:i:sO")
        assert shown.label == date_filter(local, "D j M Y, H:i")
        assert shown.time == time_filter(local, "H:i")


def test_no_time_shows_nothing():
    assert moment(None) is None
