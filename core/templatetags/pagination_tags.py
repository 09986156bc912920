"""`{% page_url param value %}`: this page's URL with one query parameter set (others kept,
so filters survive paging), and the cursor parameters of the other pager dropped.
`{% cursor_url page direction %}`: this page's URL moved by one window of a keyset `page`
that has its own cursor parameters (a page with several lists, each paged on its own)."""

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


@register.simple_tag(takes_context=True)
def cursor_url(context, page, direction: str) -> str:
    """`direction` "next", "prev" or "first" (the list's first window): `page`'s own cursor
    parameters (`param_after`, `param_before`) replaced, every other one kept (the cursor of
    another list on the same page, filters)."""
    request = context["request"]
    query = request.GET.copy()
    query.pop(page.param_after, None)
    query.pop(page.param_before, None)
    if direction == "next" and page.next_cursor:
        query[page.param_after] = page.next_cursor
    elif direction == "prev" and page.prev_cursor:
        query[page.param_before] = page.prev_cursor
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else request.path
