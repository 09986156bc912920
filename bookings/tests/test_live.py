"""Live pushes of 1:1 bookings over the client's and the coach's own streams: the client's open
status panel follows the booking (confirmed by the webhook, accepted, declined, other times
suggested, cancelled) and the coach's dashboard count of open requests follows the requests.
Through the real ASGI app and the configured channel layer (Redis with REDIS_URL)."""

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from accounts.models import Coach
from accounts.tests.factories import UserFactory
from bookings.models import Booking
from bookings.services import transitions
from bookings.services.booking_create import booking_create
from bookings.tests.factories import (
    AvailabilitySlotFactory,
    BookingFactory,
    at,
    coach_with_offer,
    future_weekday,
)
from bookings.tests.test_paid_flows import _book, _deliver_succeeded, _pay
from notifications import live
from notifications.tests.ws import connect, nothing_arrives, receive_html

pytestmark = [
    pytest.mark.websocket,
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
]
BookingStatus = Booking.Status


async def receive_containing(communicator, needle: str, max_messages: int = 6) -> str:
    """The first message containing `needle` (a transition also pushes the notification's bell
    and toast on the same stream; those are skipped)."""
    seen = []
    for _ in range(max_messages):
        html = await receive_html(communicator)
        if needle in html:
            return html
        seen.append(html[:120])
    raise AssertionError(f"no message with {needle!r}; got {seen}")


create_user = database_sync_to_async(UserFactory)


@database_sync_to_async
def free_offer():
    """A coach with a rate of 0 (no payment step) and availability on a Monday, by request."""
    coach, session_type = coach_with_offer()
    Coach.objects.filter(pk=coach.pk).update(hourly_rate=0)
    coach = Coach.objects.select_related("user").get(pk=coach.pk)  # coach.user used async
    day = future_weekday(0)
    AvailabilitySlotFactory(coach=coach, start=at(day, 9), end=at(day, 17), instant_booking=False)
    return coach, session_type, day


@database_sync_to_async
def request_monday_ten(coach, session_type, day, client):
    return booking_create(
        client=client,
        coach_id=coach.pk,
        session_type_id=session_type.pk,
        start=at(day, 10),
        duration=60,
    ).booking


async def free_request():
    """A client's REQUEST for Monday 10:00 to a coach without a price."""
    coach, session_type, day = await free_offer()
    client = await create_user()
    booking = await request_monday_ten(coach, session_type, day, client)
    return booking, coach, client, day


async def test_webhook_confirmation_pushes_youre_booked_to_the_clients_panel(localstripe):
    @database_sync_to_async
    def book_and_pay():
        coach, session_type = coach_with_offer()
        day = future_weekday(0, weeks_ahead=3)
        AvailabilitySlotFactory(
            coach=coach, start=at(day, 9), end=at(day, 17), instant_booking=True
        )
        user = UserFactory()
        http = Client()
        http.force_login(user)
        data = _book(http, coach, session_type, at(day, 10), code="")
        _pay(http, user, data)
        return http, user, data

    http, user, data = await book_and_pay()
    client_stream, _, _ = await connect("/ws/notifications/", user)
    stranger_stream, _, _ = await connect("/ws/notifications/", await create_user())

    await database_sync_to_async(_deliver_succeeded)(http, localstripe, data["payment_intent_id"])

    panel = await receive_containing(client_stream, f'id="booking-{data["booking_id"]}-panel"')
    assert "You're booked!" in panel and 'hx-swap-oob="true"' in panel
    assert 'data-booking-status="confirmed"' in panel
    assert await nothing_arrives(stranger_stream)
    await client_stream.disconnect()
    await stranger_stream.disconnect()


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        ("accept", "You're booked!"),
        ("decline", "Request declined"),
        ("suggest", "suggested other times"),
    ],
)
async def test_the_coachs_answer_flips_the_clients_open_panel(answer, shown):
    booking, coach, client, day = await free_request()
    client_stream, _, _ = await connect("/ws/notifications/", client)

    @database_sync_to_async
    def coach_answers():
        if answer == "accept":
            transitions.booking_accept(user=coach.user, booking_id=booking.pk)
        elif answer == "decline":
            transitions.booking_decline(user=coach.user, booking_id=booking.pk, message="Busy")
        else:
            transitions.booking_suggest(
                user=coach.user, booking_id=booking.pk, starts=[at(day, 14)], message="Later?"
            )

    await coach_answers()

    panel = await receive_containing(client_stream, f'id="booking-{booking.pk}-panel"')
    assert shown in panel
    await client_stream.disconnect()


async def test_a_cancellation_by_the_coach_flips_the_clients_open_panel():
    booking, coach, client, _ = await free_request()
    await database_sync_to_async(transitions.booking_accept)(user=coach.user, booking_id=booking.pk)
    client_stream, _, _ = await connect("/ws/notifications/", client)

    await database_sync_to_async(transitions.booking_cancel)(
        user=coach.user, booking_id=booking.pk, reason="I am ill"
    )

    panel = await receive_containing(client_stream, f'id="booking-{booking.pk}-panel"')
    assert "Session cancelled" in panel and "Cancelled by coach" in panel
    await client_stream.disconnect()


async def test_the_coachs_open_request_count_follows_new_and_answered_requests():
    coach, session_type, day = await free_offer()
    coach_stream, _, _ = await connect("/ws/notifications/", coach.user)

    booking = await request_monday_ten(coach, session_type, day, await create_user())

    count = await receive_containing(coach_stream, 'id="coach-open-requests"')
    assert 'data-testid="open-requests" hx-swap-oob="true">1</p>' in count
    assert '<span class="badge badge-warn">1</span>' in count

    await database_sync_to_async(transitions.booking_decline)(
        user=coach.user, booking_id=booking.pk
    )

    count = await receive_containing(coach_stream, 'id="coach-open-requests"')
    assert 'data-testid="open-requests" hx-swap-oob="true">0</p>' in count
    assert "badge-warn" not in count
    await coach_stream.disconnect()


async def test_a_booking_awaiting_payment_is_not_pushed_over_the_payment_step():
    coach, session_type, day = await free_offer()
    client = await create_user()

    @database_sync_to_async
    def pending_booking():
        return BookingFactory(
            coach=coach,
            session_type=session_type,
            client=client,
            status=BookingStatus.PAYMENT_PENDING,
        )

    booking = await pending_booking()
    client_stream, _, _ = await connect("/ws/notifications/", client)

    await database_sync_to_async(live.booking_changed)(booking_id=booking.pk)

    assert await nothing_arrives(client_stream)
    await client_stream.disconnect()


async def test_booking_pushes_are_rendered_by_the_celery_task_not_in_the_request(
    celery_not_eager,
):
    from notifications.tasks import push_booking_status

    booking, coach, client, _ = await free_request()
    celery_not_eager.clear()
    client_stream, _, _ = await connect("/ws/notifications/", client)

    await database_sync_to_async(transitions.booking_accept)(user=coach.user, booking_id=booking.pk)

    # The transition only queued the work, the panel first (ahead of the notification's push).
    assert celery_not_eager[0] == ("notifications.tasks.push_booking_status", [booking.pk])
    assert await nothing_arrives(client_stream)
    await database_sync_to_async(push_booking_status.apply)(args=[booking.pk])
    assert "You're booked!" in await receive_html(client_stream)
    await client_stream.disconnect()
