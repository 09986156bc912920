"""Helper for the concurrency tests that prove a lock holds (and, with the lock switched off,
that the race really exists)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections
from django.test import Client


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


class ThreadClient(Client):
    """A test client for one thread of a race. Django's Client collects a request's exception
    through the process-wide `got_request_exception` signal, so every client with a request in
    flight stores every thread's exception: a loser's IntegrityError was re-raised in the
    winner's thread too, and a control saw six errors where five requests failed. This client
    keeps only exceptions raised in the thread that runs its own request (each thread of a race
    gets its own client)."""

    _thread: int | None = None

    def request(self, **request):
        self._thread = threading.get_ident()
        return super().request(**request)

    def store_exc_info(self, **kwargs):
        if threading.get_ident() == self._thread:
            super().store_exc_info(**kwargs)
