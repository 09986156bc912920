"""Cancelling a webinar updates the pages that are open: everyone watching sees it cancelled,
an attendee's panel says so, the coach's attendee count drops."""

import pytest
from channels.db import database_sync_to_async

from notifications.tests.ws import connect, receive_html
from webinars.services import webinar_cancel
from webinars.tests.factories import RegistrationFactory, WebinarFactory

pytestmark = [
    pytest.mark.websocket,
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
]


async def frame_containing(communicator, needle: str, limit: int = 6) -> str:
    """The next frame containing `needle` (a stream also carries bell and toast frames)."""
    frames = []
    for _ in range(limit):
        frame = await receive_html(communicator)
        if needle in frame:
            return frame
        frames.append(frame)
    raise AssertionError(f"no frame with {needle!r}: {frames}")


async def test_cancelling_updates_watchers_the_attendees_panel_and_the_coachs_count():
    webinar = await database_sync_to_async(WebinarFactory)(max_attendees=5, price=0)
    attendee = await database_sync_to_async(RegistrationFactory)(webinar=webinar, amount=0)
    coach_user = await database_sync_to_async(lambda: webinar.coach.user)()
    watcher, _, _ = await connect(f"/ws/webinars/{webinar.pk}/")
    attendee_stream, _, _ = await connect("/ws/notifications/", attendee.user)
    coach_stream, _, _ = await connect("/ws/notifications/", coach_user)

    await database_sync_to_async(webinar_cancel)(
        webinar_id=webinar.pk, by=coach_user, reason="Ill."
    )

    spots = await frame_containing(watcher, f'id="webinar-{webinar.pk}-spots"')
    assert "Webinar cancelled" in spots
    panel = await frame_containing(attendee_stream, f'id="webinar-{webinar.pk}-panel"')
    assert "This webinar has been cancelled." in panel and "Book webinar" not in panel
    count = await frame_containing(coach_stream, f'id="webinar-{webinar.pk}-attendees"')
    assert "<strong>0 / 5</strong>" in count
    for communicator in (watcher, attendee_stream, coach_stream):
        await communicator.disconnect()
