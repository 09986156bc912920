"""Refund request endpoints (docs/refunds.md): JSON with `Accept: application/json`, HTML
otherwise. Thin adapters over payments.refunds.requests."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.decorators import ViewFunc, coach_required
from core.http import AuthenticatedRequest, json_error, request_data, wants_json
from payments.errors import PaymentError
from payments.refunds import requests as service
from payments.refunds.models import RefundRequest
from payments.refunds.service import available_amount

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

    from accounts.models import Coach


def _wants_json(request: HttpRequest) -> bool:
    # Any Accept naming application/json gets JSON, as the contract says (docs/refunds.md).
    return wants_json(request, html_wins=False)


def _login_required(view: ViewFunc) -> ViewFunc:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            if _wants_json(request):
                return JsonResponse({"message": "Please log in first."}, status=401)
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def _refused(
    request: AuthenticatedRequest,
    exc: PaymentError,
    *,
    template: str = "payments/refunds/error.html",
    **context: Any,
) -> HttpResponse:
    if _wants_json(request):
        return json_error(exc)
    return render(request, template, {"error": exc.message, **context}, status=exc.status_code)


@require_POST
@_login_required
def create(request: AuthenticatedRequest) -> HttpResponse:
    data = request_data(request)
    try:
        payment = service.payment_for_request(user=request.user, data=data)
        refund_request = service.refund_request_open(
            user=request.user,
            payment=payment,
            amount=data.get("amount", ""),
            reason=data.get("reason") or "",
            message=data.get("message", ""),
        )
    except PaymentError as exc:
        return _refused(request, exc)
    if _wants_json(request):
        return JsonResponse({"id": refund_request.pk, "status": refund_request.status}, status=201)
    messages.success(request, "Your refund request was sent to the coach.")
    return redirect(refund_request.get_absolute_url())


@require_GET
@_login_required
def new(request: AuthenticatedRequest) -> HttpResponse:
    """The client's form for a purchase named in the query (booking_id / registration_id)."""
    try:
        payment = service.payment_for_request(user=request.user, data=request.GET.dict())
    except PaymentError as exc:
        return _refused(request, exc)
    problem = service.eligibility(payment)
    context = {
        "payment": payment,
        "problem": problem,
        "available": available_amount(payment),
        "reasons": RefundRequest.Reason.choices,
        "lookup": {k: v for k, v in request.GET.items() if k.endswith("_id")},
    }
    return render(request, "payments/refunds/new.html", context, status=200)


@require_GET
@_login_required
def detail(request: AuthenticatedRequest, request_id: int) -> HttpResponse:
    try:
        refund_request, role = service.request_for(user=request.user, request_id=request_id)
    except PaymentError as exc:
        if _wants_json(request):
            return _refused(request, exc)
        raise Http404(exc.message) from None
    if _wants_json(request):
        return JsonResponse(service.request_as_dict(refund_request))
    context = {
        "refund_request": refund_request,
        "role": role,
        "thread": refund_request.messages.select_related("author"),
        "events": refund_request.events.select_related("actor"),
        "refund_pending": service.refund_pending_of(refund_request),
    }
    return render(request, "payments/refunds/detail.html", context)


def _action(
    request: AuthenticatedRequest, request_id: int, run: Callable[[], Any], done: str
) -> HttpResponse:
    try:
        result = run()
    except PaymentError as exc:
        if _wants_json(request):
            return _refused(request, exc)
        if exc.status_code == 404:
            raise Http404(exc.message) from None
        messages.error(request, exc.message)
        return redirect("payments:refund_request_detail", request_id)
    refund_request = result if isinstance(result, RefundRequest) else result.request
    if _wants_json(request):
        return JsonResponse({"id": refund_request.pk, "status": refund_request.status})
    messages.success(request, done)
    return redirect("payments:refund_request_detail", refund_request.pk)


@require_POST
@_login_required
def approve(request: AuthenticatedRequest, request_id: int) -> HttpResponse:
    data = request_data(request)
    return _action(
        request,
        request_id,
        lambda: service.refund_request_approve(
            user=request.user, request_id=request_id, amount=data.get("amount")
        ),
        "Refund approved; the money goes back to the client's card.",
    )


@require_POST
@_login_required
def decline(request: AuthenticatedRequest, request_id: int) -> HttpResponse:
    data = request_data(request)
    return _action(
        request,
        request_id,
        lambda: service.refund_request_decline(
            user=request.user, request_id=request_id, reason=str(data.get("reason") or "")
        ),
        "Request declined. The client may escalate it to staff.",
    )


@require_POST
@_login_required
def escalate(request: AuthenticatedRequest, request_id: int) -> HttpResponse:
    return _action(
        request,
        request_id,
        lambda: service.refund_request_escalate(user=request.user, request_id=request_id),
        "Escalated: staff will decide.",
    )


@require_POST
@_login_required
def message(request: AuthenticatedRequest, request_id: int) -> HttpResponse:
    data = request_data(request)
    return _action(
        request,
        request_id,
        lambda: service.refund_request_message(
            user=request.user, request_id=request_id, body=data.get("body") or data.get("message")
        ),
        "Message sent.",
    )


@require_http_methods(["GET"])
@_login_required
@coach_required(denied=Http404)
def coach_inbox(request: AuthenticatedRequest, coach: Coach) -> HttpResponse:
    from payments.refunds.selectors import coach_refund_requests

    context = {**coach_refund_requests(coach=coach), "now": timezone.now()}
    return render(request, "payments/refunds/coach_inbox.html", context)
