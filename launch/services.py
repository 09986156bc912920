"""Writes of the launch app: storing a lead and confirming its address."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.oncommit import enqueue_on_commit
from launch.models import Lead


def _confirmation_email_queue(*, lead: Lead) -> None:
    """The confirmation link through the notifications outbox (a lead has no account, so the
    row has no recipient user); sent after commit by the outbox task, retried by its sweep."""
    from notifications.models import OutboundEmail
    from notifications.tasks import send_outbound_email

    link = settings.SITE_URL + reverse("launch:lead_confirm", kwargs={"token": lead.token})
    context = {"lead": lead, "link": link, "site_url": settings.SITE_URL}
    email = OutboundEmail.objects.create(
        to_email=lead.email,
        subject="Please confirm your email address",
        body_text=render_to_string("launch/email/lead_confirm.txt", context),
        body_html=render_to_string("launch/email/lead_confirm.html", context),
    )
    enqueue_on_commit(send_outbound_email, email.pk, retry_note="the outbox sweep will retry it")


@transaction.atomic
def lead_capture(*, email: str, role: str) -> Lead:
    """Store the lead (one per address: a second sign-up updates the role of an unconfirmed
    lead) and email the confirmation link unless the address is already confirmed."""
    email = email.strip().lower()
    lead, created = Lead.objects.select_for_update().get_or_create(
        email=email, defaults={"role": role}
    )
    if not created and lead.confirmed_at is None and lead.role != role:
        lead.role = role
        lead.save(update_fields=["role"])
    if lead.confirmed_at is None:
        _confirmation_email_queue(lead=lead)
    return lead


def lead_confirm(*, token: str) -> Lead | None:
    """Mark the lead with this token confirmed (once). None for an unknown token."""
    lead = Lead.objects.filter(token=token).first()
    if lead is None:
        return None
    Lead.objects.filter(pk=lead.pk, confirmed_at__isnull=True).update(confirmed_at=timezone.now())
    lead.refresh_from_db()
    return lead
