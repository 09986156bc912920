"""Fixtures of the integrations tests: the Calendly stand-in in a thread of this process,
recorded Calendly payloads, and a connected coach."""

from __future__ import annotations

import copy
import json
import threading
from pathlib import Path

import pytest

from accounts.tests.factories import CoachFactory
from conftest import free_port
from integrations.calendly_standin.server import DEMO_TOKEN, make_server

FIXTURES = Path(__file__).parent / "fixtures" / "calendly"


def recorded(name: str) -> dict:
    """A recorded Calendly response or webhook envelope (see fixtures/calendly/README.md)."""
    return copy.deepcopy(json.loads((FIXTURES / f"{name}.json").read_text()))


@pytest.fixture(scope="session")
def _standin_server():
    port = free_port()
    server = make_server(port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def calendly_standin(_standin_server, settings):
    """The stand-in, emptied, with CALENDLY_API_BASE pointing at it."""
    server, base = _standin_server
    server.RequestHandlerClass.store.reset()
    settings.CALENDLY_API_BASE = base
    return {"base": base, "store": server.RequestHandlerClass.store, "token": DEMO_TOKEN}


@pytest.fixture
def coach(db):
    return CoachFactory()


@pytest.fixture
def connected(coach, calendly_standin, settings):
    """A coach connected to the stand-in's demo user (a real subscription there)."""
    from integrations.services import calendly_connect

    settings.SITE_URL = "http://testserver"
    return calendly_connect(coach=coach, token=DEMO_TOKEN).connection
