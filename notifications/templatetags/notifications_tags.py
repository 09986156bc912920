from django import template

from notifications.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications_count(context) -> int:
    """The signed-in user's unread count (0 for anonymous), counted once per request."""
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    cached = getattr(request, "_unread_notifications_count", None) if request else None
    if cached is None:
        cached = unread_count(user_id=user.pk)
        if request is not None:
            request._unread_notifications_count = cached
    return cached
