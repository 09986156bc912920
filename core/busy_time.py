"""Busy time of a coach across apps, without the apps importing each other.

Each app that puts a coach somewhere at a given time (1:1 sessions, webinar slots) registers a
provider in its AppConfig.ready():

    from core.busy_time import register_busy_time_provider
    register_busy_time_provider("webinars", webinar_busy_time)

A provider is `fn(*, coach_id, window_start, window_end) -> Iterable[BusyBlock]` and returns
what of the window it occupies. `busy_blocks(..., exclude_source="bookings")` asks every other
app: 1:1 booking asks about webinars, webinar scheduling asks about 1:1 sessions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class BusyBlock:
    start: dt.datetime
    end: dt.datetime
    label: str = "Busy"  # shown to staff/coach in validation messages, never to clients


BusyTimeProvider = Callable[..., Iterable[BusyBlock]]
_providers: dict[str, BusyTimeProvider] = {}


def register_busy_time_provider(source: str, provider: BusyTimeProvider) -> None:
    """Register (or replace, on a repeated ready()) the provider of one app."""
    _providers[source] = provider


def busy_blocks(
    *,
    coach_id: int,
    window_start: dt.datetime,
    window_end: dt.datetime,
    exclude_source: str | None = None,
) -> list[BusyBlock]:
    """Every registered app's busy time for the coach overlapping [window_start, window_end)."""
    blocks: list[BusyBlock] = []
    for source, provider in _providers.items():
        if source == exclude_source:
            continue
        blocks.extend(provider(coach_id=coach_id, window_start=window_start, window_end=window_end))
    return sorted(blocks, key=lambda b: (b.start, b.end))
