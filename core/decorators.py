"""View decorators shared by every app (the lower layer: no domain imports)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, overload

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

COACHES_ONLY = "This page is for coaches."

ViewFunc = Callable[..., HttpResponse]


@overload
def coach_required(
    view: ViewFunc,
    *,
    denied: Callable[[str], Exception] = ...,
    message: str = ...,
    on_denied: ViewFunc | None = ...,
) -> ViewFunc: ...
@overload
def coach_required(
    view: None = None,
    *,
    denied: Callable[[str], Exception] = ...,
    message: str = ...,
    on_denied: ViewFunc | None = ...,
) -> Callable[[ViewFunc], ViewFunc]: ...
def coach_required(
    view: ViewFunc | None = None,
    *,
    denied: Callable[[str], Exception] = PermissionDenied,
    message: str = COACHES_ONLY,
    on_denied: ViewFunc | None = None,
) -> ViewFunc | Callable[[ViewFunc], ViewFunc]:
    """The view runs for a signed-in coach only and receives their `Coach` as `coach=`.

    Anyone else gets `denied(message)`: raised (PermissionDenied answers 403, Http404 hides
    the page), or handed to `on_denied(request, error)` whose response is returned (an app's
    domain error rendered as JSON or as its error page). Put it under `@login_required`, so a
    signed-out visitor is sent to the login page first.

        @login_required
        @coach_required(denied=Http404)
        def overview(request, coach): ...
    """

    def decorate(view_func: ViewFunc) -> ViewFunc:
        @wraps(view_func)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            coach = getattr(request.user, "coach_profile", None)
            if coach is None:
                error = denied(message)
                if on_denied is None:
                    raise error
                return on_denied(request, error)
            return view_func(request, *args, coach=coach, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate
