from django import template

from moderation.models import Flag

register = template.Library()


@register.simple_tag
def flag_reasons():
    """The reasons a person may choose when reporting something (value, label)."""
    return Flag.Reason.choices
