"""Contracts every row-lock helper (`*/locks.py`) enforces.

- A lock helper runs inside `transaction.atomic()`: `require_transaction()` raises
  `LockOutsideTransaction` otherwise (a lock taken in autocommit is released at once, so the
  check-then-write it protects would race). The test case's own wrapping transaction does not
  count, so tests see the same failure production would.
- A lock is waited for at most `settings.LOCK_TIMEOUT_SECONDS` (pretix: 3 s; PostgreSQL's
  `SET LOCAL lock_timeout`); a longer wait ends with the caller's domain "busy, try again"
  error (HTTP 409 with `Retry-After`), not a hung request. `busy_after_timeout(BusyError)`
  turns PostgreSQL's lock_not_available into that error. The timeout is set once per
  transaction (the first lock helper sends `SET LOCAL`, later ones in the same transaction
  reuse it), not once per lock: a seat hold takes five locks.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.db.transaction import TransactionManagementError

LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL SQLSTATE of an expired lock_timeout


class LockOutsideTransaction(TransactionManagementError):
    pass


def lock_timeout_seconds() -> float:
    return float(getattr(settings, "LOCK_TIMEOUT_SECONDS", 3))


def in_transaction(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Inside an atomic block of the code itself (not only a test case's wrapping one)."""
    connection = connections[using]
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def require_transaction(helper: str, using: str = DEFAULT_DB_ALIAS) -> None:
    """Refuse to take a row lock outside transaction.atomic(); bound the wait for it."""
    if not in_transaction(using):
        raise LockOutsideTransaction(
            f"{helper} takes a row lock: call it inside transaction.atomic()."
        )
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    milliseconds = int(lock_timeout_seconds() * 1000)
    if any(
        isinstance(hook[1], _LockTimeoutSet) and hook[1].milliseconds == milliseconds
        for hook in connection.run_on_commit  # (savepoint ids, function, robust)
    ):
        return  # this transaction (or an enclosing savepoint still open) already set it
    with connection.cursor() as cursor:
        # SET LOCAL: until this transaction ends; undone by a rollback to a savepoint taken
        # before it. A value in ms.
        cursor.execute(f"SET LOCAL lock_timeout = {milliseconds}")
    connection.on_commit(_LockTimeoutSet(milliseconds))


class _LockTimeoutSet:
    """The mark that this transaction has sent `SET LOCAL lock_timeout`: a no-op commit hook.
    Django's list of commit hooks has exactly the life of a SET LOCAL: it is emptied when the
    transaction commits or rolls back, and a rollback to a savepoint drops the hooks added
    since, as PostgreSQL undoes a SET LOCAL made since that savepoint."""

    def __init__(self, milliseconds: int) -> None:
        self.milliseconds = milliseconds

    def __call__(self) -> None:
        pass

    def __repr__(self) -> str:
        return f"<lock_timeout {self.milliseconds} ms set>"


def is_lock_timeout(error: BaseException) -> bool:
    cause = error.__cause__
    return (
        getattr(cause, "sqlstate", None) == LOCK_NOT_AVAILABLE
        or getattr(cause, "pgcode", None) == LOCK_NOT_AVAILABLE
    )


@contextmanager
def busy_after_timeout(busy_error: type[Exception], message: str | None = None):
    """Turn an expired lock wait inside the block into `busy_error` (the domain's 409)."""
    try:
        yield
    except OperationalError as error:
        if not is_lock_timeout(error):
            raise
        raise (busy_error(message) if message else busy_error()) from error
