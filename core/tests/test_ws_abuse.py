"""Websocket abuse (issue 8 #17): unknown paths are refused cleanly at the handshake, and the
anonymous ping refuses oversized messages before they reach the channel layer."""

import pytest
from channels.testing import WebsocketCommunicator

from config.asgi import application
from core.consumers import CLOSE_TOO_BIG, CLOSE_UNKNOWN_ROUTE, MAX_PING_BYTES

pytestmark = [pytest.mark.websocket, pytest.mark.asyncio]

ORIGIN = [(b"origin", b"http://127.0.0.1:8000")]


@pytest.mark.parametrize("path", ["/ws/webinars/abc/", "/ws/x/", "/ws/", "/nope"])
async def test_unknown_paths_are_refused_cleanly(path):
    communicator = WebsocketCommunicator(application, path, headers=ORIGIN)
    connected, code = await communicator.connect()
    assert not connected and code == CLOSE_UNKNOWN_ROUTE
    await communicator.wait()


async def test_a_900_kb_ping_is_refused_without_an_echo():
    communicator = WebsocketCommunicator(application, "/ws/ping/", headers=ORIGIN)
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_to(text_data='{"x": "' + "a" * 900_000 + '"}')
    closing = await communicator.receive_output(timeout=5)
    assert closing == {"type": "websocket.close", "code": CLOSE_TOO_BIG}
    await communicator.wait()


async def test_a_small_ping_still_echoes_and_non_json_closes():
    communicator = WebsocketCommunicator(application, "/ws/ping/", headers=ORIGIN)
    assert (await communicator.connect())[0]
    payload = {"x": "a" * (MAX_PING_BYTES - 20)}
    await communicator.send_json_to(payload)
    assert (await communicator.receive_json_from(timeout=5)) == {"type": "pong", "echo": payload}
    await communicator.send_to(text_data="not json")
    assert (await communicator.receive_output(timeout=5))["type"] == "websocket.close"
    await communicator.wait()
