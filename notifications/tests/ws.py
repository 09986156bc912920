"""Helpers for websocket tests: connect through the real ASGI app (origin check, session
auth middleware, URL routing) with a real session cookie."""

from __future__ import annotations

import asyncio

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from config.asgi import application

ORIGIN = b"http://127.0.0.1:8000"


@database_sync_to_async
def session_cookie_for(user) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


async def connect(path: str, user=None) -> tuple[WebsocketCommunicator, bool, int | None]:
    headers = [(b"origin", ORIGIN), (b"host", b"127.0.0.1:8000")]
    if user is not None:
        headers.append((b"cookie", (await session_cookie_for(user)).encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, subprotocol_or_code = await communicator.connect(timeout=5)
    return communicator, connected, (None if connected else subprotocol_or_code)


async def receive_html(communicator: WebsocketCommunicator, timeout: float = 5) -> str:
    return await communicator.receive_from(timeout=timeout)


async def nothing_arrives(communicator: WebsocketCommunicator, within: float = 0.3) -> bool:
    return await communicator.receive_nothing(timeout=within)


async def wait_until(predicate, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)
