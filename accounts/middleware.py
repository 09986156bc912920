import zoneinfo
from functools import lru_cache

from django.conf import settings
from django.utils import timezone

# Logged-out visitors: the zone their browser reported (static/js/timezone.js) or that they
# picked (/accounts/timezone/), kept in this cookie.
TIMEZONE_COOKIE = "tz"


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def zone_from_cookie(value: str | None) -> zoneinfo.ZoneInfo | None:
    """The zone a cookie names, or None for anything that is not a known IANA zone."""
    if not value or len(value) > 64 or value not in _known_zones():
        return None
    try:
        return zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


class UserTimezoneMiddleware:
    """Render every time in the viewer's zone: their profile's; logged out, the browser's
    (cookie); else the site default."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.default = zoneinfo.ZoneInfo(settings.DEFAULT_USER_TIMEZONE)

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            tz = user.tzinfo
        else:
            tz = zone_from_cookie(request.COOKIES.get(TIMEZONE_COOKIE)) or self.default
        timezone.activate(tz)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
