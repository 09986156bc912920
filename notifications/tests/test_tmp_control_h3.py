import pytest
from channels.db import database_sync_to_async
from notifications import live
from notifications.tests.ws import connect, nothing_arrives, receive_html
from notifications.tests.test_consumers import create_user

pytestmark = [pytest.mark.websocket, pytest.mark.asyncio, pytest.mark.django_db(transaction=True), pytest.mark.realservices]

async def test_control(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": ["redis://127.0.0.1:6379/3"]}}}
    user = await create_user()
    communicator, connected, _ = await connect("/ws/notifications/", user)
    assert connected
    out = await communicator.receive_output(timeout=12)
    print("OUTPUT", out)
