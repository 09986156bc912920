import logging

import pytest
from django.test import Client

from accounts.tests.factories import UserFactory
from conftest import free_port
from notifications import live
from notifications.models import Notification
from notifications.services import notify
from notifications.types import NotificationType

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_down(settings):
    """A Redis channel layer pointing at a port where nothing listens: a real outage."""
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [f"redis://127.0.0.1:{free_port()}/3"]},
        }
    }


def test_redis_outage_while_pushing_keeps_the_notification_and_logs(redis_down, caplog, committed):
    user = UserFactory()
    caplog.set_level(logging.ERROR, logger="notifications.live")

    with committed():  # the push is sent on commit
        notification = notify(
            recipient=user,
            type=NotificationType.CONNECTION_REQUESTED,
            context={"requester_name": "Ada"},
            channels={"in_app"},
        )

    assert Notification.objects.filter(pk=notification.pk).exists()
    assert "Live push to user." in caplog.text
    client = Client()
    client.force_login(user)
    page = client.get("/notifications/")
    assert "Ada wants to connect" in page.content.decode()


def test_push_helpers_never_raise_when_the_layer_is_down(redis_down):
    assert live.send_fragment_now("user.1", "<p id='x'>x</p>") is False
    live.push_to_user(1, "<p id='x'>x</p>")
    live.webinar_changed(webinar_id=123456)
    live.registration_changed(registration_id=123456)
    live.booking_changed(booking_id=123456)
    live.notification_created(notification_id=123456)
    live.bell_changed(user_id=1)


def test_a_push_task_that_fails_to_render_logs_and_does_not_raise(caplog):
    from notifications.tasks import push_webinar_state

    caplog.set_level(logging.ERROR, logger="notifications.live")
    push_webinar_state.apply(args=["not-an-id"])
    assert "Live update of webinar not-an-id failed" in caplog.text


def test_webinar_pushes_coalesce_while_one_is_queued_and_resume_once_it_starts(
    committed, monkeypatch
):
    """A popular webinar opening: every seat taken asks for the "spots left" push. While one
    render task waits in the queue, later changes ride on it (it reads the state when it
    starts); once it started, the next change queues its own. Renders are counted with a
    pass-through spy on our own renderer (nothing replaced)."""
    from django.core.cache import cache

    from notifications import live_fragments
    from webinars.tests.factories import WebinarFactory

    webinar = WebinarFactory()
    renders = []
    render_spots = live_fragments.render_spots

    def counted(w):
        renders.append(w.pk)
        return render_spots(w)

    monkeypatch.setattr(live_fragments, "render_spots", counted)

    with committed():  # eager Celery: the queued task runs at once and renders
        live.webinar_changed(webinar_id=webinar.pk)
    assert renders == [webinar.pk]

    cache.add(live.webinar_push_pending_key(webinar.pk), 1)  # a render queued, not started
    with committed():
        for _ in range(5):
            live.webinar_changed(webinar_id=webinar.pk)
    assert renders == [webinar.pk]  # the five changes ride on the queued render

    live.push_webinar_state_now(webinar.pk)  # that task starts: it clears the mark, renders
    assert renders == [webinar.pk] * 2
    with committed():
        live.webinar_changed(webinar_id=webinar.pk)
    assert renders == [webinar.pk] * 3  # a change after it started queues its own


def test_a_webinar_push_that_could_not_be_queued_does_not_block_the_next(
    committed, monkeypatch, caplog
):
    from webinars.tests.factories import WebinarFactory

    webinar = WebinarFactory()
    queued = []

    def broker_down(task_name, object_id):
        raise ConnectionError("broker down")

    monkeypatch.setattr(live, "_queue_push", broker_down)  # the broker is outside our process
    with committed():
        live.webinar_changed(webinar_id=webinar.pk)
    assert "Live update" in caplog.text
    monkeypatch.setattr(live, "_queue_push", lambda name, pk: queued.append((name, pk)))
    with committed():
        live.webinar_changed(webinar_id=webinar.pk)
    assert queued == [("push_webinar_state", webinar.pk)]
