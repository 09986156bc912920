from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Coach, User
from core.demo_accounts import CLIENTS, COACH
from reviews.models import Review
from reviews.selectors import reviewable_items

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_one_answered_review_and_leaves_anna_one_to_write(localstripe):
    for _ in range(2):  # idempotent
        out = StringIO()
        call_command("seed_demo", stdout=out)
    coach = Coach.objects.get(user__email=COACH.email)
    review = Review.objects.get(coach=coach)
    assert review.rating == 5 and review.replied_at is not None
    anna = User.objects.get(email=CLIENTS[0].email)
    assert len(reviewable_items(author=anna, coach=coach)) == 1
    assert "may review" in out.getvalue()
