"""The websocket stack end to end in-process: ASGI app, origin check, auth middleware and the
configured channel layer (Redis when REDIS_URL is set, in-memory otherwise)."""

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings

from config.asgi import application

pytestmark = [pytest.mark.websocket, pytest.mark.asyncio]

ORIGIN = [(b"origin", b"http://127.0.0.1:8000")]


async def test_ping_echoes_through_the_channel_layer():
    communicator = WebsocketCommunicator(application, "/ws/ping/", headers=ORIGIN)
    connected, _ = await communicator.connect()
    assert connected

    await communicator.send_json_to({"hello": "world"})
    reply = await communicator.receive_json_from(timeout=5)

    assert reply == {"type": "pong", "echo": {"hello": "world"}}
    await communicator.disconnect()


async def test_ping_uses_the_redis_layer_when_redis_is_configured():
    from channels.layers import get_channel_layer

    layer = get_channel_layer()

    expected = "RedisChannelLayer" if settings.REDIS_URL else "InMemoryChannelLayer"
    assert type(layer).__name__ == expected


async def test_websocket_from_a_foreign_origin_is_refused():
    communicator = WebsocketCommunicator(
        application, "/ws/ping/", headers=[(b"origin", b"https://evil.example")]
    )

    connected, _ = await communicator.connect()

    assert not connected
