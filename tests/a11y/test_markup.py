"""Server-rendered markup the accessibility layer relies on, checked without a browser:
unique ids and labelled controls on the coach's calendar, no pre-ticked weekdays, the
weekday checkboxes as a fieldset, no Stripe.js for anonymous visitors, a meta description,
and the admin's names for coaches and weekdays."""

import re
from collections import Counter
from html.parser import HTMLParser

import pytest
from django.contrib.admin.sites import site

from accounts.models import Coach
from accounts.tests.factories import CoachFactory, UserFactory
from bookings.models import TimeBasedRate
from bookings.tests.factories import SessionTypeFactory, TimeBasedRateFactory
from webinars.tests.factories import WebinarFactory

pytestmark = pytest.mark.django_db


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: Counter = Counter()
        self.label_for: list[str] = []
        self.checked: list[dict] = []
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if "id" in attrs:
            self.ids[attrs["id"]] += 1
        if tag == "label" and attrs.get("for"):
            self.label_for.append(attrs["for"])
        if tag == "input" and "checked" in attrs:
            self.checked.append(attrs)


def _parse(html: str) -> _Ids:
    parser = _Ids()
    parser.feed(html)
    return parser


def test_coach_calendar_has_unique_ids_labels_on_their_inputs_and_no_preticked_days(client):
    coach = CoachFactory()
    SessionTypeFactory(coach=coach)
    client.force_login(coach.user)
    html = client.get(f"/coaches/{coach.pk}/calendar/").content.decode()
    parsed = _parse(html)
    duplicates = {i: n for i, n in parsed.ids.items() if n > 1}
    assert not duplicates
    assert parsed.label_for and all(parsed.ids[target] == 1 for target in parsed.label_for)
    assert not [a for a in parsed.checked if a.get("name") == "weekdays"]
    # The seven weekday checkboxes: one fieldset with a legend, one label per box.
    group = re.search(r"<fieldset class=\"checkbox-group\".*?</fieldset>", html, re.S).group(0)
    assert "<legend" in group and "Every" in group
    assert group.count("<label") == 7 and group.count('type="checkbox"') == 7


def test_coach_requests_page_has_unique_ids(client):
    coach = CoachFactory()
    client.force_login(coach.user)
    parsed = _parse(client.get("/coach/requests/").content.decode())
    assert not {i: n for i, n in parsed.ids.items() if n > 1}


def test_webinar_list_loads_no_stripe_js_and_has_a_meta_description(client):
    WebinarFactory(title="Leading remote teams")
    html = client.get("/webinars/").content.decode()
    assert "js.stripe.com" not in html and "/v3/" not in html
    assert re.search(r'<meta name="description" content="[^"]{20,}">', html)
    # The Details button's accessible name starts with its visible text.
    assert 'Details<span class="visually-hidden"> of Leading remote teams</span>' in html


def test_every_page_has_a_meta_description(client):
    for path in ("/", "/accounts/login/", "/accounts/signup/"):
        assert '<meta name="description"' in client.get(path).content.decode()


def test_time_elements_carry_valid_datetimes_without_microseconds(client):
    user = UserFactory()
    client.force_login(user)
    html = client.get("/accounts/profile/").content.decode()
    value = re.search(r'<time datetime="([^"]+)"', html).group(1)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", value), value


def test_admin_says_coaches_and_weekday_names():
    assert Coach._meta.verbose_name_plural == "coaches"
    rate = TimeBasedRateFactory(weekdays=[4, 0])
    admin = site._registry[TimeBasedRate]
    assert admin.days(rate) == "Mon, Fri"
    assert "weekdays" not in admin.list_display


def test_an_invalid_slot_re_renders_the_calendar_with_the_error_and_what_was_typed(client):
    coach = CoachFactory()
    client.force_login(coach.user)
    response = client.post(
        "/coach/availability/add/",
        {"date": "2030-01-07", "start_time": "15:00", "end_time": "09:00"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The end must be after the start." in html and 'role="alert"' in html
    assert 'value="15:00"' in html and 'value="09:00"' in html and 'value="2030-01-07"' in html
    assert "Your calendar" in html
