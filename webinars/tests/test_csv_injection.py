"""Every cell of every attendee export is defused against spreadsheet formulas (issue 8 #13):
the coach's attendees page (?format=csv) and both admin actions."""

import csv
import io

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from webinars.tests.factories import RegistrationFactory, WebinarFactory

pytestmark = pytest.mark.django_db

EVIL_EMAIL = "=cmd|'/Ccalc.exe'!A0@example.com"
DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _evil_registration():
    webinar = WebinarFactory(title="@SUM(1+1)*cmd|' /C calc'!A0")
    user = UserFactory(email=EVIL_EMAIL, first_name="+Ada", last_name="-Byron")
    return RegistrationFactory(webinar=webinar, user=user)


def _cells(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows) >= 2, rows
    return [cell for row in rows[1:] for cell in row]


def _assert_defused(cells: list[str]) -> None:
    assert any(EVIL_EMAIL in cell for cell in cells)
    dangerous = [c for c in cells if c[:1] in DANGEROUS_STARTS]
    assert dangerous == [], dangerous


def test_attendees_page_csv_defuses_every_cell(client):
    registration = _evil_registration()
    client.force_login(registration.webinar.coach.user)
    url = reverse("webinars:attendees", args=[registration.webinar.pk]) + "?format=csv"
    _assert_defused(_cells(client.get(url)))


def test_admin_webinar_export_defuses_every_cell(client):
    registration = _evil_registration()
    client.force_login(registration.webinar.coach.user)
    response = client.post(
        reverse("admin:webinars_webinar_changelist"),
        {"action": "export_attendees", "_selected_action": [registration.webinar.pk]},
    )
    _assert_defused(_cells(response))


def test_admin_registration_export_defuses_every_cell(client):
    registration = _evil_registration()
    client.force_login(registration.webinar.coach.user)
    response = client.post(
        reverse("admin:webinars_registration_changelist"),
        {"action": "export_csv", "_selected_action": [registration.pk]},
    )
    _assert_defused(_cells(response))
