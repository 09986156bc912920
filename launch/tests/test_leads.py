"""Lead capture before launch: stored once per address, a confirmation link through the
notifications outbox, validation errors shown, rate limited per IP, CSV export for staff."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory
from launch.models import Lead, LegalPage
from notifications.models import OutboundEmail

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def gate_closed(settings):
    settings.SITE_LAUNCHED = False


def _post(client, committed, **data):
    with committed():
        return client.post(reverse("launch:lead_create"), data, REMOTE_ADDR="203.0.113.7")


def test_lead_is_stored_and_gets_a_working_confirmation_link(client, committed):
    response = _post(client, committed, email="Ada@Example.com", role="coach")

    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    lead = Lead.objects.get()
    assert (lead.email, lead.role, lead.confirmed_at) == ("ada@example.com", "coach", None)
    outbox_row = OutboundEmail.objects.get(to_email="ada@example.com")
    assert outbox_row.status == OutboundEmail.Status.SENT  # sent by the outbox task
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/leads/confirm/\S+/", mail.outbox[0].body).group(0)
    assert lead.token in link

    confirmed = client.get(urlsplit(link).path)
    assert confirmed.status_code == 200
    lead.refresh_from_db()
    assert lead.confirmed_at is not None


def test_validation_errors_are_shown_and_nothing_is_stored(client, committed):
    response = _post(client, committed, email="not-an-email", role="boss")

    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid email address." in html
    assert "Select a valid choice." in html
    assert 'aria-invalid="true"' in html
    assert not Lead.objects.exists()
    assert not mail.outbox


def test_duplicate_email_keeps_one_lead_and_the_same_answer(client, committed):
    first = _post(client, committed, email="ada@example.com", role="client")
    second = _post(client, committed, email="ADA@example.com ", role="coach")

    assert first.status_code == second.status_code == 200
    assert Lead.objects.count() == 1
    assert Lead.objects.get().role == "coach"  # unconfirmed: the latest choice counts


def test_a_confirmed_lead_is_not_mailed_again(client, committed):
    _post(client, committed, email="ada@example.com", role="client")
    lead = Lead.objects.get()
    client.get(reverse("launch:lead_confirm", kwargs={"token": lead.token}))
    mail.outbox.clear()

    _post(client, committed, email="ada@example.com", role="coach")

    assert not mail.outbox
    lead.refresh_from_db()
    assert lead.role == "client"


def test_unknown_confirmation_token_is_404(client):
    assert client.get(reverse("launch:lead_confirm", kwargs={"token": "nope"})).status_code == 404


def test_rate_limited_per_ip(client, committed):
    for n in range(5):
        assert _post(client, committed, email=f"p{n}@example.com", role="client").status_code == 200

    refused = _post(client, committed, email="p9@example.com", role="client")

    assert refused.status_code == 429
    assert "Too many" in refused.content.decode()
    assert Lead.objects.count() == 5
    # Another address is not affected.
    with committed():
        other = client.post(
            reverse("launch:lead_create"),
            {"email": "q@example.com", "role": "coach"},
            REMOTE_ADDR="198.51.100.2",
        )
    assert other.status_code == 200


def test_staff_export_leads_as_formula_safe_csv(client):
    Lead.objects.create(email="ada@example.com", role="coach")
    Lead.objects.create(email="=HYPERLINK(1)@example.com", role="client")
    staff = UserFactory(role=User.Role.STAFF, is_staff=True)  # platform staff, not superuser
    client.force_login(staff)

    response = client.post(
        reverse("admin:launch_lead_changelist"),
        {
            "action": "export_csv",
            "_selected_action": list(Lead.objects.values_list("pk", flat=True)),
        },
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["email", "role", "signed up (UTC)", "confirmed (UTC)"]
    emails = sorted(row[0] for row in rows[1:])
    assert emails == ["'=HYPERLINK(1)@example.com", "ada@example.com"]


def test_legal_pages_ship_with_placeholder_text_and_staff_edit_them(client):
    assert set(LegalPage.objects.values_list("slug", flat=True)) == {"terms", "privacy", "imprint"}
    staff = UserFactory(role=User.Role.STAFF, is_staff=True, is_superuser=True)
    client.force_login(staff)
    page = LegalPage.objects.get(slug="imprint")

    response = client.post(
        reverse("admin:launch_legalpage_change", args=[page.pk]),
        {"slug": "imprint", "title": "Imprint", "body": "Coaching Platform GmbH\n\nZürich"},
    )

    assert response.status_code == 302
    client.logout()
    html = client.get("/legal/imprint/").content.decode()
    assert "Coaching Platform GmbH" in html and "placeholder" not in html


def test_coaches_do_not_see_leads_or_edit_legal_pages(client):
    from accounts.tests.factories import CoachFactory

    client.force_login(CoachFactory().user)
    assert client.get(reverse("admin:launch_lead_changelist")).status_code == 403
    page = LegalPage.objects.get(slug="terms")
    assert client.get(reverse("admin:launch_legalpage_change", args=[page.pk])).status_code == 403
