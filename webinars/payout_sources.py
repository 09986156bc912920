"""When the webinar a seat's payment paid for ended (its last slot), for the payout schedule
(registered with payments.payouts.schedule from WebinarsConfig.ready)."""

from __future__ import annotations

from django.db.models import DateTimeField, OuterRef, Subquery

from webinars.models import Registration, WebinarSlot


def webinar_end_of_payment() -> Subquery:
    ends = (
        WebinarSlot.objects.filter(
            webinar__registrations__payment=OuterRef("pk"),
            webinar__registrations__status=Registration.Status.CONFIRMED,
        )
        .order_by("-end")
        .values("end")[:1]
    )
    return Subquery(ends, output_field=DateTimeField())
