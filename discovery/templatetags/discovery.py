from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def coach_link(coach):
    """The coach's name linking to their public profile (discovery:coach_profile)."""
    user = coach.user
    name = user.get_full_name() or user.display_name
    if not coach.slug:
        return name
    return format_html('<a href="{}">{}</a>', coach.get_absolute_url(), name)
