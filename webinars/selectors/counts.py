"""Seat counts, shared by every list: read from the columns the database keeps on the webinar
row (webinars/stored_counts.py)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce

from webinars.models import Registration, Webinar

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

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


class SeatCounts(TypedDict):
    """What `with_counts` annotates."""

    live_count: int
    confirmed_count: int


if TYPE_CHECKING:
    CountedWebinar = WithAnnotations[Webinar, SeatCounts]  # a webinar loaded by with_counts


def with_counts(
    queryset: QuerySet[Webinar], *, now: datetime
) -> QuerySet[WithAnnotations[Webinar, SeatCounts]]:
    """Annotate live_count (held + confirmed) and confirmed_count from the stored columns
    (webinars/stored_counts.py; `starts_at`/`ends_at` are stored too). Only a row whose
    earliest hold deadline has passed without the sweep counts its live seats again."""
    return queryset.annotate(
        live_count=Case(
            When(next_hold_expires_at__lte=now, then=_count(live_q(now))),
            default=F("seats_taken"),
            output_field=IntegerField(),
        ),
        confirmed_count=F("seats_confirmed"),
    )
