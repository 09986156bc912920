"""Side effects after commit: the one way any app queues a Celery task or runs a callback once
the surrounding transaction has committed.

    from core.oncommit import enqueue_on_commit, run_on_commit

    enqueue_on_commit(send_welcome_email, user.pk)
    enqueue_on_commit(push_bell, user.pk, expires=120)
    run_on_commit(send_fragment_now, group, html, log_as="Live update")

Both wait for the commit (outside a transaction they run at once), and neither ever raises
into the request: a broker outage, a channel-layer error or a bug in the callback is logged
with the callback's name and arguments, and the database change that caused it stays
committed. Whoever needs the side effect to happen eventually keeps a durable record of it (an
outbox row, `refund_owed_reason`, a stuck `pending` payment) that a beat sweep retries.

Why not `transaction.on_commit(partial(...), robust=True)`: on Django 5.2 the robust error
path logs `callback.__qualname__`, which a `functools.partial` lacks, so the failure it meant to
swallow becomes an AttributeError in the request. We wrap every callback in a plain function
that catches and logs by itself, and register that without `robust`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


def _name(callback: Any) -> str:
    inner = getattr(callback, "func", callback)  # functools.partial
    return getattr(inner, "name", None) or getattr(inner, "__qualname__", None) or repr(inner)


def run_on_commit(
    callback: Callable[..., Any],
    *args: Any,
    log_as: str = "After-commit callback",
    using: str | None = None,
    **kwargs: Any,
) -> None:
    """Call `callback(*args, **kwargs)` after the current transaction commits; log, never raise."""

    def run() -> None:
        try:
            callback(*args, **kwargs)
        except Exception:
            logger.exception("%s %s%r failed", log_as, _name(callback), args)

    run.__qualname__ = f"run_on_commit({_name(callback)})"
    transaction.on_commit(run, using=using)


def enqueue_on_commit(
    task: Any,
    *args: Any,
    retry_note: str = "",
    using: str | None = None,
    **apply_async_options: Any,
) -> None:
    """Queue Celery `task` with `args` after commit (`apply_async` options such as `expires`
    pass through). A broker outage is logged, with `retry_note` saying what recovers it."""

    def enqueue() -> None:
        try:
            task.apply_async(args=args, **apply_async_options)
        except Exception:
            logger.exception(
                "Could not queue %s%r%s", _name(task), args, f"; {retry_note}" if retry_note else ""
            )

    enqueue.__qualname__ = f"enqueue_on_commit({_name(task)})"
    transaction.on_commit(enqueue, using=using)
