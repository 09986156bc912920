from django import template
from django.conf import settings

from core.calendar_files import google_calendar_url

register = template.Library()


@register.simple_tag
def google_calendar(title, start, end, path=""):
    """`{% google_calendar title start end path %}`: the Google Calendar "add event" URL."""
    details = f"{settings.SITE_URL}{path}" if path else ""
    return google_calendar_url(title=str(title), start=start, end=end, details=details)
