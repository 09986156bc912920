from datetime import timedelta

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


def test_demo_webinars_start_at_sensible_times_in_the_coachs_zone():
    from django.utils import timezone

    from webinars.models import WebinarSlot

    coach = CoachFactory(user__timezone="America/New_York")
    demo.seed(coach=coach, clients=[UserFactory()])
    now = timezone.now()

    tz = coach.user.tzinfo
    starts = {
        slot.webinar.title: slot.start.astimezone(tz)
        for slot in WebinarSlot.objects.select_related("webinar")
    }
    for title, start in starts.items():
        assert (start.minute, start.second) in ((0, 0), (30, 0)), f"{title} starts {start}"
    assert starts["Leading remote teams"].strftime("%H:%M") == "18:00"
    assert starts["Intro to coaching (free)"].strftime("%H:%M") == "09:30"
    running = starts["Morning focus session"]
    assert running <= now < running + timedelta(hours=2)  # under way, not over
    deadline = Webinar.objects.get(title="Leading remote teams").early_bird_deadline
    assert deadline.astimezone(tz).strftime("%H:%M") == "23:59" and deadline > now
