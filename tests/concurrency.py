"""Helper for the concurrency tests that prove a lock holds (and, with the lock switched off,
that the race really exists)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections


def race(count: int, action: Callable[[int], object]) -> list:
    """Run action(i) in `count` threads released at the same instant; each thread uses its
    own database connection and closes it at the end. Exceptions are returned, not raised."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=60)
            results[index] = action(index)
        except Exception as exc:  # collected and asserted by the test
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
