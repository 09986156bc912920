"""Mission Control and the client's Launchpad (issue 16): what they show, the saved layout,
who may open them, and a query count that does not grow with the coach's history."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Connection
from accounts.tests.factories import CoachFactory, UserFactory
from bookings.tests.factories import BookingFactory
from core.mission_control import REFUND_REQUESTS, earnings_by_month, layout_for
from core.models import DashboardLayout
from payments.models import Payment
from payments.tests.factories import PaymentFactory
from webinars.tests.factories import RegistrationFactory, WebinarFactory

pytestmark = pytest.mark.django_db


def _paid(coach, *, webinar: bool, when=None, refunded=Decimal(0)):
    return PaymentFactory(
        coach=coach,
        webinar=webinar,
        status=Payment.Status.COMPLETED,
        completed_at=when or timezone.now(),
        amount_refunded=refunded,
    )


def _history(coach, months: int):
    now = timezone.now()
    for index in range(months):
        _paid(coach, webinar=index % 2 == 0, when=now - timedelta(days=28 * index))
        webinar = WebinarFactory(coach=coach)
        RegistrationFactory(webinar=webinar)
        BookingFactory(coach=coach, start=now + timedelta(days=index + 1, hours=2))


def test_mission_control_shows_session_and_webinar_earnings_with_the_chart(client):
    coach = CoachFactory()
    _paid(coach, webinar=True)  # 120.00 gross, coach share 94.36
    _paid(coach, webinar=False)  # 150.00 gross, coach share 117.95
    client.force_login(coach.user)
    html = client.get(reverse("core:coach_dashboard")).content.decode()
    assert "212.31" in html.split('data-testid="earnings"')[1].split("</p>")[0]
    assert "94.36" in html.split('data-testid="earnings-webinars"')[1].split("</span>")[0]
    assert "117.95" in html.split('data-testid="earnings-sessions"')[1].split("</span>")[0]
    assert "120.00" in html.split('data-testid="webinar-gross"')[1].split("</td>")[0]
    chart = html.split('data-testid="earnings-chart"')[1].split("</svg>")[0]
    assert "<title" in chart and chart.count('class="chart-webinars"') == 12
    assert 'data-testid="earnings-table"' in html  # the accessible alternative
    assert "<script" not in chart


def test_refunds_lower_the_net_and_fees_and_net_add_up_to_what_was_kept():
    coach = CoachFactory()
    _paid(coach, webinar=True, refunded=Decimal("60.00"))
    month = earnings_by_month(coach, now=timezone.now())[-1].webinars
    assert month.gross == Decimal("120.00") and month.refunds == Decimal("60.00")
    assert month.net == Decimal("47.18")
    assert month.net + month.fees + month.refunds == month.gross


def test_upcoming_webinars_show_seats_sold(client):
    coach = CoachFactory()
    webinar = WebinarFactory(coach=coach, max_attendees=8)
    RegistrationFactory.create_batch(3, webinar=webinar)
    client.force_login(coach.user)
    html = client.get(reverse("core:coach_dashboard")).content.decode()
    assert "3 of 8 seats sold" in html


def test_a_coach_moves_and_hides_widgets_and_the_layout_is_saved(client):
    coach = CoachFactory()
    client.force_login(coach.user)
    url = reverse("core:coach_dashboard_layout")
    client.post(url, {"move": "up:payouts"})  # above refund requests
    client.post(url, {"move": "up:payouts"})  # above open requests
    client.post(url, {"move": "hide:chart"})
    layout = DashboardLayout.objects.get(coach=coach)
    keys = [p.widget.key for p in layout_for(coach)]
    assert keys.index("payouts") < keys.index("requests")
    assert layout.hidden == ["chart"]
    html = client.get(reverse("core:coach_dashboard")).content.decode()
    assert 'data-testid="earnings-chart"' not in html  # hidden: not computed, not drawn
    assert 'value="show:chart"' in html
    client.post(url, {"move": "show:chart"})
    assert DashboardLayout.objects.get(coach=coach).hidden == []


def test_layout_refuses_nonsense_without_error(client):
    coach = CoachFactory()
    client.force_login(coach.user)
    response = client.post(reverse("core:coach_dashboard_layout"), {"move": "explode:nothing"})
    assert response.status_code == 302
    keys = [p.widget.key for p in layout_for(coach)]
    assert keys == ["earnings", "chart", "upcoming", "requests", REFUND_REQUESTS, "payouts"]


def test_mission_control_lists_refund_requests_waiting_with_their_deadline(client):
    from core.mission_control import DEFAULT_ORDER
    from payments.refunds.models import RefundRequest

    assert DEFAULT_ORDER.index(REFUND_REQUESTS) == DEFAULT_ORDER.index("requests") + 1
    coach = CoachFactory()
    payment = _paid(coach, webinar=False, when=timezone.now() - timedelta(days=3))
    due = timezone.now() + timedelta(hours=20)
    RefundRequest.objects.create(
        payment=payment,
        client=payment.payer,
        coach=coach,
        amount=Decimal("40.00"),
        currency="CHF",
        reason=RefundRequest.Reason.QUALITY,
        coach_due_at=due,
    )
    client.force_login(coach.user)
    html = client.get(reverse("core:coach_dashboard")).content.decode()

    assert "Refund requests" in html
    assert 'data-testid="refund-requests-waiting">1<' in html
    assert "CHF 40.00" in html
    assert timezone.localtime(due, ZoneInfo(coach.user.timezone)).strftime("%H:%M") in html
    assert reverse("coach_refunds") in html


def test_mission_control_and_its_layout_are_for_coaches_only(client):
    client.force_login(UserFactory())
    assert client.get(reverse("core:coach_dashboard")).status_code == 403
    assert (
        client.post(reverse("core:coach_dashboard_layout"), {"move": "up:chart"}).status_code == 403
    )


@pytest.mark.parametrize("size", [1, 6])
def test_mission_control_query_count_does_not_grow(client, django_assert_max_num_queries, size):
    coach = CoachFactory()
    _history(coach, size)
    client.force_login(coach.user)
    # 17: the refund-requests widget adds its waiting list and count.
    with django_assert_max_num_queries(17):
        assert client.get(reverse("core:coach_dashboard")).status_code == 200


# --- Launchpad ---------------------------------------------------------------------------


def test_launchpad_shows_the_next_webinar_with_its_join_link_and_countdown(client):
    webinar = WebinarFactory(title="Trust in teams", slots__starts_in=timedelta(days=2))
    user = RegistrationFactory(webinar=webinar).user
    client.force_login(user)
    html = client.get(reverse("core:launchpad")).content.decode()
    nxt = html.split('data-testid="next-item"')[1].split("</section>")[0]
    assert "Trust in teams" in nxt
    assert reverse("webinars:join", args=[webinar.pk]) in nxt
    assert "starts in 1" in nxt or "starts in 2" in nxt


def test_launchpad_lists_connected_coaches_and_unread_notifications(client):
    user = UserFactory()
    coach = CoachFactory(user__first_name="Quinn")
    Connection.objects.create(
        client=user, coach=coach, requested_by=user, status=Connection.Status.ACCEPTED
    )
    from notifications.models import Notification

    Notification.objects.create(recipient=user, type="welcome", title="Hello there")
    client.force_login(user)
    html = client.get(reverse("core:launchpad")).content.decode()
    assert "Quinn" in html
    assert "1 unread notification" in html and "Hello there" in html


def test_launchpad_needs_login(client):
    response = client.get(reverse("core:launchpad"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("size", [1, 6])
def test_launchpad_query_count_does_not_grow(client, django_assert_max_num_queries, size):
    user = UserFactory()
    for index in range(size):
        RegistrationFactory(
            user=user, webinar=WebinarFactory(slots__starts_in=timedelta(days=index + 1))
        )
        BookingFactory(client=user, start=timezone.now() + timedelta(days=index + 1, hours=3))
    client.force_login(user)
    # 11 = session, user, then one query per list (the waitlist offers came with issue 15).
    with django_assert_max_num_queries(11):
        assert client.get(reverse("core:launchpad")).status_code == 200
