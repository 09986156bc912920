"""HTTP endpoints of the payments app: thin adapters over services (docs/payments.md)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from core.decorators import ViewFunc
from core.http import AuthenticatedRequest, json_error, request_data
from payments import methods as methods_core
from payments import selectors, services
from payments.errors import InvalidWebhook, PaymentError
from payments.webhooks import webhook_process

if TYPE_CHECKING:
    from django.http import HttpRequest


logger = logging.getLogger(__name__)


def login_required_json(view: ViewFunc) -> ViewFunc:
    """Fetch/XHR endpoints answer 401 JSON instead of redirecting to the login page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return JsonResponse({"message": "Please log in first."}, status=401)
        return view(request, *args, **kwargs)

    return wrapper


def _error(exc: PaymentError) -> JsonResponse:
    return json_error(exc)


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    try:
        payload = request.body  # before the catch-all below: too big is the sender's problem
    except RequestDataTooBig:
        logger.warning("rejected webhook: body over DATA_UPLOAD_MAX_MEMORY_SIZE")
        return JsonResponse({"message": "Payload too large."}, status=413)
    try:
        outcome = webhook_process(
            payload=payload, signature=request.headers.get("Stripe-Signature")
        )
    except InvalidWebhook as exc:
        logger.warning("rejected webhook: %s", exc)
        return JsonResponse({"message": "Invalid signature or payload."}, status=400)
    except Exception as exc:  # logged and recorded by webhook_process; Stripe retries non-2xx
        retry_after = getattr(exc, "retry_after", None)
        if retry_after:  # a row stayed locked past LOCK_TIMEOUT_SECONDS (core.locking)
            response = JsonResponse({"message": "Busy; please retry.", "code": "busy"}, status=409)
            response["Retry-After"] = str(retry_after)
            return response
        return JsonResponse({"message": "Processing failed; please retry."}, status=500)
    return JsonResponse({"received": True, "outcome": str(outcome)})


@require_POST
@login_required_json
def confirm(request: AuthenticatedRequest) -> HttpResponse:
    data = request_data(request)
    payment_intent_id = str(data.get("payment_intent_id") or data.get("paymentIntentId") or "")
    payment_method_id = str(data.get("payment_method_id") or data.get("paymentMethodId") or "")
    if not payment_intent_id or not payment_method_id:
        return JsonResponse({"message": "Please choose a card to pay with."}, status=400)
    try:
        result = services.payment_confirm(
            user=request.user,
            payment_intent_id=payment_intent_id,
            payment_method_id=payment_method_id,
        )
    except PaymentError as exc:
        return _error(exc)
    body = {"status": result.status, "payment_intent_id": payment_intent_id}
    if result.status == "requires_action":
        body["client_secret"] = result.client_secret
    return JsonResponse(body)


def _wants_page(request: AuthenticatedRequest) -> bool:
    """A plain form post from the saved-cards page (not fetch/htmx): answer with the page."""
    return not request.htmx and "application/json" not in request.headers.get("Accept", "")


@require_GET
@login_required
def methods(request: AuthenticatedRequest) -> HttpResponse:
    """The saved-cards page: brand, last 4, expiry, the default badge; add, delete, default."""
    try:
        cards, default = methods_core.cards_with_default(user=request.user)
        error = ""
    except PaymentError as exc:
        cards, default, error = [], "", exc.message
    return render(
        request,
        "payments/methods_page.html",
        {"cards": cards, "default": default, "error": error},
    )


@require_GET
@login_required_json
def methods_list(request: AuthenticatedRequest) -> HttpResponse:
    """The saved cards as a radio list (HTML fragment for the payment step); the default card
    is preselected unless `?selected=` names another (a card just added)."""
    try:
        cards, default = methods_core.cards_with_default(user=request.user)
        error = ""
    except PaymentError as exc:
        cards, default, error = [], "", exc.message
    ids = {card.id for card in cards}
    selected = request.GET.get("selected") or ""
    if selected not in ids:
        selected = default or (cards[0].id if cards else "")
    return render(
        request,
        "payments/cards.html",
        {"cards": cards, "selected": selected, "default": default, "error": error},
    )


@require_POST
@login_required_json
def methods_setup(request: AuthenticatedRequest) -> HttpResponse:
    try:
        client_secret = services.setup_intent_create(user=request.user)
    except PaymentError as exc:
        return _error(exc)
    return JsonResponse({"client_secret": client_secret})


@require_POST
@login_required_json
def methods_save(request: AuthenticatedRequest) -> HttpResponse:
    setup_intent_id = str(request_data(request).get("setup_intent_id") or "")
    if not setup_intent_id:
        return JsonResponse({"message": "Missing setup_intent_id."}, status=400)
    try:
        card = services.payment_method_save(user=request.user, setup_intent_id=setup_intent_id)
        methods_core.payment_method_saved(user=request.user, card=card)
    except PaymentError as exc:
        return _error(exc)
    return JsonResponse({"id": card.id, "label": card.label})


def _card_action(
    request: AuthenticatedRequest, action: Callable[[], object], done_message: str
) -> HttpResponse:
    try:
        action()
    except PaymentError as exc:
        if not _wants_page(request):
            return _error(exc)
        if exc.status_code == 404:
            raise Http404(exc.message) from exc
        messages.error(request, exc.message)
        return redirect("payments:methods")
    if _wants_page(request):
        messages.success(request, done_message)
        return redirect("payments:methods")
    return HttpResponse(status=204)


@require_POST
@login_required_json
def methods_delete(request: AuthenticatedRequest, payment_method_id: str) -> HttpResponse:
    return _card_action(
        request,
        lambda: methods_core.payment_method_delete(
            user=request.user, payment_method_id=payment_method_id
        ),
        "The card has been removed.",
    )


@require_POST
@login_required_json
def methods_default(request: AuthenticatedRequest, payment_method_id: str) -> HttpResponse:
    return _card_action(
        request,
        lambda: methods_core.payment_method_set_default(
            user=request.user, payment_method_id=payment_method_id
        ),
        "That card is now your default.",
    )


@require_GET
@login_required_json
def status(request: AuthenticatedRequest, payment_intent_id: str) -> HttpResponse:
    payment = selectors.payment_of_payer(user=request.user, payment_intent_id=payment_intent_id)
    if payment is None:
        return JsonResponse({"message": "We could not find that payment."}, status=404)
    return JsonResponse(
        {
            "status": payment.status,
            "error_message": payment.error_message,
            "amount": str(payment.amount_total),
            "currency": payment.currency,
        }
    )
