"""What can be flagged, one entry per kind: `register_target("coach", model=Coach, ...)`.

The moderation app knows nothing about a kind beyond its entry: how to find its owner (the
person warned or suspended), a label and link for the staff queue, and how to hide and unhide
it. The kinds this app can reach are registered in `MODERATION_TARGETS` below (AppConfig.ready);
other apps register theirs the same way (the reviews app: `register_target("review", ...)`),
with no change here. `visible(obj, viewer)` says whether a reporter may flag the object: one
they could never see is "unknown" to them. Blocks do not count there (see moderation.services).
`select_related` names what owner() and label() read, so the queue stays a fixed number of
queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db import models

if TYPE_CHECKING:
    from accounts.models import User

M = TypeVar("M", bound=models.Model)


def _always_visible(obj, viewer) -> bool:
    return True


@dataclass(frozen=True)
class Target(Generic[M]):
    kind: str
    model: type[M]
    owner: Callable[[M], User | None]
    label: Callable[[M], str]
    url: Callable[[M], str | None]
    hide: Callable[..., None]
    unhide: Callable[..., None]
    visible: Callable[[M, Any], bool] = _always_visible
    select_related: tuple[str, ...] = ()  # what owner() and label() read, for the queue

    def objects(self):
        manager = self.model._default_manager
        return manager.select_related(*self.select_related) if self.select_related else manager

    def get(self, target_id) -> M | None:
        return self.objects().filter(pk=target_id).first()

    def in_bulk(self, ids) -> dict:
        return self.objects().in_bulk(list(ids))


_TARGETS: dict[str, Target[Any]] = {}


def register_target(
    kind: str,
    *,
    model: type[M],
    owner: Callable[[M], User | None],
    label: Callable[[M], str],
    url: Callable[[M], str | None],
    hide: Callable[..., None],
    unhide: Callable[..., None],
    visible: Callable[[M, Any], bool] | None = None,
    select_related: tuple[str, ...] = (),
) -> Target[M]:
    """Make `kind` flaggable. `hide(obj, *, actor, reason)` and `unhide(obj, *, actor)` run
    inside moderation_act's transaction. Registering a kind again replaces it (tests)."""
    target = Target(
        kind=kind,
        model=model,
        owner=owner,
        label=label,
        url=url,
        hide=hide,
        unhide=unhide,
        visible=visible or _always_visible,
        select_related=tuple(select_related),
    )
    _TARGETS[kind] = target
    return target


def unregister_target(kind: str) -> None:
    _TARGETS.pop(kind, None)


def target_for(kind: str) -> Target[Any] | None:
    return _TARGETS.get(kind)


def registered_kinds() -> list[str]:
    return sorted(_TARGETS)
