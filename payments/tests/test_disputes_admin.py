"""The staff's dispute queue and actions in the admin: open disputes oldest first with due
dates, evidence prefilled from the booking, submitted once, accepted with a confirmation;
coaches see their own disputes read-only and none of the actions."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import CoachFactory, UserFactory
from bookings.tests.factories import BookingFactory
from payments.disputes.services import dispute_sync
from payments.models import Dispute, Payment
from payments.tests.dispute_helpers import dispute_object
from payments.tests.factories import PaymentFactory
from payments.tests.test_disputes_standin import _dispute_of, _disputed_intent, _our_payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def _paid(coach=None, charge="") -> Payment:
    payment = PaymentFactory(
        status=Payment.Status.COMPLETED,
        stripe_charge_id=charge or f"ch_{time.time_ns()}",
        **({"coach": coach} if coach else {}),
    )
    BookingFactory(coach=payment.coach, client=payment.payer, payment=payment, title="Career")
    return payment


def _evidence_url(dispute) -> str:
    return reverse("admin:payments_dispute_evidence", args=[dispute.pk])


def test_the_open_queue_lists_disputes_oldest_first_with_their_due_dates(client, staff):
    old = dispute_sync(obj=dispute_object(_paid(), dispute_id="dp_old", due_in_days=2))
    dispute_sync(obj=dispute_object(_paid(), dispute_id="dp_new", due_in_days=9))
    closed = dispute_sync(obj=dispute_object(_paid(), dispute_id="dp_done", status="won"))

    page = client.get(reverse("admin:payments_dispute_changelist") + "?state=open")

    html = page.content.decode()
    assert page.status_code == 200
    assert html.index("dp_old") < html.index("dp_new")
    assert closed.stripe_dispute_id not in html
    assert old.due_by.strftime("%Y") in html


def test_evidence_form_is_prefilled_from_the_booking(client, staff):
    payment = _paid()
    dispute = dispute_sync(obj=dispute_object(payment))
    booking = payment.session_bookings.get()

    page = client.get(_evidence_url(dispute))

    html = page.content.decode()
    assert page.status_code == 200
    assert booking.start.date().isoformat() in html
    assert "Cancelling more than" in html  # the session type's cancellation policy
    assert "Career" in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_staff_submit_evidence_once_from_the_admin(localstripe, client, staff):
    intent = _disputed_intent(UserFactory())
    _our_payment(intent)
    dispute = dispute_sync(obj=_dispute_of(intent))
    form = {"service_date": "2026-11-30", "service_documentation": "Attended", "action": "submit"}

    first = client.post(_evidence_url(dispute), form)
    second = client.post(_evidence_url(dispute), form, follow=True)

    dispute.refresh_from_db()
    assert first.status_code == 302 and dispute.submitted_at is not None
    assert dispute.evidence["service_documentation"] == "Attended"
    assert "already submitted" in second.content.decode()
    from payments import gateway

    at_stripe = gateway.dispute_retrieve(dispute.stripe_dispute_id)
    assert at_stripe["evidence_details"]["submission_count"] == 1


def test_accepting_needs_the_confirmation_then_closes_the_dispute_lost(localstripe, client, staff):
    intent = _disputed_intent(UserFactory())
    _our_payment(intent)
    dispute = dispute_sync(obj=_dispute_of(intent))
    url = reverse("admin:payments_dispute_accept", args=[dispute.pk])

    client.post(url, {})
    dispute.refresh_from_db()
    assert dispute.outcome == "" and dispute.accepted_at is None

    client.post(url, {"confirm": "on"})
    dispute.refresh_from_db()
    assert dispute.outcome == Dispute.Outcome.LOST and dispute.accepted_by == staff


def test_a_coach_sees_only_their_disputes_read_only_and_no_staff_actions(client):
    coach = CoachFactory()
    mine = dispute_sync(obj=dispute_object(_paid(coach=coach), amount=Decimal("150.00")))
    theirs = dispute_sync(obj=dispute_object(_paid()))
    client.force_login(coach.user)

    listing = client.get(reverse("admin:payments_dispute_changelist"))
    own_page = client.get(reverse("admin:payments_dispute_change", args=[mine.pk]))
    other_page = client.get(reverse("admin:payments_dispute_change", args=[theirs.pk]))

    assert listing.status_code == 200
    assert mine.stripe_dispute_id in listing.content.decode()
    assert theirs.stripe_dispute_id not in listing.content.decode()
    assert own_page.status_code == 200
    assert "Accept dispute" not in own_page.content.decode()
    assert other_page.status_code == 302  # the admin's "does not exist" redirect
    assert client.get(_evidence_url(mine)).status_code == 403
    assert client.post(reverse("admin:payments_dispute_accept", args=[mine.pk])).status_code == 403
    mine.refresh_from_db()
    assert mine.outcome == ""


def test_saving_evidence_after_it_was_submitted_is_refused_and_changes_nothing(client, staff):
    dispute = dispute_sync(obj=dispute_object(_paid(), status="under_review"))

    page = client.post(
        _evidence_url(dispute), {"service_date": "2020-01-01", "action": "stage"}, follow=True
    )

    dispute.refresh_from_db()
    assert "can no longer be changed" in page.content.decode()
    assert dispute.evidence == {} and dispute.evidence_staged_at is None


def test_a_webinar_seats_evidence_names_the_webinar_its_dates_and_its_refund_terms(client, staff):
    from webinars.tests.factories import RegistrationFactory, WebinarFactory

    webinar = WebinarFactory(title="Public speaking", full_refund_hours=72)
    payment = PaymentFactory(webinar=True, status=Payment.Status.COMPLETED, coach=webinar.coach)
    RegistrationFactory(webinar=webinar, user=payment.payer, payment=payment)
    dispute = dispute_sync(obj=dispute_object(payment))

    html = client.get(_evidence_url(dispute)).content.decode()

    assert dispute.purchase_label.startswith("Webinar seat “Public speaking”")
    assert "more than 72 hours before the start" in html
    assert webinar.slots.order_by("start").first().start.date().isoformat() in html
