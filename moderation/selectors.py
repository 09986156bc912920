"""Reads of the moderation app: the staff queue (open flags grouped by target, the target
whose oldest open flag is oldest first) and the facts the trust score reads. The queue page
is a fixed number of queries whatever the number of targets or flags: one for the page of
groups, one for their flags, one per kind of target on the page."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.core.paginator import Page, Paginator
from django.db.models import Count, Min, Q

from moderation.models import Flag, ModerationAction
from moderation.services import UPHOLDING_ACTIONS
from moderation.targets import target_for

QUEUE_PAGE_SIZE = 20


@dataclass
class QueueItem:
    target_kind: str
    target_id: int
    oldest: object
    flag_count: int
    label: str = ""
    url: str | None = None
    exists: bool = True
    owner: object = None
    flags: list[Flag] = field(default_factory=list)
    reason_counts: list[tuple[str, int]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.target_kind}-{self.target_id}"

    @property
    def notes(self) -> list[Flag]:
        return [flag for flag in self.flags if flag.note]


def open_flag_groups():
    return (
        Flag.objects.filter(status=Flag.Status.OPEN)
        .values("target_kind", "target_id")
        .annotate(oldest=Min("created_at"), flag_count=Count("pk"))
        .order_by("oldest", "target_kind", "target_id")
    )


def moderation_queue(*, page_number=1, per_page: int = QUEUE_PAGE_SIZE) -> Page:
    """One page of the queue; `page.object_list` are QueueItems with their target's label,
    link, owner, open flags (oldest first), counts by reason and notes."""
    page = Paginator(open_flag_groups(), per_page).get_page(page_number)
    items = [
        QueueItem(
            target_kind=row["target_kind"],
            target_id=row["target_id"],
            oldest=row["oldest"],
            flag_count=row["flag_count"],
        )
        for row in page.object_list
    ]
    _attach_flags(items)
    _attach_targets(items)
    page.object_list = items
    return page


def _attach_flags(items: list[QueueItem]) -> None:
    if not items:
        return
    by_target = reduce(
        or_, (Q(target_kind=item.target_kind, target_id=item.target_id) for item in items)
    )
    flags = Flag.objects.filter(by_target, status=Flag.Status.OPEN).select_related("reporter")
    grouped: dict[tuple[str, int], list[Flag]] = {}
    for flag in flags.order_by("created_at", "pk"):
        grouped.setdefault((flag.target_kind, flag.target_id), []).append(flag)
    labels = dict(Flag.Reason.choices)
    for item in items:
        item.flags = grouped.get((item.target_kind, item.target_id), [])
        counts = Counter(flag.reason for flag in item.flags)
        item.reason_counts = [(labels.get(r, r), n) for r, n in counts.most_common()]


def _attach_targets(items: list[QueueItem]) -> None:
    ids_by_kind: dict[str, set[int]] = {}
    for item in items:
        ids_by_kind.setdefault(item.target_kind, set()).add(item.target_id)
    objects = {}
    for kind, ids in ids_by_kind.items():
        target = target_for(kind)
        found = target.in_bulk(ids) if target is not None else {}
        objects.update({(kind, pk): obj for pk, obj in found.items()})
    for item in items:
        target = target_for(item.target_kind)
        obj = objects.get((item.target_kind, item.target_id))
        if target is None or obj is None:
            item.exists = False
            item.label = f"{item.target_kind} {item.target_id} (no longer exists)"
            continue
        item.label = target.label(obj)
        item.url = target.url(obj)
        item.owner = target.owner(obj)


def target_history(*, target_kind: str, target_id: int) -> list[ModerationAction]:
    return list(
        ModerationAction.objects.filter(target_kind=target_kind, target_id=target_id)
        .select_related("actor")
        .order_by("-created_at", "-pk")[:20]
    )


def flags_upheld_counts(user_ids) -> dict[int, int]:
    """{user_id: n} for the trust score's "flags upheld" fact: how many times staff upheld
    reports about that person or their content (hid it, warned, suspended or banned them).
    One decision counts once however many people had reported the target, so a pile-on of
    reports does not weigh more than the decision itself; dismissed reports count nothing.
    Users with none are left out."""
    rows = (
        ModerationAction.objects.filter(subject_id__in=list(user_ids), action__in=UPHOLDING_ACTIONS)
        .values("subject_id")
        .annotate(n=Count("pk"))
    )
    return {row["subject_id"]: row["n"] for row in rows}
