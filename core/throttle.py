"""Counting failures per client in Django's cache (Redis in production, so every process
shares the counts) to refuse guessing: `Throttle("discount-code", limit=20, window=600)`.

A throttle counts failures for each key of a request: the signed-in user and the client IP,
so neither a new session nor a new address resets it alone. Fixed windows starting at the
first failure; a refused request does not extend the window."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache

from core.client_ip import client_ip


@dataclass(frozen=True)
class Throttle:
    name: str
    limit: int
    window: int  # seconds

    def keys(self, request) -> list[str]:
        keys = [f"throttle:{self.name}:ip:{client_ip(request) or 'unknown'}"]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            keys.append(f"throttle:{self.name}:user:{user.pk}")
        return keys

    def is_exceeded(self, request) -> bool:
        counts = cache.get_many(self.keys(request))
        return any(int(count) >= self.limit for count in counts.values())

    def record_failure(self, request) -> None:
        for key in self.keys(request):
            if not cache.add(key, 1, timeout=self.window):
                try:
                    cache.incr(key)
                except ValueError:  # expired between add and incr
                    cache.add(key, 1, timeout=self.window)

    @property
    def message(self) -> str:
        minutes = max(1, self.window // 60)
        return f"Too many wrong attempts. Please wait {minutes} minutes before trying again."
