"""Coaches' admin (own webinars only, attendee counts, CSV) and the periodic commands."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import CoachFactory, UserFactory
from tests.assertions import assert_admin_says_does_not_exist
from webinars.models import Registration
from webinars.tests.factories import HeldRegistrationFactory, RegistrationFactory, WebinarFactory

pytestmark = pytest.mark.django_db


def test_coach_admin_lists_only_their_webinars_with_attendee_count(client):
    mine = WebinarFactory(title="Mine", max_attendees=20)
    for _ in range(3):
        RegistrationFactory(webinar=mine)
    WebinarFactory(title="Not mine")
    client.force_login(mine.coach.user)
    html = client.get(reverse("admin:webinars_webinar_changelist")).content.decode()
    assert "Mine" in html and "Not mine" not in html and "3 / 20" in html


def test_coach_cannot_open_another_coachs_webinar_in_the_admin(client):
    other = WebinarFactory()
    client.force_login(CoachFactory().user)
    response = client.get(reverse("admin:webinars_webinar_change", args=[other.pk]))
    assert_admin_says_does_not_exist(client, response)
    assert other.title not in response.content.decode()


def test_coach_sees_registrations_of_their_webinars_with_status_amount_and_reason(client):
    mine = WebinarFactory()
    RegistrationFactory(webinar=mine, user=UserFactory(first_name="Ada", last_name="Byron"))
    RegistrationFactory(user=UserFactory(first_name="Other", last_name="Person"))
    client.force_login(mine.coach.user)
    html = client.get(reverse("admin:webinars_registration_changelist")).content.decode()
    assert "Ada Byron" in html and "Other Person" not in html
    assert "Confirmed" in html and "Regular" in html and "120.00" in html


def test_admin_csv_action_exports_attendees(client):
    webinar = WebinarFactory()
    RegistrationFactory(webinar=webinar, user=UserFactory(email="ada@example.com"))
    client.force_login(webinar.coach.user)
    response = client.post(
        reverse("admin:webinars_webinar_changelist"),
        {"action": "export_attendees", "_selected_action": [webinar.pk]},
    )
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode()
    assert body.splitlines()[0].startswith("webinar,name,email") and "ada@example.com" in body


def test_staff_see_every_webinar(client):
    WebinarFactory(title="First coach's")
    WebinarFactory(title="Second coach's")
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser(email="boss@example.com", password="x")
    client.force_login(admin)
    html = client.get(reverse("admin:webinars_webinar_changelist")).content.decode()
    assert "First coach&#x27;s" in html and "Second coach&#x27;s" in html


def test_expire_holds_command_releases_only_holds_past_their_deadline():
    stale = HeldRegistrationFactory(hold_expires_at=timezone.now() - timedelta(seconds=1))
    fresh = HeldRegistrationFactory()
    out = StringIO()
    call_command("expire_holds", stdout=out)
    assert "1 hold(s) released" in out.getvalue()
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert (stale.status, fresh.status) == (Registration.Status.EXPIRED, Registration.Status.HELD)


def test_reconcile_payments_command_reports_what_it_did(localstripe):
    out = StringIO()
    call_command("reconcile_payments", stdout=out)
    assert out.getvalue().startswith("reconcile_payments: checked 0")


def test_beat_schedule_runs_hold_expiry_and_reconciliation():
    from django.conf import settings

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"webinars.tasks.expire_holds", "payments.tasks.reconcile_payments"} <= tasks


def test_live_fragments_render_the_pages_own_partials():
    from notifications import live_fragments  # through the hooks WebinarsConfig.ready registers

    webinar = WebinarFactory(max_attendees=4)
    registration = RegistrationFactory(webinar=webinar)
    spots = live_fragments.render_spots(webinar)
    assert spots.startswith(f'<p id="webinar-{webinar.pk}-spots"') and "3 spots left" in spots
    attendees = live_fragments.render_attendees(webinar)
    assert f'id="webinar-{webinar.pk}-attendees"' in attendees and "1 / 4" in attendees
    panel = live_fragments.render_booking_panel(registration)
    assert f'id="webinar-{webinar.pk}-panel"' in panel and "You're booked!" in panel


def test_panel_polls_while_the_payment_is_being_confirmed(client, localstripe):
    from payments.models import Payment
    from webinars.services import webinar_register

    user = UserFactory()
    webinar = WebinarFactory()
    payment = webinar_register(webinar_id=webinar.pk, user=user).payment
    Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.PROCESSING)
    client.force_login(user)
    html = client.get(reverse("webinars:panel", args=[webinar.pk]), HTTP_HX_REQUEST="true")
    html = html.content.decode()
    assert f'hx-get="/webinars/{webinar.pk}/panel/"' in html and "offline-poll from:body" in html
    assert "Confirming your seat" in html
