"""The launch gate: before launch everything but the public pages redirects to `/`, and `/`
is the landing page with the lead form (see launch.gate for what passes)."""

from __future__ import annotations

from django.shortcuts import redirect

from launch.gate import gate_closed_for, path_is_open

GATE_HEADER = "X-Launch-Gate"


class LaunchGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not gate_closed_for(request):
            return self.get_response(request)
        path = request.path_info
        if path == "/":
            from launch.views import landing

            return landing(request)
        if path_is_open(path):
            return self.get_response(request)
        response = redirect("/")
        response[GATE_HEADER] = "closed"  # tells a gate redirect from a page's own redirect
        if getattr(request, "htmx", False):
            response["HX-Redirect"] = "/"
        return response
