"""Single-line fields refuse line breaks at input (issue 8, item 16): a webinar title with a
CR/LF went into every email subject about it and stopped them all."""

import pytest
from django.urls import reverse

from accounts.tests.factories import CoachFactory
from core.tests.admin_post import admin_form_data
from webinars.models import Webinar
from webinars.tests.factories import WebinarFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("title", ["Leadership\r\nBcc: all@example.com", "Two\nlines", "A\rB"])
def test_coach_admin_refuses_a_webinar_title_with_a_line_break(client, title):
    webinar = WebinarFactory(title="Leadership")
    client.force_login(webinar.coach.user)
    url = reverse("admin:webinars_webinar_change", args=[webinar.pk])
    data = admin_form_data(client.get(url), title=title)

    response = client.post(url, data)

    assert response.status_code == 200  # the form again, with the error
    assert "single line" in response.content.decode()
    assert Webinar.objects.get(pk=webinar.pk).title == "Leadership"


def test_coach_admin_saves_an_ordinary_title(client):
    webinar = WebinarFactory(title="Leadership")
    client.force_login(webinar.coach.user)
    url = reverse("admin:webinars_webinar_change", args=[webinar.pk])

    response = client.post(url, admin_form_data(client.get(url), title="Leadership, part 2"))

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Webinar.objects.get(pk=webinar.pk).title == "Leadership, part 2"


def test_coach_admin_refuses_a_headline_with_a_line_break(client):
    coach = CoachFactory()
    client.force_login(coach.user)
    url = reverse("admin:accounts_coach_change", args=[coach.pk])

    response = client.post(url, admin_form_data(client.get(url), headline="Coach\r\nX-Evil: 1"))

    assert response.status_code == 200
    assert "single line" in response.content.decode()
