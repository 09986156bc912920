"""Counting failures per client in Django's cache (Redis in production, so every process
shares the counts) to refuse guessing: `Throttle("discount-code", limit=20, window=600)`.

A throttle counts failures for each key of a request: the signed-in user and the client IP,
so neither a new session nor a new address resets it alone. Fixed windows starting at the
first failure; a refused request does not extend the window."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache

from core.client_ip import client_ip


@dataclass(frozen=True)
class Throttle:
    name: str
    limit: int
    window: int  # seconds

    def keys(self, request, *, extra: tuple[str, ...] = ()) -> list[str]:
        """The counters of a request: its IP, its signed-in user, and `extra` identities the
        caller names (e.g. an email address typed into a form: hashed, never stored)."""
        keys = [f"throttle:{self.name}:ip:{client_ip(request) or 'unknown'}"]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            keys.append(f"throttle:{self.name}:user:{user.pk}")
        for identity in extra:
            digest = hashlib.sha256(identity.strip().lower().encode()).hexdigest()[:32]
            keys.append(f"throttle:{self.name}:id:{digest}")
        return keys

    def is_exceeded(self, request, *, extra: tuple[str, ...] = ()) -> bool:
        counts = cache.get_many(self.keys(request, extra=extra))
        return any(int(count) >= self.limit for count in counts.values())

    def record_failure(self, request, *, extra: tuple[str, ...] = ()) -> None:
        """Count one (failed, or for attempt limits any) request against every key."""
        now = int(time.time())
        for key in self.keys(request, extra=extra):
            if not cache.add(key, 1, timeout=self.window):
                try:
                    cache.incr(key)
                except ValueError:  # expired between add and incr
                    cache.add(key, 1, timeout=self.window)
            cache.add(f"{key}:until", now + self.window, timeout=self.window)

    def retry_after(self, request, *, extra: tuple[str, ...] = ()) -> int:
        """Seconds until the fullest exceeded window ends (for a Retry-After header)."""
        keys = self.keys(request, extra=extra)
        counts = cache.get_many(keys)
        ends = cache.get_many([f"{key}:until" for key in keys])
        now = int(time.time())
        waits = [
            int(ends.get(f"{key}:until", now + self.window)) - now
            for key, count in counts.items()
            if int(count) >= self.limit
        ]
        return max(1, max(waits, default=self.window))

    @property
    def message(self) -> str:
        minutes = max(1, self.window // 60)
        return f"Too many wrong attempts. Please wait {minutes} minutes before trying again."
