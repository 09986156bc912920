"""Conditional GET for public pages: an anonymous visitor who already has the page gets a 304
instead of the same bytes again.

The ETag is a hash of the rendered page with its CSRF token taken out (a fresh mask every
render, though every mask of the visitor's secret is equally valid) and of that secret: so a
304 is only ever sent when the copy the browser holds has exactly this content and a token
this visitor's cookie accepts. Logged-in viewers never get an ETag (their pages are personal)
and every response varies on Cookie and HX-Request (full page vs the htmx fragment)."""

from __future__ import annotations

import hashlib
import re
from functools import wraps

from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers

TOKEN = re.compile(rb'(?:"x-csrftoken": "|name="csrfmiddlewaretoken" value=")([A-Za-z0-9]{32,64})"')


def page_etag(request, content: bytes) -> str:
    digest = hashlib.blake2b(digest_size=16)
    digest.update(request.META.get("CSRF_COOKIE", "").encode())
    digest.update(b"\0")
    digest.update(TOKEN.sub(b'"', content))
    return f'"{digest.hexdigest()}"'


def anonymous_conditional(view):
    """For GET views whose page is the same for every anonymous visitor (with the same time
    zone cookie, which is part of the content hashed)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        patch_vary_headers(response, ("Cookie", "HX-Request"))
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True)
            return response
        if request.method != "GET" or response.status_code != 200 or response.streaming:
            return response
        response["ETag"] = page_etag(request, response.content)
        patch_cache_control(response, private=True, no_cache=True)
        conditional = get_conditional_response(request, etag=response["ETag"], response=response)
        if conditional is not response:
            for header in ("Vary", "Cache-Control"):
                conditional[header] = response[header]
        return conditional

    return wrapped
