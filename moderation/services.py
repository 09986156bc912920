"""Writes of the moderation app: a person reports something (`flag_create`), staff decide
about a reported target (`moderation_act`).

Reporting across a block is allowed: blocking someone hides them from you, it must not stop
you from telling us they harass you (nor stop them from reporting you). The target only has
to exist and be something the reporter could see apart from the block (moderation.targets
`visible`); anything else is "unknown" to them, so ids of drafts or hidden rows do not leak.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from moderation.errors import ModerationError
from moderation.models import Flag, ModerationAction
from moderation.targets import target_for
from notifications.services import notify
from notifications.types import NotificationType

Action = ModerationAction.Action
MAX_NOTE_CHARS = 1000
MAX_SUSPENSION_DAYS = 3650
# Decisions that say the reports were right: they count as "flags upheld" (trust score).
UPHOLDING_ACTIONS = (Action.HIDE, Action.WARN, Action.SUSPEND, Action.BAN)
# Decisions taken from the queue: each settles every open flag of its target.
RESOLVING_ACTIONS = (Action.DISMISS, *UPHOLDING_ACTIONS)
ACTIONS_ON_OWNER = (Action.WARN, Action.SUSPEND, Action.BAN, Action.LIFT)


def _invalid(field: str, message: str) -> ModerationError:
    return ModerationError(message, errors={field: [message]})


def parse_target_id(raw) -> int | None:
    if isinstance(raw, bool):
        return None
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        return None
    return value if 0 < value < 2**63 else None


def flag_create(*, reporter, target_kind, target_id, reason, note="") -> tuple[Flag, bool]:
    """Record `reporter`'s report; (flag, created). The same person reporting the same
    target while their first report is open gets that flag back (created False), whatever
    the reason this time: one flag, and the unique constraint settles a race. Raises
    ModerationError (400, `errors` per field) for an unknown kind or reason, a target the
    reporter cannot see, or a report about themselves."""
    target = target_for(str(target_kind)) if isinstance(target_kind, str) else None
    if target is None:
        raise _invalid("target_kind", "Choose what you are reporting.")
    if reason not in Flag.Reason.values:
        raise _invalid("reason", "Choose a reason from the list.")
    note = note if isinstance(note, str) else ""
    if len(note) > MAX_NOTE_CHARS:
        raise _invalid("note", f"Keep the note under {MAX_NOTE_CHARS} characters.")
    object_id = parse_target_id(target_id)
    obj = target.get(object_id) if object_id is not None else None
    if obj is None:
        raise _invalid("target_id", "We could not find what you are reporting.")
    owner = target.owner(obj)
    if owner is not None and owner.pk == reporter.pk:
        raise _invalid("target_id", "You cannot report yourself or your own content.")
    if not target.visible(obj, reporter):
        raise _invalid("target_id", "We could not find what you are reporting.")

    existing = _open_flag(reporter=reporter, kind=target.kind, object_id=obj.pk)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            flag = Flag.objects.create(
                reporter=reporter,
                target_kind=target.kind,
                target_id=obj.pk,
                reason=reason,
                note=note.strip(),
            )
    except IntegrityError:  # the same report sent twice at once: the other one won
        existing = _open_flag(reporter=reporter, kind=target.kind, object_id=obj.pk)
        if existing is None:
            raise
        return existing, False
    return flag, True


def _open_flag(*, reporter, kind: str, object_id: int) -> Flag | None:
    return Flag.objects.filter(
        reporter=reporter, target_kind=kind, target_id=object_id, status=Flag.Status.OPEN
    ).first()


def _validate_action(action, days, reason) -> tuple[str, int | None, str]:
    if action not in Action.values:
        raise _invalid("action", "Unknown moderation action.")
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if action == Action.SUSPEND:
        parsed = parse_target_id(days)
        if parsed is None or parsed > MAX_SUSPENSION_DAYS:
            raise _invalid("days", f"Give the number of days, 1 to {MAX_SUSPENSION_DAYS}.")
        days = parsed
    else:
        days = None
    if action in (Action.HIDE, Action.WARN, Action.SUSPEND, Action.BAN) and not reason:
        raise _invalid("reason", "Give a reason: the person concerned is told it.")
    return action, days, reason


@transaction.atomic
def moderation_act(
    *, target_kind: str, target_id: int, action: str, actor, days: int | None = None, reason=""
) -> ModerationAction:
    """Staff's decision about one target: dismiss its reports, hide it (unhide), or warn,
    suspend for `days`, ban (lift) its owner through accounts.suspension. Dismiss and the
    upholding actions resolve every open flag of the target (locked, so a flag arriving
    meanwhile is either resolved now or stays open for the next decision); the action is
    logged with those flags; after commit the owner is told what was decided and why, each
    reporter only that their report was reviewed. `actor` None: an automated rule."""
    action, days, reason = _validate_action(action, days, reason)
    target = target_for(target_kind)
    if target is None:
        raise _invalid("target_kind", "Unknown kind of target.")
    obj = target.get(target_id)
    if obj is None and action != Action.DISMISS:
        raise _invalid("target_id", "This target no longer exists; only dismissing is possible.")
    owner = target.owner(obj) if obj is not None else None
    if action in ACTIONS_ON_OWNER and owner is None:
        raise _invalid("action", "This target has no owner to act on.")
    if owner is not None and actor is not None and owner.pk == actor.pk:
        raise _invalid("action", "You cannot moderate your own account or content.")

    flags = []
    if action in RESOLVING_ACTIONS:
        flags = list(
            Flag.objects.select_for_update()
            .filter(target_kind=target.kind, target_id=target_id, status=Flag.Status.OPEN)
            .order_by("pk")
        )
    now = timezone.now()
    if action == Action.HIDE:
        target.hide(obj, actor=actor, reason=reason)
    elif action == Action.UNHIDE:
        target.unhide(obj, actor=actor)
    elif action != Action.DISMISS:
        _act_on_owner(action, owner=owner, actor=actor, days=days, reason=reason, now=now)

    label = target.label(obj)[:200] if obj is not None else f"{target.kind} {target_id}"
    record = ModerationAction.objects.create(
        target_kind=target.kind,
        target_id=target_id,
        target_label=label,
        action=action,
        days=days,
        reason=reason,
        actor=actor,
        subject=owner,
    )
    if flags:
        status = Flag.Status.DISMISSED if action == Action.DISMISS else Flag.Status.ACTIONED
        Flag.objects.filter(pk__in=[f.pk for f in flags]).update(
            status=status, resolved_at=now, resolved_by=actor
        )
        record.flags.set(flags)
    _tell_the_owner(record, owner=owner, url=target.url(obj) if obj is not None else None)
    _tell_reporters(record, flags)
    return record


def _act_on_owner(action, *, owner, actor, days, reason, now) -> None:
    """The account-level decisions, through the suspension API (accounts.suspension), which
    also tells the person (warning, suspension or ban with the reason, restoration)."""
    from accounts import suspension

    if action == Action.WARN:
        suspension.user_warn(user=owner, reason=reason, actor=actor, source="moderation")
    elif action == Action.SUSPEND:
        until = now + dt.timedelta(days=days)
        suspension.user_suspend(
            user=owner, until=until, reason=reason, actor=actor, source="moderation"
        )
    elif action == Action.BAN:
        suspension.user_suspend(
            user=owner, until=None, reason=reason, actor=actor, source="moderation"
        )
    elif action == Action.LIFT:
        suspension.user_lift(user=owner, actor=actor, reason=reason)


# What the owner is told by this app. Warnings, suspensions, bans and lifts are told by
# accounts.suspension itself (with the reason and the end date), and so is a user's account
# coming back from hidden (user_lift): telling them twice would only confuse.
OWNER_NOTICES: dict[str, NotificationType] = {
    Action.HIDE: NotificationType.MODERATION_CONTENT_HIDDEN,
    Action.UNHIDE: NotificationType.MODERATION_RESTORED,
}


def _tell_the_owner(record: ModerationAction, *, owner, url) -> None:
    notice = OWNER_NOTICES.get(record.action)
    own_kind = record.target_kind == "user"
    if notice is None or owner is None or (own_kind and record.action == Action.UNHIDE):
        return  # dismissed: nothing happened to the owner, nothing to tell them
    notify(
        recipient=owner,
        type=notice,
        context={
            "reason": record.reason,
            "target_label": "your profile in search" if own_kind else record.target_label,
            "link": url if url and not own_kind and record.action == Action.UNHIDE else "/",
        },
    )


def _tell_reporters(record: ModerationAction, flags: list[Flag]) -> None:
    reporter_ids = sorted({flag.reporter_id for flag in flags})
    if not reporter_ids:
        return
    from accounts.models import User

    for reporter in User.objects.filter(pk__in=reporter_ids, is_active=True):
        notify(recipient=reporter, type=NotificationType.MODERATION_REPORT_REVIEWED)
