"""Account sanctions: warn, hide from search, suspend, ban, lift (issue 18).

The public API (moderation, the trust score and the admin call it; nothing else writes the
sanction fields):

    user_suspend(*, user, until, reason, actor=None, source) -> AccountSanction   # until=None: ban
    user_lift(*, user, actor, reason="") -> None          # ends suspension, ban and hiding
    user_hide_from_search(*, user, reason, actor=None, source) -> AccountSanction
    user_warn(*, user, reason, actor=None, source) -> AccountSanction  # emails the warning
    is_suspended(user, at=None) -> bool                   # banned, or suspended_until in the future
    user_suspended                                        # signal(sender, user, sanction)
    user_lifted                                           # signal(sender, user, sanction)

accounts imports no domain app, so the consequences of a suspension (open holds and requests
released, a coach's future sessions and webinars cancelled with full refunds) live in the
domain apps: each connects a receiver to `user_suspended` in its AppConfig.ready, which queues
a Celery task after commit. The refusals (a suspended user cannot book, request, register,
publish or accept) are checked by each domain service with `is_suspended` and raised as that
app's own 403 error with `refusal_message(user)`.

A suspended or banned user can still log in: every page shows them a banner saying until
when and why (`banner_text`, rendered by templates/base.html through the context processor).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import formats, timezone

from accounts.models import AccountSanction, User
from core.oncommit import run_on_commit

# sender=AccountSanction, user=User, sanction=AccountSanction. Sent inside the transaction
# that suspends: receivers queue their work with core.oncommit so it runs after commit.
user_suspended = Signal()
# sender=AccountSanction, user=User, sanction=AccountSanction (the `lift` row).
user_lifted = Signal()

Kind = AccountSanction.Kind
Source = AccountSanction.Source


def is_suspended(user, at: dt.datetime | None = None) -> bool:
    """Banned, or suspended until a time after `at` (default now). Anonymous users: False."""
    if user is None or not getattr(user, "pk", None):
        return False
    if getattr(user, "banned_at", None) is not None:
        return True
    until = getattr(user, "suspended_until", None)
    return until is not None and until > (at or timezone.now())


def shown_in_search_q(prefix: str = "", *, at: dt.datetime | None = None) -> Q:
    """A filter for rows whose user (`prefix` leads to it, e.g. "coach__user__") appears in
    search, the directory and on profiles: not banned, not suspended now, not hidden."""
    at = at or timezone.now()
    return Q(
        **{f"{prefix}banned_at__isnull": True, f"{prefix}hidden_from_search_at__isnull": True}
    ) & (
        Q(**{f"{prefix}suspended_until__isnull": True}) | Q(**{f"{prefix}suspended_until__lte": at})
    )


def shown_in_search(user, at: dt.datetime | None = None) -> bool:
    """The same rule for one user already loaded."""
    return not is_suspended(user, at) and getattr(user, "hidden_from_search_at", None) is None


def _local(value: dt.datetime, user) -> str:
    tz = getattr(user, "tzinfo", None)
    local = timezone.localtime(value, tz) if tz else timezone.localtime(value)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({local.tzname()})"


def banner_text(user) -> str:
    """What a suspended user reads on every page; "" when they are not suspended."""
    if not is_suspended(user):
        return ""
    reason = (user.suspension_reason or "").strip()
    because = f" because: {reason}" if reason else ""
    if user.banned_at is not None:
        return f"Your account is banned{because}. You can no longer book, register or sell."
    return (
        f"Your account is suspended until {_local(user.suspended_until, user)}{because}. "
        "Until then you cannot book, register or sell."
    )


def refusal_message(user) -> str:
    """The message of the 403 a domain service raises for a suspended user."""
    if getattr(user, "banned_at", None) is not None:
        return "Your account is banned: you cannot book, register or sell."
    until = getattr(user, "suspended_until", None)
    if until is None:
        return "Your account is suspended."
    return f"Your account is suspended until {_local(until, user)}: you cannot do this now."


def _lock_user(user) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def _refresh(user, locked: User, *fields: str) -> None:
    """Copy the written fields onto the caller's instance so it sees the new state."""
    for field in fields:
        setattr(user, field, getattr(locked, field))


def _notify(user: User, notification_type: str, sanction: AccountSanction) -> None:
    from notifications.services import notify

    context = {"reason": sanction.reason, "kind": sanction.kind}
    if sanction.until:
        context["until"] = sanction.until.isoformat()
    run_on_commit(
        notify,
        recipient=user,
        type=notification_type,
        context=context,
        log_as="Sanction notice",
    )


@transaction.atomic
def user_suspend(
    *, user, until: dt.datetime | None, reason: str, actor=None, source: str
) -> AccountSanction:
    """Suspend `user` until `until`, or ban them when `until` is None. Sends `user_suspended`
    (domain apps release and cancel what the user holds and sells, after commit) and emails
    the user. A later suspension replaces the end date; a ban stays until lifted."""
    locked = _lock_user(user)
    now = timezone.now()
    kind = Kind.BAN if until is None else Kind.SUSPEND
    if kind == Kind.BAN:
        locked.banned_at = locked.banned_at or now
        locked.suspended_until = None
    else:
        locked.suspended_until = until
    locked.suspension_reason = (reason or "").strip()
    locked.save(update_fields=["banned_at", "suspended_until", "suspension_reason"])
    _refresh(user, locked, "banned_at", "suspended_until", "suspension_reason")
    sanction = AccountSanction.objects.create(
        user=locked,
        kind=kind,
        until=until,
        reason=locked.suspension_reason,
        source=source,
        actor=actor,
    )
    from notifications.types import NotificationType

    _notify(locked, NotificationType.ACCOUNT_SUSPENDED, sanction)
    user_suspended.send(sender=AccountSanction, user=locked, sanction=sanction)
    return sanction


@transaction.atomic
def user_hide_from_search(*, user, reason: str, actor=None, source: str) -> AccountSanction:
    """Hide `user` (as a coach) from search, the directory and profile pages; nothing else
    changes (they can still book and sell to people who have their links)."""
    locked = _lock_user(user)
    locked.hidden_from_search_at = locked.hidden_from_search_at or timezone.now()
    locked.save(update_fields=["hidden_from_search_at"])
    _refresh(user, locked, "hidden_from_search_at")
    return AccountSanction.objects.create(
        user=locked,
        kind=Kind.HIDE_FROM_SEARCH,
        reason=(reason or "").strip(),
        source=source,
        actor=actor,
    )


@transaction.atomic
def user_warn(*, user, reason: str, actor=None, source: str) -> AccountSanction:
    """Record a warning and email it to the user (notifications type ACCOUNT_WARNING,
    always delivered)."""
    from notifications.types import NotificationType

    sanction = AccountSanction.objects.create(
        user=user, kind=Kind.WARN, reason=(reason or "").strip(), source=source, actor=actor
    )
    _notify(user, NotificationType.ACCOUNT_WARNING, sanction)
    return sanction


@transaction.atomic
def user_lift(*, user, actor, reason: str = "") -> None:
    """End the user's suspension, ban and hiding from search; the sanctions still in force are
    marked reversed. Sends `user_lifted` (the trust score remembers the score at which staff
    lifted, so the next automatic run does not sanction again unless the score drops further).
    What the suspension cancelled stays cancelled."""
    locked = _lock_user(user)
    now = timezone.now()
    was_sanctioned = bool(
        locked.banned_at or locked.suspended_until or locked.hidden_from_search_at
    )
    locked.banned_at = None
    locked.suspended_until = None
    locked.hidden_from_search_at = None
    locked.suspension_reason = ""
    locked.save(
        update_fields=["banned_at", "suspended_until", "hidden_from_search_at", "suspension_reason"]
    )
    _refresh(user, locked, "banned_at", "suspended_until", "hidden_from_search_at")
    _refresh(user, locked, "suspension_reason")
    AccountSanction.objects.filter(
        user=locked,
        kind__in=[Kind.SUSPEND, Kind.BAN, Kind.HIDE_FROM_SEARCH],
        reversed_at__isnull=True,
    ).update(reversed_at=now, reversed_by=actor)
    sanction = AccountSanction.objects.create(
        user=locked,
        kind=Kind.LIFT,
        reason=(reason or "").strip(),
        source=Source.STAFF,
        actor=actor,
    )
    if was_sanctioned:
        from notifications.types import NotificationType

        _notify(locked, NotificationType.ACCOUNT_RESTORED, sanction)
    user_lifted.send(sender=AccountSanction, user=locked, sanction=sanction)
