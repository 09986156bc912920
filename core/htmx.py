"""`Vary: HX-Request` on every response that depended on whether htmx asked.

A view (or its template) that answers a fragment to htmx and the whole page otherwise gives two
different bodies for one URL; without `Vary: HX-Request` a browser or proxy cache may hand the
fragment to a plain page load (the back button after a swap shows a bare fragment). The
middleware below sits right after django-htmx's and records whether `request.htmx` was asked
for its truth value (`if request.htmx:` in a view, `{% if request.htmx %}` in a template); if so
the response varies on the header (and on `HX-Target` when the view chose a fragment by the
swap's target). Views that never look at them are left alone.
"""

from __future__ import annotations

from django.utils.cache import patch_vary_headers
from django_htmx.middleware import HtmxDetails


class ConsultedHtmxDetails(HtmxDetails):
    """django-htmx's request.htmx, remembering whether anyone asked "is this htmx?"."""

    consulted = False
    target_consulted = False

    def __bool__(self) -> bool:
        self.consulted = True
        return super().__bool__()

    @property
    def target(self) -> str | None:  # the parent caches it; here each read is recorded
        self.target_consulted = True
        return self._get_header_value("HX-Target")


class HtmxVaryMiddleware:
    """After `django_htmx.middleware.HtmxMiddleware`: adds `Vary: HX-Request` to the responses
    of views that branched on `request.htmx`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        details = ConsultedHtmxDetails(request)
        request.htmx = details
        response = self.get_response(request)
        if details.consulted:
            patch_vary_headers(response, ("HX-Request",))
        if details.target_consulted:  # a fragment chosen by the swap's target
            patch_vary_headers(response, ("HX-Target",))
        return response
