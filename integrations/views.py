"""The coach's integrations page and Calendly's webhook endpoint: thin adapters."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from integrations import selectors, services
from integrations.calendly.signatures import HEADER
from integrations.errors import IntegrationError, InvalidWebhook
from integrations.webhooks import webhook_receive

logger = logging.getLogger(__name__)


def _coach(request):
    coach = getattr(request.user, "coach_profile", None)
    if coach is None:
        raise Http404("This page is for coaches.")
    return coach


@login_required
@require_http_methods(["GET", "POST"])
def coach_integrations(request):
    coach = _coach(request)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "connect":
            try:
                result = services.calendly_connect(
                    coach=coach,
                    token=request.POST.get("token", ""),
                    routing_forms=request.POST.get("routing_forms") == "on",
                )
            except IntegrationError as exc:
                context = {**selectors.integrations_page(coach=coach), "error": exc.message}
                return render(request, "integrations/coach_integrations.html", context, status=400)
            messages.success(request, "Calendly is connected. New Calendly bookings appear here.")
            if result.notice:
                messages.warning(request, result.notice)
            return redirect("integrations:coach_integrations")
        if action == "disconnect":
            notice = services.calendly_disconnect(coach=coach)
            messages.success(request, "Calendly is disconnected.")
            if notice:
                messages.warning(request, notice)
            return redirect("integrations:coach_integrations")
        context = {**selectors.integrations_page(coach=coach), "error": "Unknown action."}
        return render(request, "integrations/coach_integrations.html", context, status=400)
    context = selectors.integrations_page(coach=coach)
    if context["connection"] is not None:
        context["callback_url"] = services.callback_url(context["connection"].webhook_token)
    return render(request, "integrations/coach_integrations.html", context)


@csrf_exempt
@require_POST
def calendly_webhook(request, webhook_token: str):
    try:
        body = request.body
    except RequestDataTooBig:
        return JsonResponse({"message": "Payload too large."}, status=413)
    try:
        outcome = webhook_receive(
            webhook_token=webhook_token, body=body, signature=request.headers.get(HEADER)
        )
    except InvalidWebhook as exc:
        logger.warning("rejected Calendly webhook: %s", exc.message)
        return JsonResponse({"message": exc.message, "code": exc.code}, status=exc.status_code)
    return JsonResponse({"received": True, "outcome": str(outcome)})
