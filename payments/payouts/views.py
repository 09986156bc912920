"""The coach's "Get paid" pages (/coach/payouts/): thin adapters over payouts services."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from core.decorators import coach_required
from core.http import AuthenticatedRequest
from payments.errors import InvalidWebhook, PaymentError
from payments.payouts import connect, selectors
from payments.payouts.models import Settlement
from payments.payouts.webhooks import connect_webhook_process

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

    from accounts.models import Coach, User


logger = logging.getLogger(__name__)


def _absolute(request: HttpRequest, name: str) -> str:
    return request.build_absolute_uri(reverse(name))


@login_required
@require_GET
@coach_required(denied=Http404)
def overview(request: AuthenticatedRequest, coach: Coach) -> HttpResponse:
    context = {"coach": coach, **selectors.payouts_overview(coach=coach, now=timezone.now())}
    return render(request, "payments/payouts/overview.html", context)


@login_required
@require_POST
@coach_required(denied=Http404)
def connect_start(request: AuthenticatedRequest, coach: Coach) -> HttpResponse:
    try:
        url = connect.connect_onboarding_url(
            coach=coach,
            refresh_url=_absolute(request, "payouts:refresh"),
            return_url=_absolute(request, "payouts:return"),
        )
    except PaymentError as exc:
        messages.error(request, exc.message)
        return redirect("payouts:overview")
    return HttpResponseRedirect(url, status=303)


@login_required
@require_GET
@coach_required(denied=Http404)
def connect_refresh(request: AuthenticatedRequest, coach: Coach) -> HttpResponse:
    """Stripe's refresh_url: the link expired or was used. login_required re-authenticates
    the coach first; then a fresh link."""
    try:
        url = connect.connect_onboarding_url(
            coach=coach,
            refresh_url=_absolute(request, "payouts:refresh"),
            return_url=_absolute(request, "payouts:return"),
        )
    except PaymentError as exc:
        messages.error(request, exc.message)
        return redirect("payouts:overview")
    return HttpResponseRedirect(url)


@login_required
@require_GET
@coach_required(denied=Http404)
def connect_return(request: AuthenticatedRequest, coach: Coach) -> HttpResponse:
    """Stripe's return_url: reaching it does not mean onboarding is complete; we only ask
    Stripe for the account's state again."""
    try:
        connect.connect_account_sync(coach=coach)
    except PaymentError as exc:
        messages.warning(request, f"We could not check your account with Stripe: {exc.message}")
    return redirect("payouts:overview")


@login_required
@require_POST
@coach_required(denied=Http404)
def dashboard_link(request: AuthenticatedRequest, coach: Coach) -> HttpResponse:
    try:
        url = connect.connect_dashboard_url(coach=coach)
    except PaymentError as exc:
        messages.error(request, exc.message)
        return redirect("payouts:overview")
    return HttpResponseRedirect(url, status=303)


@login_required
@require_GET
def advice_pdf(request: AuthenticatedRequest, settlement_id: int) -> FileResponse:
    """That coach and staff only; anyone else gets 404 (no hint that it exists)."""
    settlement = Settlement.objects.filter(pk=settlement_id).select_related("coach").first()
    if settlement is None or not (
        _is_platform_staff(request.user) or settlement.coach.user_id == request.user.pk
    ):
        raise Http404("No such settlement advice.")
    if not settlement.pdf:
        raise Http404("No such settlement advice.")
    return FileResponse(
        settlement.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"settlement-advice-{settlement.pk}.pdf",
    )


def _is_platform_staff(user: User) -> bool:
    """Coaches are `is_staff` too (for their scoped admin); they are not platform staff."""
    return bool(user.sees_everything)


@csrf_exempt
@require_POST
def connect_webhook(request: HttpRequest) -> HttpResponse:
    try:
        outcome = connect_webhook_process(
            payload=request.body, signature=request.headers.get("Stripe-Signature")
        )
    except InvalidWebhook as exc:
        logger.warning("rejected connect webhook: %s", exc)
        return JsonResponse({"message": "Invalid signature or payload."}, status=400)
    except Exception:  # logged and recorded; Stripe retries on 5xx
        return JsonResponse({"message": "Processing failed; please retry."}, status=500)
    return JsonResponse({"received": True, "outcome": str(outcome)})
