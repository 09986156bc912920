"""Computing trust scores and the automatic actions they trigger (issue 18 item 4).

The formula and the facts are in trust/facts.py. Thresholds (settings, defaults in brackets):

- score below `TRUST_SCORE_WARN_BELOW` (70): a warning email (accounts.suspension.user_warn)
- below `TRUST_SCORE_HIDE_BELOW` (50): hidden from search and profiles (user_hide_from_search)
- below `TRUST_SCORE_SUSPEND_BELOW` (30): suspended for `TRUST_SCORE_SUSPEND_DAYS` (14) days

all with `source=trust_score`. The rules that keep it fair:

- Never on a single fact: at least two distinct incident facts, or one with a count of at
  least two (`enough_incidents`); account age and an unverified email never count.
- Once per drop: `TrustScore.actioned_level` remembers the most severe action taken; only a
  more severe level acts again. When the score climbs back to the warning threshold the level
  resets, so a later drop warns again.
- Staff have the last word: when staff lift a sanction (accounts.suspension.user_lift) the
  score at that moment is stored (`lifted_at_score`); no automatic action follows until the
  score drops below it.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts import suspension
from accounts.models import AccountSanction, User
from trust.facts import registered_facts
from trust.models import TrustScore

logger = logging.getLogger(__name__)
Level = TrustScore.Level
SEVERITY = {Level.NONE: 0, Level.WARN: 1, Level.HIDE: 2, Level.SUSPEND: 3}


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


@dataclass
class Computed:
    score: int
    components: dict
    incidents: dict  # incident fact name -> value (> 0 only)


def scores_compute(user_ids: list[int]) -> dict[int, Computed]:
    """Each user's score from the registered facts: one `compute` call per fact for the
    whole batch, so the number of queries does not depend on the number of users."""
    values = {fact.name: fact.compute(user_ids) for fact in registered_facts()}
    results = {}
    for user_id in user_ids:
        points, components, incidents = 0.0, {}, {}
        for fact in registered_facts():
            value = values[fact.name].get(user_id, 0) or 0
            if value <= 0:
                continue
            lost = fact.weight * value
            points += lost
            components[fact.name] = {"value": value, "points": round(lost, 1)}
            if fact.incident:
                incidents[fact.name] = value
        score = int(round(min(100.0, max(0.0, 100.0 - points))))
        results[user_id] = Computed(score=score, components=components, incidents=incidents)
    return results


def enough_incidents(incidents: dict) -> bool:
    """Two distinct incident facts, or one counted at least twice."""
    return len(incidents) >= 2 or any(value >= 2 for value in incidents.values())


def level_for(score: int) -> Level:
    if score < _setting("TRUST_SCORE_SUSPEND_BELOW", 30):
        return Level.SUSPEND
    if score < _setting("TRUST_SCORE_HIDE_BELOW", 50):
        return Level.HIDE
    if score < _setting("TRUST_SCORE_WARN_BELOW", 70):
        return Level.WARN
    return Level.NONE


def _decide(row: TrustScore, computed: Computed) -> str:
    """The action to take now ("" for none), updating the row's drop state."""
    level = level_for(computed.score)
    if level == Level.NONE:
        row.actioned_level = Level.NONE  # recovered: the next drop acts again
        row.lifted_at_score = None
        return Level.NONE
    if not enough_incidents(computed.incidents):
        return Level.NONE
    if row.lifted_at_score is not None:
        if computed.score >= row.lifted_at_score:
            return Level.NONE  # staff lifted at this score: only a further drop acts
        row.lifted_at_score = None
        return level
    if SEVERITY[level] > SEVERITY[Level(row.actioned_level)]:
        return level
    return Level.NONE


def _reason(computed: Computed) -> str:
    facts = ", ".join(
        f"{name.replace('_', ' ')}: {value:g}" for name, value in computed.incidents.items()
    )
    return f"Automatic, trust score {computed.score}/100 ({facts})."


def _act(user: User, level: str, computed: Computed) -> None:
    reason = _reason(computed)
    source = AccountSanction.Source.TRUST_SCORE
    if level == Level.WARN:
        suspension.user_warn(user=user, reason=reason, source=source)
    elif level == Level.HIDE:
        suspension.user_hide_from_search(user=user, reason=reason, source=source)
    elif level == Level.SUSPEND:
        until = timezone.now() + dt.timedelta(days=_setting("TRUST_SCORE_SUSPEND_DAYS", 14))
        suspension.user_suspend(user=user, until=until, reason=reason, source=source)


@dataclass
class RecomputeResult:
    users: int = 0
    batches: int = 0
    actions: dict = field(default_factory=dict)


def _batches(batch_size: int):
    """Active, not deleted, non-staff users in primary-key order, `batch_size` at a time
    (keyset: one query per batch)."""
    last_pk = 0
    while True:
        users = list(
            User.objects.filter(
                pk__gt=last_pk, is_active=True, deleted_at__isnull=True, is_superuser=False
            )
            .exclude(role=User.Role.STAFF)
            .order_by("pk")[:batch_size]
        )
        if not users:
            return
        yield users
        last_pk = users[-1].pk


def trust_scores_recompute(*, batch_size: int | None = None) -> RecomputeResult:
    """Recompute every user's score in batches and take the automatic actions. Per batch a
    constant number of queries (users, one per fact, the score rows, one bulk write); an
    action, rare by design, adds the queries of its accounts.suspension service."""
    batch_size = batch_size or _setting("TRUST_SCORE_BATCH_SIZE", 500)
    result = RecomputeResult(actions={})
    for users in _batches(batch_size):
        result.batches += 1
        result.users += len(users)
        for user, level, computed, previous in _recompute_batch(users):
            try:
                _act(user, level, computed)
            except Exception:  # one user's failure must not stop the run; next hour retries
                logger.exception("trust action %s for user %s failed", level, user.pk)
                TrustScore.objects.filter(user=user).update(actioned_level=previous)
                continue
            result.actions[level] = result.actions.get(level, 0) + 1
    return result


_STATE_FIELDS = ("score", "components", "actioned_level", "actioned_at", "lifted_at_score")


def _state(row: TrustScore) -> tuple:
    return tuple(getattr(row, field) for field in _STATE_FIELDS)


@transaction.atomic
def _recompute_batch(users: list[User]) -> list[tuple[User, str, Computed, str]]:
    """Write the batch's scores; return the actions to take, with the level before them
    (after this commit: the services have their own transactions and side effects; a failed
    action puts the level back so that the next run tries again)."""
    ids = [user.pk for user in users]
    computed = scores_compute(ids)
    rows = {
        row.user_id: row for row in TrustScore.objects.select_for_update().filter(user_id__in=ids)
    }
    now = timezone.now()
    new, changed, actions = [], [], []
    for user in users:
        row = rows.get(user.pk)
        before = None if row is None else _state(row)
        if row is None:
            row = TrustScore(user=user, computed_at=now)
            new.append(row)
        result = computed[user.pk]
        row.score, row.components = result.score, result.components
        previous = row.actioned_level
        level = _decide(row, result)
        if level:
            row.actioned_level, row.actioned_at = level, now
            actions.append((user, level, result, previous))
        if before is not None and _state(row) != before:
            changed.append(row)
    TrustScore.objects.bulk_create(new)
    # Most scores do not move from one hour to the next: stamp them all in one UPDATE and
    # rewrite only the rows that changed (a CASE over 500 JSON rows is slow on PostgreSQL).
    TrustScore.objects.filter(user_id__in=ids).update(computed_at=now)
    TrustScore.objects.bulk_update(changed, [*_STATE_FIELDS])
    return actions


def trust_score_refresh(*, user) -> TrustScore:
    """Recompute one user's score now (no automatic action): the admin and the lift hook."""
    computed = scores_compute([user.pk])[user.pk]
    row, _created = TrustScore.objects.update_or_create(
        user=user,
        defaults={
            "score": computed.score,
            "components": computed.components,
            "computed_at": timezone.now(),
        },
    )
    return row


def on_user_lifted(sender, *, user, sanction, **kwargs) -> None:
    """Receiver of accounts.suspension.user_lifted (TrustConfig.ready): remember the score at
    which the sanction was lifted, so the next run does not sanction again unless it drops
    further. Runs inside user_lift's transaction."""
    row = trust_score_refresh(user=user)
    row.lifted_at_score = row.score
    row.lifted_at = timezone.now()
    row.save(update_fields=["lifted_at_score", "lifted_at"])
