"""Live webinar widgets over websockets: spots left for everyone watching, the attendee count
for the coach, the booking panel for the booker; who may watch a webinar."""

import pytest
from channels.db import database_sync_to_async

from accounts.tests.factories import UserFactory
from notifications import live
from notifications.tests.ws import connect, nothing_arrives, receive_html
from webinars.models import Registration, Webinar
from webinars.tests.factories import HeldRegistrationFactory, RegistrationFactory, WebinarFactory

pytestmark = [
    pytest.mark.websocket,
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
]


@database_sync_to_async
def _webinar(**kwargs):
    webinar = WebinarFactory(**kwargs)
    return webinar, webinar.coach.user


@database_sync_to_async
def _confirm(registration):
    Registration.objects.filter(pk=registration.pk).update(status=Registration.Status.CONFIRMED)
    live.webinar_changed(webinar_id=registration.webinar_id)
    live.registration_changed(registration_id=registration.pk)


async def test_anyone_may_watch_a_published_webinar():
    webinar, _ = await _webinar()
    communicator, connected, _ = await connect(f"/ws/webinars/{webinar.pk}/")
    assert connected
    await communicator.disconnect()


async def test_a_draft_webinar_cannot_be_watched_by_other_users_or_anonymously():
    webinar, coach_user = await _webinar(status=Webinar.Status.DRAFT)
    stranger = await database_sync_to_async(UserFactory)()
    for user in (None, stranger):
        communicator, connected, _ = await connect(f"/ws/webinars/{webinar.pk}/", user)
        assert not connected
        await communicator.disconnect()
    communicator, connected, _ = await connect(f"/ws/webinars/{webinar.pk}/", coach_user)
    assert connected
    await communicator.disconnect()


async def test_unknown_webinar_is_refused():
    communicator, connected, _ = await connect("/ws/webinars/987654/")
    assert not connected
    await communicator.disconnect()


async def test_confirmed_seat_updates_spots_for_watchers_and_count_for_the_coach():
    webinar, coach_user = await _webinar(max_attendees=5)
    await database_sync_to_async(RegistrationFactory)(webinar=webinar)
    held = await database_sync_to_async(HeldRegistrationFactory)(webinar=webinar)
    watcher, _, _ = await connect(f"/ws/webinars/{webinar.pk}/")
    coach_stream, _, _ = await connect("/ws/notifications/", coach_user)
    booker_stream, _, _ = await connect("/ws/notifications/", held.user)

    await _confirm(held)

    spots = await receive_html(watcher)
    assert f'id="webinar-{webinar.pk}-spots"' in spots and 'hx-swap-oob="true"' in spots
    assert "3 spots left" in spots
    attendees = await receive_html(coach_stream)
    assert f'id="webinar-{webinar.pk}-attendees"' in attendees
    assert "<strong>2 / 5</strong>" in attendees
    panel = await receive_html(booker_stream)
    assert f'id="webinar-{webinar.pk}-panel"' in panel and "You're booked!" in panel
    # The attendee count goes to the coach only, never to other watchers.
    assert await nothing_arrives(watcher)
    for communicator in (watcher, coach_stream, booker_stream):
        await communicator.disconnect()


async def test_watchers_of_another_webinar_receive_nothing():
    webinar, _ = await _webinar()
    other, _ = await _webinar()
    held = await database_sync_to_async(HeldRegistrationFactory)(webinar=webinar)
    other_watcher, _, _ = await connect(f"/ws/webinars/{other.pk}/")

    await _confirm(held)

    assert await nothing_arrives(other_watcher)
    await other_watcher.disconnect()


async def test_malformed_message_on_a_webinar_socket_keeps_everyone_connected():
    webinar, _ = await _webinar()
    noisy, _, _ = await connect(f"/ws/webinars/{webinar.pk}/")
    quiet, _, _ = await connect(f"/ws/webinars/{webinar.pk}/")
    await noisy.send_to(text_data="\x00garbage{")
    await database_sync_to_async(live.webinar_changed)(webinar_id=webinar.pk)
    assert "spots left" in await receive_html(noisy)
    assert "spots left" in await receive_html(quiet)
    await noisy.disconnect()
    await quiet.disconnect()


async def test_a_new_hold_does_not_push_the_payment_step_over_the_bookers_own_page():
    webinar, _ = await _webinar()
    held = await database_sync_to_async(HeldRegistrationFactory)(webinar=webinar)
    booker_stream, _, _ = await connect("/ws/notifications/", held.user)

    await database_sync_to_async(live.registration_changed)(registration_id=held.pk)

    assert await nothing_arrives(booker_stream)
    await booker_stream.disconnect()


async def test_webinar_pushes_are_rendered_by_the_celery_task_not_in_the_request(
    celery_not_eager,
):
    from notifications.tasks import push_booking_panel, push_webinar_state

    webinar, _ = await _webinar(max_attendees=5)
    held = await database_sync_to_async(HeldRegistrationFactory)(webinar=webinar)
    watcher, _, _ = await connect(f"/ws/webinars/{webinar.pk}/")
    booker_stream, _, _ = await connect("/ws/notifications/", held.user)

    await _confirm(held)  # what a service does after the seat is confirmed

    # The request only queued the work; nothing was rendered or sent in it.
    assert celery_not_eager == [
        ("notifications.tasks.push_webinar_state", [webinar.pk]),
        ("notifications.tasks.push_booking_panel", [held.pk]),
    ]
    assert await nothing_arrives(watcher)
    assert await nothing_arrives(booker_stream)
    # The worker's part: render the page's partials and send them.
    await database_sync_to_async(push_webinar_state.apply)(args=[webinar.pk])
    await database_sync_to_async(push_booking_panel.apply)(args=[held.pk])
    assert "4 spots left" in await receive_html(watcher)
    assert "You're booked!" in await receive_html(booker_stream)
    await watcher.disconnect()
    await booker_stream.disconnect()
