"""Trust score (issue 18 item 4): the documented formula over stored facts, each threshold's
action taken once per drop, never on a single fact, staff lifts that stick until the score
drops further, and a recompute whose query count does not grow with the number of users."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import suspension
from accounts.models import AccountSanction
from accounts.tests.factories import CoachFactory, UserFactory
from bookings.models import Booking
from bookings.tests.factories import BookingFactory, at, future_weekday
from payments.disputes.models import Dispute
from payments.tests.factories import PaymentFactory
from trust.facts import late_cancellations
from trust.models import TrustScore
from trust.services import scores_compute, trust_scores_recompute
from trust.tasks import recompute_trust_scores
from webinars.tests.factories import RegistrationFactory, WebinarFactory

pytestmark = pytest.mark.django_db
_dispute_ids = itertools.count(1)


def _verified(**kwargs):
    """A user with no context penalty: verified, joined long ago."""
    user = UserFactory(email_verified_at=timezone.now(), **kwargs)
    user.date_joined = timezone.now() - dt.timedelta(days=400)
    user.save(update_fields=["date_joined"])
    return user


def _verified_coach():
    coach = CoachFactory(user=_verified())
    return coach


def _dispute(*, status=Dispute.Status.LOST, coach=None, payer=None):
    payment = PaymentFactory(
        **({"coach": coach} if coach else {}), **({"payer": payer} if payer else {})
    )
    return Dispute.objects.create(
        stripe_dispute_id=f"dp_trust_{next(_dispute_ids)}",
        payment=payment,
        coach=payment.coach,
        status=status,
        amount=Decimal("150.00"),
        currency="CHF",
    )


def _late_client_cancellation(user, *, hours_before=2):
    start = at(future_weekday(0), 10)
    return BookingFactory(
        client=user,
        start=start,
        end=start + dt.timedelta(hours=1),
        status=Booking.Status.CANCELLED_BY_CLIENT,
        cancelled_at=start - dt.timedelta(hours=hours_before),
    )


def _score(user) -> int:
    return scores_compute([user.pk])[user.pk].score


def _run(committed):
    with committed():
        return trust_scores_recompute()


def _sanctions(user, kind):
    return AccountSanction.objects.filter(user=user, kind=kind, source="trust_score").count()


# --- the formula ----------------------------------------------------------------------------


def test_a_verified_long_standing_user_scores_100():
    assert _score(_verified()) == 100


def test_context_facts_new_and_unverified_account():
    user = UserFactory()  # joined now, address not confirmed
    computed = scores_compute([user.pk])[user.pk]
    assert computed.score == 80  # 100 - 10 (new) - 10 (unverified)
    assert set(computed.components) == {"new_account", "email_unverified"}
    assert computed.incidents == {}


def test_formula_subtracts_weight_times_count_and_clamps_at_zero():
    coach = _verified_coach()
    _dispute(coach=coach)
    _dispute(coach=coach)
    assert _score(coach.user) == 60  # 100 - 2 x 20
    for _ in range(4):
        _dispute(coach=coach)
    assert _score(coach.user) == 0  # 100 - 6 x 20, clamped
    components = scores_compute([coach.user.pk])[coach.user.pk].components
    assert components["disputes_lost"] == {"value": 6, "points": 120}


def test_chargebacks_count_the_payers_disputes_but_not_inquiries():
    payer = _verified()
    _dispute(payer=payer, status=Dispute.Status.NEEDS_RESPONSE)
    _dispute(payer=payer, status=Dispute.Status.WARNING_NEEDS_RESPONSE)
    assert scores_compute([payer.pk])[payer.pk].components["chargebacks"]["value"] == 1
    assert _score(payer) == 80


def test_no_shows_count_the_clients_sessions_marked_no_show_and_not_the_cleared_ones():
    client = _verified()
    marked = timezone.now() - dt.timedelta(days=2)
    for days in (3, 5):
        BookingFactory(
            client=client,
            start=timezone.now() - dt.timedelta(days=days),
            no_show_marked_at=marked,
        )
    BookingFactory(client=client, start=timezone.now() - dt.timedelta(days=7))  # attended
    computed = scores_compute([client.pk])[client.pk]
    assert computed.components["no_shows"] == {"value": 2, "points": 20}
    assert computed.score == 80


def test_late_cancellations_inside_the_no_refund_window_and_by_the_coach_within_24h():
    client = _verified()
    _late_client_cancellation(client, hours_before=2)  # no refund: late
    _late_client_cancellation(client, hours_before=72)  # full refund: not late
    coach = _verified_coach()
    start = at(future_weekday(1), 10)
    BookingFactory(
        coach=coach,
        start=start,
        end=start + dt.timedelta(hours=1),
        status=Booking.Status.CANCELLED_BY_COACH,
        cancelled_at=start - dt.timedelta(hours=5),
    )
    seat = RegistrationFactory(
        user=client,
        webinar=WebinarFactory(),
        status="cancelled",
        cancelled_by_attendee=True,
    )
    seat.ended_at = seat.webinar.slots.first().start - dt.timedelta(hours=1)
    seat.save(update_fields=["ended_at"])
    assert late_cancellations([client.pk, coach.user.pk]) == {client.pk: 2, coach.user.pk: 1}


def test_a_cancellation_made_by_a_suspension_is_not_the_coachs_late_cancellation():
    coach = _verified_coach()
    suspension.user_suspend(
        user=coach.user, until=timezone.now() + dt.timedelta(days=3), reason="", source="staff"
    )
    start = timezone.now() + dt.timedelta(hours=3)
    BookingFactory(
        coach=coach,
        start=start,
        end=start + dt.timedelta(hours=1),
        status=Booking.Status.CANCELLED_BY_COACH,
        cancelled_at=timezone.now(),
    )
    assert late_cancellations([coach.user.pk]) == {}


# --- thresholds and actions ------------------------------------------------------------------


def test_each_threshold_acts_once_as_the_score_drops(committed):
    coach = _verified_coach()
    user = coach.user
    _dispute(coach=coach)
    _late_client_cancellation(user)
    _late_client_cancellation(user)  # 100 - 20 - 2 x 5 = 70: no action yet
    _run(committed)
    assert TrustScore.objects.get(user=user).score == 70
    assert not AccountSanction.objects.filter(user=user).exists()

    _late_client_cancellation(user)  # 65: warning
    _run(committed)
    _run(committed)
    assert _sanctions(user, "warn") == 1
    assert any("warning" in m.subject.lower() and user.email in m.to for m in mail.outbox)

    _dispute(coach=coach)  # 45: hidden from search
    _run(committed)
    _run(committed)
    user.refresh_from_db()
    assert user.hidden_from_search_at is not None and _sanctions(user, "hide_from_search") == 1
    assert not suspension.is_suspended(user)

    _dispute(coach=coach)  # 25: suspended for TRUST_SCORE_SUSPEND_DAYS
    _run(committed)
    _run(committed)
    user.refresh_from_db()
    assert _sanctions(user, "suspend") == 1 and _sanctions(user, "warn") == 1
    assert suspension.is_suspended(user)
    assert user.suspended_until > timezone.now() + dt.timedelta(days=13)
    assert "trust score 25/100" in user.suspension_reason


def test_a_single_fact_never_triggers_an_action_however_low_the_score(committed, settings):
    settings.TRUST_SCORE_WARN_BELOW = 95
    settings.TRUST_SCORE_HIDE_BELOW = 90
    settings.TRUST_SCORE_SUSPEND_BELOW = 85
    user = UserFactory()  # new and unverified: -20, context only
    coach = _verified_coach()
    _dispute(coach=coach)  # one incident, counted once: -20
    _run(committed)
    assert TrustScore.objects.get(user=user).score == 80
    assert TrustScore.objects.get(user=coach.user).score == 80
    assert not AccountSanction.objects.exists()
    _dispute(coach=coach)  # the same fact a second time: now it may act
    _run(committed)
    assert _sanctions(coach.user, "suspend") == 1


def test_two_distinct_facts_are_enough(committed, settings):
    settings.TRUST_SCORE_WARN_BELOW = 80
    coach = _verified_coach()
    _dispute(coach=coach)
    _late_client_cancellation(coach.user)  # 75, two facts
    _run(committed)
    assert _sanctions(coach.user, "warn") == 1


def test_a_warning_comes_again_after_the_score_recovered_and_dropped_again(committed, settings):
    settings.TRUST_SCORE_WARN_BELOW = 75
    user = _verified()
    _late_client_cancellation(user)
    _late_client_cancellation(user)
    _late_client_cancellation(user)  # 85
    _dispute(payer=user)  # 65: warn
    _run(committed)
    Dispute.objects.filter(payment__payer=user).update(status=Dispute.Status.WARNING_CLOSED)
    _run(committed)  # 85: recovered
    assert TrustScore.objects.get(user=user).actioned_level == ""
    _dispute(payer=user)
    _run(committed)
    assert _sanctions(user, "warn") == 2


def test_staff_lift_sticks_until_the_score_drops_further(committed):
    coach = _verified_coach()
    user = coach.user
    for _ in range(4):
        _dispute(coach=coach)  # 20: suspended
    _run(committed)
    user.refresh_from_db()
    assert suspension.is_suspended(user)
    staff = UserFactory(is_staff=True, is_superuser=True)

    with committed():
        suspension.user_lift(user=user, actor=staff, reason="Disputes were the bank's error")
    assert TrustScore.objects.get(user=user).lifted_at_score == 20
    _run(committed)
    _run(committed)
    user.refresh_from_db()
    assert not suspension.is_suspended(user) and _sanctions(user, "suspend") == 1

    _late_client_cancellation(user)  # 15: dropped further
    _run(committed)
    user.refresh_from_db()
    assert suspension.is_suspended(user) and _sanctions(user, "suspend") == 2


def test_staff_users_are_never_scored_or_sanctioned(committed):
    staff = UserFactory(is_staff=True, is_superuser=True)
    _run(committed)
    assert not TrustScore.objects.filter(user=staff).exists()


# --- the task -------------------------------------------------------------------------------


def _population(n: int):
    users = []
    for i in range(n):
        coach = _verified_coach() if i % 2 else None
        user = coach.user if coach else UserFactory()
        if coach:
            _dispute(coach=coach)
        _late_client_cancellation(user)
        users.append(user)
    return users


def _queries_of_a_run(*, fresh: bool) -> int:
    if fresh:
        TrustScore.objects.all().delete()  # every row inserted (else every row updated)
    with CaptureQueriesContext(connection) as queries:
        recompute_trust_scores.apply().get()
    return len(queries)


def test_the_task_runs_a_constant_number_of_queries_for_5_and_50_users():
    _population(5)
    scored_small = TrustScore.objects.count()
    small_insert = _queries_of_a_run(fresh=True)
    small_update = _queries_of_a_run(fresh=False)
    _population(45)
    large_insert = _queries_of_a_run(fresh=True)
    large_update = _queries_of_a_run(fresh=False)
    assert TrustScore.objects.count() >= scored_small + 45  # every user, not just these
    assert (small_insert, small_update) == (large_insert, large_update)
    assert large_insert <= 20 and large_update <= 20


def test_the_task_is_on_the_hourly_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["trust-recompute-scores"]
    assert entry["task"] == "trust.tasks.recompute_trust_scores"
    assert entry["schedule"] == dt.timedelta(hours=1)


# --- admin ----------------------------------------------------------------------------------


def test_staff_list_scores_and_recompute_from_the_admin(admin_client, client):
    coach = _verified_coach()
    _dispute(coach=coach)
    url = reverse("admin:trust_trustscore_changelist")
    stale = TrustScore.objects.create(user=coach.user)  # the changelist acts on a selection
    response = admin_client.post(
        url, {"action": "recompute_all", "_selected_action": [stale.pk], "index": "0"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert TrustScore.objects.get(user=coach.user).score == 80
    row = TrustScore.objects.get(user=coach.user)
    _dispute(coach=coach)
    admin_client.post(url, {"action": "recompute_selected", "_selected_action": [row.pk]})
    row.refresh_from_db()
    assert row.score == 60
    assert b"60" in admin_client.get(url).content
    client.force_login(coach.user)
    assert client.get(url).status_code == 403
