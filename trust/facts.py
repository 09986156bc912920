"""The facts a trust score is computed from, and their weights (issue 18 item 4).

Formula
-------
    score = clamp(100 - sum(weight(fact) * value(fact)), 0, 100), rounded to an integer

Every fact is a number we already store (no fact is ever typed in by hand):

- `flags_upheld` (weight 15, incident): staff decisions that upheld reports about the user
  or their content (hidden, warned, suspended, banned), one per decision however many people
  reported (moderation.selectors.flags_upheld_counts).
- `disputes_lost` (20, incident): chargebacks the user lost as a coach (payments.disputes
  Dispute with status `lost`, by its `coach`).
- `chargebacks` (20, incident): chargebacks the user opened as a payer (a Dispute on one of
  their payments; inquiries, `warning_*`, do not count).
- `late_cancellations` (5, incident): sessions and webinar seats the user cancelled as a
  client inside the no-refund window of their terms, plus sessions and webinars they
  cancelled as a coach less than 24 h before the start (not those a suspension cancelled).
- `new_account` (10, context): 1 on the day of signup, falling linearly to 0 at 30 days.
- `email_unverified` (10, context): 1 while `User.email_verified_at` is empty.

- `no_shows` (10, incident): 1:1 sessions the user booked as a client and did not attend
  (`Booking.no_show_marked_at`, set by the coach on the booking page or by Calendly's
  `invitee_no_show.created`, cleared again by `.deleted` or the coach).

Automatic actions (trust/services.py) look at "incidents" only: at least two distinct
incident facts, or one incident fact with a count of at least two, before any warning, hiding
or suspension. The context facts (`new_account`, `email_unverified`) move the score but never
count towards that rule, so a single flag on a brand-new unverified account is never acted on.

Adding a fact
-------------
    register_fact("flags_upheld", weight=15, compute=upheld_flags_by_user)

`compute(user_ids)` returns `{user_id: count or value}` for the ids it was given (users
missing from the dict have 0), in a constant number of queries however many ids it gets.
The moderation app's upheld flags are `flags_upheld` below (a function in this module calling
moderation.selectors, since no app imports `trust`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count, Min
from django.utils import timezone

Compute = Callable[[list[int]], dict[int, float]]


@dataclass(frozen=True)
class Fact:
    name: str
    weight: float
    compute: Compute
    incident: bool = True  # counts towards "two negative facts before any action"


_REGISTRY: dict[str, Fact] = {}


def register_fact(name: str, *, weight: float, compute: Compute, incident: bool = True) -> None:
    """Add (or replace) a fact. `weight` is the points one unit of it subtracts."""
    _REGISTRY[name] = Fact(name=name, weight=weight, compute=compute, incident=incident)


def registered_facts() -> list[Fact]:
    return list(_REGISTRY.values())


def _counts(rows: Iterable[tuple[int, int]]) -> dict[int, float]:
    return {user_id: count for user_id, count in rows if user_id is not None}


# --- the built-in facts ---------------------------------------------------------------------


def disputes_lost(user_ids: list[int]) -> dict[int, float]:
    from payments.disputes.models import Dispute

    rows = (
        Dispute.objects.filter(status=Dispute.Status.LOST, coach__user_id__in=user_ids)
        .values("coach__user_id")
        .annotate(n=Count("pk"))
        .values_list("coach__user_id", "n")
    )
    return _counts(rows)


def chargebacks(user_ids: list[int]) -> dict[int, float]:
    from payments.disputes.models import Dispute

    inquiries = [
        Dispute.Status.WARNING_NEEDS_RESPONSE,
        Dispute.Status.WARNING_UNDER_REVIEW,
        Dispute.Status.WARNING_CLOSED,
    ]
    rows = (
        Dispute.objects.filter(payment__payer_id__in=user_ids)
        .exclude(status__in=inquiries)
        .values("payment__payer_id")
        .annotate(n=Count("pk"))
        .values_list("payment__payer_id", "n")
    )
    return _counts(rows)


COACH_LATE_CANCEL = dt.timedelta(hours=24)


def _no_refund_window(*, full_hours: int, partial_hours: int, partial_percent: int):
    """The time before the start inside which a client's cancellation refunds nothing (the
    policies in bookings/policy.py and webinars/policy.py)."""
    return dt.timedelta(hours=partial_hours if partial_percent else full_hours)


def _suspension_periods(user_ids: list[int]) -> dict[int, list[tuple[dt.datetime, dt.datetime]]]:
    """When each user was suspended or banned: what a suspension cancelled is not their
    late cancellation."""
    from accounts.models import AccountSanction

    far = timezone.now() + dt.timedelta(days=36500)
    periods: dict[int, list] = {}
    rows = AccountSanction.objects.filter(
        user_id__in=user_ids,
        kind__in=[AccountSanction.Kind.SUSPEND, AccountSanction.Kind.BAN],
    ).values_list("user_id", "created_at", "reversed_at")
    for user_id, start, end in rows:
        periods.setdefault(user_id, []).append((start, end or far))
    return periods


def _during(periods, when: dt.datetime) -> bool:
    return any(start <= when <= end for start, end in periods)


def late_cancellations(user_ids: list[int]) -> dict[int, float]:
    """Five queries per batch: client sessions, client seats, coach sessions, coach webinars,
    suspension periods."""
    from bookings.models import Booking
    from webinars.models import Registration, Webinar

    counts: Counter[int] = Counter()
    suspended = _suspension_periods(user_ids)

    client_sessions = Booking.objects.filter(
        client_id__in=user_ids,
        status=Booking.Status.CANCELLED_BY_CLIENT,
        cancelled_at__isnull=False,
    ).values_list(
        "client_id",
        "start",
        "cancelled_at",
        "session_type__full_refund_hours",
        "session_type__partial_refund_hours",
        "session_type__partial_refund_percent",
    )
    for user_id, start, cancelled_at, full, partial, percent in client_sessions:
        window = _no_refund_window(full_hours=full, partial_hours=partial, partial_percent=percent)
        if cancelled_at is not None and start - cancelled_at <= window:  # None: filtered out
            counts[user_id] += 1

    client_seats = (
        Registration.objects.filter(
            user_id__in=user_ids, cancelled_by_attendee=True, ended_at__isnull=False
        )
        .annotate(starts_at=Min("webinar__slots__start"))
        .values_list(
            "user_id",
            "starts_at",
            "ended_at",
            "webinar__full_refund_hours",
            "webinar__partial_refund_hours",
            "webinar__partial_refund_percent",
        )
    )
    for user_id, start, ended_at, full, partial, percent in client_seats:
        window = _no_refund_window(full_hours=full, partial_hours=partial, partial_percent=percent)
        if start is not None and start - ended_at <= window:
            counts[user_id] += 1

    coach_sessions = Booking.objects.filter(
        coach__user_id__in=user_ids,
        status=Booking.Status.CANCELLED_BY_COACH,
        cancelled_at__isnull=False,
    ).values_list("coach__user_id", "start", "cancelled_at")
    coach_webinars = (
        Webinar.objects.filter(
            coach__user_id__in=user_ids,
            status=Webinar.Status.CANCELLED,
            cancelled_at__isnull=False,
        )
        # starts_at: the first slot's start, stored on the row (webinars.stored_counts)
        .values_list("coach__user_id", "starts_at", "cancelled_at")
    )
    coach_cancels: list[tuple[int, dt.datetime | None, dt.datetime | None]] = [
        *coach_sessions,
        *coach_webinars,
    ]
    for user_id, starts, cancelled in coach_cancels:
        if starts is None or cancelled is None or starts - cancelled > COACH_LATE_CANCEL:
            continue
        if _during(suspended.get(user_id, []), cancelled):
            continue  # the suspension cancelled it, not the coach
        counts[user_id] += 1
    return dict(counts)


NEW_ACCOUNT_DAYS = 30


def new_account(user_ids: list[int]) -> dict[int, float]:
    from accounts.models import User

    now = timezone.now()
    values = {}
    for user_id, joined in User.objects.filter(pk__in=user_ids).values_list("pk", "date_joined"):
        age_days = (now - joined).total_seconds() / 86400
        newness = max(0.0, (NEW_ACCOUNT_DAYS - age_days) / NEW_ACCOUNT_DAYS)
        if newness > 0:
            values[user_id] = round(min(newness, 1.0), 3)
    return values


def email_unverified(user_ids: list[int]) -> dict[int, float]:
    from accounts.models import User

    rows = User.objects.filter(pk__in=user_ids, email_verified_at__isnull=True)
    return dict.fromkeys(rows.values_list("pk", flat=True), 1)


def no_shows(user_ids: list[int]) -> dict[int, float]:
    from bookings.models import Booking

    rows = (
        Booking.objects.filter(client_id__in=user_ids, no_show_marked_at__isnull=False)
        .values("client_id")
        .annotate(n=Count("pk"))
        .values_list("client_id", "n")
    )
    return _counts(rows)


def flags_upheld(user_ids: list[int]) -> dict[int, float]:
    """Decisions of staff that upheld reports about the user or their content (hidden,
    warned, suspended, banned: moderation.selectors.flags_upheld_counts); one per decision,
    however many people reported, and nothing for dismissed reports."""
    from moderation.selectors import flags_upheld_counts

    return dict[int, float](flags_upheld_counts(user_ids))


register_fact("flags_upheld", weight=15, compute=flags_upheld)
register_fact("disputes_lost", weight=20, compute=disputes_lost)
register_fact("chargebacks", weight=20, compute=chargebacks)
register_fact("late_cancellations", weight=5, compute=late_cancellations)
register_fact("no_shows", weight=10, compute=no_shows)
register_fact("new_account", weight=10, compute=new_account, incident=False)
register_fact("email_unverified", weight=10, compute=email_unverified, incident=False)
