"""What staff can tell Stripe about a disputed webinar seat (registered with
payments.disputes.evidence from WebinarsConfig.ready; payments does not import webinars)."""

from __future__ import annotations

from webinars.models import Registration
from webinars.policy import terms_text


def registration_dispute_evidence(payment) -> dict:
    registration = (
        Registration.objects.filter(payment=payment).select_related("webinar__coach__user").first()
    )
    if registration is None:
        return {}
    webinar = registration.webinar
    slots = list(webinar.slots.order_by("start"))
    dates = ", ".join(f"{slot.start:%Y-%m-%d %H:%M} UTC" for slot in slots)
    return {
        "label": f"Webinar seat “{webinar.title}” (registration {registration.pk})",
        "product_description": f"A seat in the webinar “{webinar.title}” by {webinar.coach}.",
        "service_date": slots[0].start.date().isoformat() if slots else "",
        "service_documentation": f"Registration {registration.pk}, status "
        f"“{registration.get_status_display()}”; sessions: {dates or 'none scheduled'}.",
        "cancellation_policy": f"{terms_text(webinar)} Shown on the webinar page before paying.",
    }
