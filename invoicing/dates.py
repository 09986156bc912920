import zoneinfo
from datetime import date

from django.conf import settings
from django.utils import timezone


def platform_date(moment) -> date:
    """The calendar date of `moment` where the platform is (invoice dates, number years)."""
    return timezone.localdate(moment, zoneinfo.ZoneInfo(settings.PLATFORM_TIME_ZONE))
