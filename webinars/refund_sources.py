"""Refund requests on webinar seats (payments.refunds.sources)."""

from __future__ import annotations

from django.db.models import Max, Min

from webinars.models import Registration, WebinarSlot


def registration_payment(user, object_id):
    registration = (
        Registration.objects.select_related("payment").filter(pk=object_id, user=user).first()
    )
    return registration.payment if registration else None


def registration_service(payment):
    from payments.refunds.sources import Service

    registration = Registration.objects.select_related("webinar").filter(payment=payment).first()
    if registration is None:
        return None
    span = WebinarSlot.objects.filter(webinar=registration.webinar).aggregate(
        start=Min("start"), end=Max("end")
    )
    if span["start"] is None:
        return None
    return Service(label=registration.webinar.title, start=span["start"], end=span["end"])
