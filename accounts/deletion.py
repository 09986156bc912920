"""What stops an account from being deleted, asked of the apps that know (registry).

The domain apps (1:1 bookings, webinars) register a provider in their AppConfig.ready():

    from accounts.deletion import register_deletion_blocker
    register_deletion_blocker("bookings", upcoming_bookings_of)

A provider is `fn(*, user) -> list[str]`: one human-readable line per future booking or seat
that must be cancelled first (with its refund) before the account can go.
"""

from __future__ import annotations

from collections.abc import Callable

DeletionBlocker = Callable[..., list[str]]
_blockers: dict[str, DeletionBlocker] = {}


def register_deletion_blocker(source: str, provider: DeletionBlocker) -> None:
    _blockers[source] = provider


def deletion_blockers(*, user) -> list[str]:
    lines: list[str] = []
    for _source, provider in sorted(_blockers.items()):
        lines.extend(provider(user=user))
    return lines
