import pytest

from accounts.tests.factories import CoachFactory, UserFactory
from webinars import demo
from webinars.models import Registration, Webinar
from webinars.selectors import upcoming_webinars

pytestmark = pytest.mark.django_db


def test_demo_seed_covers_every_booking_state_and_is_idempotent():
    from django.utils import timezone

    coach, clients = CoachFactory(), [UserFactory(), UserFactory()]
    demo.seed(coach=coach, clients=clients)
    demo.seed(coach=coach, clients=clients)
    assert Webinar.objects.count() == len(demo.DEMO_WEBINARS)
    items = {item.webinar.title: item for item in upcoming_webinars(now=timezone.now())}
    assert items["Leading remote teams"].quote.reason == "early_bird"
    assert items["Negotiation fundamentals"].quote.reason == "regular"
    assert items["Public speaking lab"].seats_left == 1
    assert items["Feedback that lands"].seats_left == 0
    assert items["Intro to coaching (free)"].quote.is_free
    assert items["Morning focus session"].has_started
    assert Registration.objects.filter(user=clients[0], status="confirmed").count() == 1
