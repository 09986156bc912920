"""The staff Command Center (`/staff/`): platform staff only (superuser or role staff).
Coaches are `is_staff` for their scoped admin but get a 404 here, as does everyone else."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from core import command_center


def platform_staff_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (user.is_active and user.sees_everything):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@platform_staff_required
def command_center_page(request):
    context = {
        "rows": command_center.command_center_rows(),
        "failed_events": command_center.failed_webhook_events(),
    }
    return render(request, "core/staff/command_center.html", context)


@require_POST
@platform_staff_required
def retry_failed_emails(request):
    """The admin's "retry" action, for every failed email at once (up to 500)."""
    from notifications.models import OutboundEmail
    from notifications.services import email_retry

    ids = OutboundEmail.objects.filter(status=OutboundEmail.Status.FAILED).values_list(
        "pk", flat=True
    )[:500]
    retried = sum(email_retry(email_id=email_id) for email_id in list(ids))
    messages.success(request, f"{retried} failed email(s) queued again.")
    return redirect("core:staff")


@require_POST
@platform_staff_required
def retry_webhook_event(request, event_id: int):
    from payments.webhooks import Outcome, webhook_event_retry

    try:
        outcome = webhook_event_retry(event_id=event_id)
    except Exception as exc:  # the handler failed again: recorded on the row, shown here
        messages.error(request, f"Webhook event {event_id} failed again: {type(exc).__name__}.")
        return redirect("core:staff")
    if outcome is None:
        messages.warning(request, f"Webhook event {event_id} is not failed; nothing to retry.")
    elif outcome == Outcome.MALFORMED:
        messages.error(request, f"Webhook event {event_id} has no usable object; still failed.")
    else:
        messages.success(request, f"Webhook event {event_id}: {outcome.value}.")
    return redirect("core:staff")
