"""`{% page_url param value %}`: this page's URL with one query parameter set (others kept,
so filters survive paging), and the cursor parameters of the other pager dropped."""

from __future__ import annotations

from django import template

register = template.Library()

CURSOR_PARAMS = ("after", "before")


@register.simple_tag(takes_context=True)
def page_url(context, param: str, value) -> str:
    request = context["request"]
    query = request.GET.copy()
    if param in CURSOR_PARAMS:
        for other in CURSOR_PARAMS:
            query.pop(other, None)
    if value in (None, ""):
        query.pop(param, None)
    else:
        query[param] = str(value)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else request.path
