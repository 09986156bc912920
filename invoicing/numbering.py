"""Gapless numbers per series (kind + year), allocated under a row lock.

`sequence_allocate` must run inside the transaction that inserts the document: the counter
row stays locked (SELECT ... FOR UPDATE) until that transaction ends, so two issuers queue for
it instead of reading the same value, and a rollback gives the number back (no gap). The unique
constraints on `Document.number` and (kind, year, sequence) are the last line of defence.
"""

from __future__ import annotations

from django.db import transaction

from invoicing.models import DocumentCounter

# Tests of the control only: called between reading and writing the counter, to widen the
# window in which an unlocked read races (see invoicing/tests/test_numbering_concurrency.py).
_between_read_and_write = None


def sequence_allocate(*, kind: str, year: int, lock: bool = True) -> int:
    """The next number in the series. `lock=False` exists only for the control test that
    shows why the lock is needed."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Allocate a number inside the transaction that issues the document.")
    # Create the series row once; a concurrent creator's row wins (ON CONFLICT DO NOTHING).
    DocumentCounter.objects.bulk_create(
        [DocumentCounter(kind=kind, year=year, last_sequence=0)], ignore_conflicts=True
    )
    counters = DocumentCounter.objects.filter(kind=kind, year=year)
    if lock:
        counters = counters.select_for_update()
    counter = counters.get()
    if _between_read_and_write is not None:
        _between_read_and_write()
    counter.last_sequence += 1
    DocumentCounter.objects.filter(pk=counter.pk).update(last_sequence=counter.last_sequence)
    return counter.last_sequence
