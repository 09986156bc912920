"""Seat counts as subqueries, shared by every list."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from webinars.models import Registration, Webinar, WebinarSlot

Status = Registration.Status
REFUNDABLE_PAYMENT_STATUSES = ("completed", "partially_refunded")


def live_q(now: datetime) -> Q:
    """A seat is taken by a confirmed registration or a hold that has not run out yet."""
    return Q(status=Status.CONFIRMED) | Q(status=Status.HELD, hold_expires_at__gt=now)


def _count(filter_q: Q) -> Coalesce:
    counted = (
        Registration.objects.filter(filter_q, webinar=OuterRef("pk"))
        .order_by()
        .values("webinar")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_counts(queryset: QuerySet[Webinar], *, now: datetime) -> QuerySet[Webinar]:
    """Annotate live_count (held + confirmed), confirmed_count, starts_at, ends_at."""
    slots = WebinarSlot.objects.filter(webinar=OuterRef("pk"))
    return queryset.annotate(
        live_count=_count(live_q(now)),
        confirmed_count=_count(Q(status=Status.CONFIRMED)),
        starts_at=Subquery(slots.order_by("start").values("start")[:1]),
        ends_at=Subquery(slots.order_by("-end").values("end")[:1]),
    )
