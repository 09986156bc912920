"""Reminders 24 h and 1 h before every webinar slot and booked 1:1 session, exactly once each.

Pluggable: an app that has things worth a reminder registers a provider once (in its
`AppConfig.ready()`):

    from notifications.reminders import DueReminder, register_provider

    class SessionReminders:
        kind = "session"

        def upcoming(self, *, start_after, start_until):
            for booking in Booking.objects.filter(status="confirmed",
                                                  start__gt=start_after, start__lte=start_until):
                yield DueReminder(object_id=booking.pk, recipient=booking.client, target=booking,
                                  starts_at=booking.start, booked_at=booking.confirmed_at)

    register_provider(SessionReminders())

The beat task (`notifications.tasks.send_due_reminders`, every 5 minutes) asks each provider
for what starts inside each reminder's window and sends through `notify`. "Exactly once" is
a unique row in `ReminderLog` (kind, object id, 24h/1h, recipient) inserted in the same
transaction as the notification: of two overlapping runs, the second insert waits for the
first to commit and then fails, so it sends nothing (insert-then-send; no check-then-insert).

A reminder to someone without an account (a guest who booked a free session) has
`recipient=None` and an `email`: it is keyed by that address, goes by email only
(`notify_email_many`, with the provider's `link`, in the guest's `timezone_name`), and the
guests of one sweep are claimed and written in a fixed number of queries: one
`INSERT ... ON CONFLICT DO NOTHING RETURNING` of their log rows (a row another run holds
waits for it and then comes back empty), one suppression look-up, one outbox insert.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from notifications.models import ReminderLog
from notifications.types import NotificationType

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DueReminder:
    object_id: int | str  # what is starting (a webinar slot, a booking): one reminder per id
    recipient: object | None  # accounts.User; None for a guest known by `email` only
    target: object  # the model instance the notification links to
    starts_at: datetime
    booked_at: datetime | None = None  # booked inside the window: the confirmation suffices
    ends_at: datetime | None = None
    # A guest without an account (recipient None): where to, in whose zone, which page.
    email: str = ""
    name: str = ""
    timezone_name: str = "UTC"
    link: str = ""


class ReminderProvider(Protocol):
    kind: str

    def upcoming(self, *, start_after: datetime, start_until: datetime) -> Iterable[DueReminder]:
        """Everything of this kind starting in (start_after, start_until], one per recipient."""


@dataclass(frozen=True)
class Lead:
    key: str
    delta: timedelta
    label: str


# Longest first. A reminder's window ends where the next shorter one begins, so a session
# 30 minutes away gets the "1 hour" reminder, not a late "24 hours" one.
LEADS = (Lead("24h", timedelta(hours=24), "24 hours"), Lead("1h", timedelta(hours=1), "1 hour"))

_providers: dict[str, ReminderProvider] = {}


def register_provider(provider: ReminderProvider) -> None:
    _providers[provider.kind] = provider


def providers() -> list[ReminderProvider]:
    return list(_providers.values())


# `INSERT_BEFORE_SEND` exists for one purpose: the control test switches it off to show that
# the check-then-insert way (look for a log row, send, then record) sends a reminder twice when
# runs overlap (notifications/tests/test_reminders.py). Never switch it off elsewhere.
INSERT_BEFORE_SEND = True


def reminder_send(*, kind: str, due: DueReminder, lead: Lead) -> bool:
    """Send one reminder unless it was sent before. True when this call sent it."""
    claim = {
        "kind": kind,
        "object_id": str(due.object_id),
        "offset": lead.key,
        "recipient": due.recipient,
    }
    if not INSERT_BEFORE_SEND:
        return _check_then_insert(claim, due, lead)
    try:
        with transaction.atomic():
            ReminderLog.objects.create(**claim)
            _notify(due, lead)
    except IntegrityError:
        return False
    return True


def _check_then_insert(claim: dict, due: DueReminder, lead: Lead) -> bool:
    """The race the unique insert prevents (control test only): two runs both find no log
    row, both send, and the second insert merely finds the first one's row."""
    if ReminderLog.objects.filter(**claim).exists():
        return False
    _notify(due, lead)
    ReminderLog.objects.get_or_create(**claim)
    return True


def _notify(due: DueReminder, lead: Lead) -> None:
    from notifications.services import notify

    notify(
        recipient=due.recipient,
        type=NotificationType.SESSION_REMINDER,
        target=due.target,
        context=_context(due, lead),
    )


def _context(due: DueReminder, lead: Lead) -> dict:
    return {
        "lead": lead.label,
        "starts_at": due.starts_at,
        "ends_at": due.ends_at,
        "reminder": lead.key,
    }


def reminder_send_emails(*, kind: str, dues: list[DueReminder], lead: Lead) -> tuple[int, int]:
    """Send the reminders to guests (no account, `email` set) not sent before, in one
    transaction and a fixed number of queries. Returns (sent, already sent)."""
    from notifications.services import EmailOnlyMessage, notify_email_many
    from notifications.suppressions import normalize

    unique: dict[tuple[str, str], DueReminder] = {}
    for due in dues:
        unique.setdefault((str(due.object_id), normalize(due.email)), due)
    unique = {key: due for key, due in unique.items() if key[1]}
    if not unique:
        return 0, 0
    with transaction.atomic():
        claimed = _claim_emails(kind=kind, keys=list(unique), offset=lead.key)
        fresh = [due for key, due in unique.items() if key in claimed]
        notify_email_many(
            type=NotificationType.SESSION_REMINDER,
            messages=[
                EmailOnlyMessage(
                    to_email=due.email,
                    name=due.name,
                    timezone_name=due.timezone_name,
                    target=due.target,
                    context=_context(due, lead),
                    link=due.link,
                )
                for due in fresh
            ],
        )
    return len(fresh), len(unique) - len(fresh)


def _claim_emails(*, kind: str, keys: list[tuple[str, str]], offset: str) -> set[tuple[str, str]]:
    """Insert the guests' log rows; the ones this call inserted come back (the others were
    sent before, or by a run that is sending them now). `reminder_once_per_email` decides."""
    quote = connection.ops.quote_name
    table = quote(ReminderLog._meta.db_table)
    columns = ", ".join(
        quote(c) for c in ("kind", "object_id", "offset", "email", "recipient_id", "created_at")
    )
    now = timezone.now()
    params: list = []
    for object_id, email in keys:
        params += [kind, object_id, offset, email, None, now]
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(keys))
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES {values} "
        f"ON CONFLICT DO NOTHING RETURNING {quote('object_id')}, {quote('email')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(row[0], row[1]) for row in cursor.fetchall()}


def send_due_reminders(
    *, now: datetime | None = None, kinds: set[str] | None = None
) -> dict[str, int]:
    """Send what is due now; `kinds` limits the sweep to those providers (default all)."""
    now = now or timezone.now()
    totals = {"sent": 0, "already_sent": 0, "failed_providers": 0}
    for index, lead in enumerate(LEADS):
        next_shorter = LEADS[index + 1].delta if index + 1 < len(LEADS) else timedelta(0)
        for provider in providers():
            if kinds is not None and provider.kind not in kinds:
                continue
            try:
                sent, skipped = _send_for(provider, lead, now + next_shorter, now + lead.delta)
            except Exception:  # one broken provider must not stop the others' reminders
                logger.exception("Reminder provider %s failed", provider.kind)
                totals["failed_providers"] += 1
                continue
            totals["sent"] += sent
            totals["already_sent"] += skipped
    if totals["sent"]:
        logger.info("Reminders: %s", totals)
    return totals


def _send_for(provider, lead: Lead, start_after: datetime, start_until: datetime):
    sent = skipped = 0
    guests = []
    for due in provider.upcoming(start_after=start_after, start_until=start_until):
        if due.booked_at is not None and due.booked_at > due.starts_at - lead.delta:
            continue  # booked inside the window: they just got the confirmation
        if due.recipient is None:
            guests.append(due)
        elif reminder_send(kind=provider.kind, due=due, lead=lead):
            sent += 1
        else:
            skipped += 1
    guests_sent, guests_skipped = reminder_send_emails(kind=provider.kind, dues=guests, lead=lead)
    return sent + guests_sent, skipped + guests_skipped
