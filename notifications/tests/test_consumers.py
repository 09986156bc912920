"""Consumers through the configured channel layer: Redis when REDIS_URL is set (CI), the
in-memory layer otherwise."""

import pytest
from channels.db import database_sync_to_async

from accounts.tests.factories import UserFactory
from notifications import live
from notifications.services import notify
from notifications.tests.ws import connect, nothing_arrives, receive_html
from notifications.types import NotificationType

pytestmark = [
    pytest.mark.websocket,
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
]

create_user = database_sync_to_async(UserFactory)


@database_sync_to_async
def notify_connection_request(user):
    return notify(
        recipient=user,
        type=NotificationType.CONNECTION_REQUESTED,
        context={"requester_name": "Ada Lovelace"},
        channels={"in_app"},
    )


async def test_anonymous_notifications_socket_is_refused():
    communicator, connected, code = await connect("/ws/notifications/")
    assert not connected
    await communicator.disconnect()


async def test_signed_in_user_receives_bell_with_count_and_toast():
    user = await create_user()
    communicator, connected, _ = await connect("/ws/notifications/", user)
    assert connected

    await notify_connection_request(user)

    html = await receive_html(communicator)
    assert 'id="notifications-bell"' in html and 'hx-swap-oob="true"' in html
    assert "1 unread" in html
    assert 'id="toasts" hx-swap-oob="beforeend"' in html
    assert "Ada Lovelace wants to connect" in html
    await communicator.disconnect()


async def test_bell_and_toast_are_rendered_by_the_celery_task_not_in_the_request(
    celery_not_eager,
):
    from notifications.tasks import push_bell, push_notification

    user = await create_user()
    communicator, _, _ = await connect("/ws/notifications/", user)

    notification = await notify_connection_request(user)

    # notify() only queued the push on commit; nothing was rendered or sent in the request.
    assert celery_not_eager == [("notifications.tasks.push_notification", [notification.pk])]
    assert await nothing_arrives(communicator)
    await database_sync_to_async(push_notification.apply)(args=[notification.pk])
    html = await receive_html(communicator)
    assert "1 unread" in html and "Ada Lovelace wants to connect" in html

    # Marking it read (e.g. in another tab) queues the bell the same way.
    from notifications.services import notification_mark_read

    await database_sync_to_async(notification_mark_read)(user=user, notification_id=notification.pk)
    assert celery_not_eager[-1] == ("notifications.tasks.push_bell", [user.pk])
    assert await nothing_arrives(communicator)
    await database_sync_to_async(push_bell.apply)(args=[user.pk])
    bell = await receive_html(communicator)
    assert 'id="notifications-bell"' in bell and "unread" not in bell  # count back to 0
    await communicator.disconnect()


async def test_a_user_does_not_receive_another_users_notifications():
    alice, bob = await create_user(), await create_user()
    alice_socket, _, _ = await connect("/ws/notifications/", alice)
    bob_socket, _, _ = await connect("/ws/notifications/", bob)

    await notify_connection_request(bob)

    assert "wants to connect" in await receive_html(bob_socket)
    assert await nothing_arrives(alice_socket)
    await alice_socket.disconnect()
    await bob_socket.disconnect()


async def test_malformed_message_is_ignored_and_no_socket_closes():
    alice, bob = await create_user(), await create_user()
    alice_socket, _, _ = await connect("/ws/notifications/", alice)
    bob_socket, _, _ = await connect("/ws/notifications/", bob)

    await alice_socket.send_to(text_data="{not json")
    await alice_socket.send_to(bytes_data=b"\x00\xff\xfe")
    await alice_socket.send_to(text_data='{"HEADERS": {"HX-Request": "true"}, "x": 1}')

    assert await nothing_arrives(alice_socket)  # no reply and no close frame
    await database_sync_to_async(live.send_fragment_now)(
        live.user_group(alice.pk), '<div id="probe">still here</div>'
    )
    await database_sync_to_async(live.send_fragment_now)(
        live.user_group(bob.pk), '<div id="probe">bob too</div>'
    )
    assert "still here" in await receive_html(alice_socket)
    assert "bob too" in await receive_html(bob_socket)
    await alice_socket.disconnect()
    await bob_socket.disconnect()


async def test_push_to_user_reaches_every_open_tab_of_that_user():
    user = await create_user()
    first_tab, _, _ = await connect("/ws/notifications/", user)
    second_tab, _, _ = await connect("/ws/notifications/", user)

    await database_sync_to_async(live.push_to_user)(user.pk, '<span id="x">hi</span>')

    assert await receive_html(first_tab) == '<span id="x">hi</span>'
    assert await receive_html(second_tab) == '<span id="x">hi</span>'
    await first_tab.disconnect()
    await second_tab.disconnect()


@pytest.mark.realservices
async def test_idle_socket_on_redis_outlives_the_layers_blocking_read():
    """channels_redis blocks 5 s per read; redis-py 8 used to time the socket out at 5 s and
    kill idle consumers (close 1011). An idle socket must stay open and still get pushes."""
    user = await create_user()
    communicator, connected, _ = await connect("/ws/notifications/", user)
    assert connected

    assert await nothing_arrives(communicator, within=12)  # idle across two blocking reads

    await database_sync_to_async(live.send_fragment_now)(
        live.user_group(user.pk), '<div id="probe">after idling</div>'
    )
    assert "after idling" in await receive_html(communicator)
    await communicator.disconnect()
