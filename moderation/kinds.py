"""The kinds of target this app registers itself (AppConfig.ready): coach profiles, webinars
and users. Hiding writes the owning model's `hidden_by_moderation_at` (the discovery and
webinars selectors leave such rows out), so a coach switching "listed" back on changes
nothing; only staff "unhide" brings it back. A user is hidden through the suspension API
(accounts.suspension.user_hide_from_search). Called only from moderation.services, inside
moderation_act's transaction."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from accounts.models import Coach, User
from moderation.targets import register_target
from reviews.models import Review
from webinars.models import Webinar


def _person(user) -> str:
    return user.get_full_name() or user.display_name


# --- coach profiles -------------------------------------------------------------------------


def _coach_visible(coach: Coach, viewer) -> bool:
    # Blocks are not checked: a person someone blocked may still report them (safety path).
    return coach.user.is_active and coach.is_listed and coach.hidden_by_moderation_at is None


def _coach_hide(coach: Coach, *, actor, reason: str) -> None:
    Coach.objects.filter(pk=coach.pk, hidden_by_moderation_at__isnull=True).update(
        hidden_by_moderation_at=timezone.now()
    )


def _coach_unhide(coach: Coach, *, actor) -> None:
    Coach.objects.filter(pk=coach.pk).update(hidden_by_moderation_at=None)


# --- webinars -------------------------------------------------------------------------------


def _webinar_visible(webinar: Webinar, viewer) -> bool:
    from webinars.selectors import visible_webinar

    return visible_webinar(webinar_id=webinar.pk, user=viewer, now=timezone.now()) is not None


def _webinar_hide(webinar: Webinar, *, actor, reason: str) -> None:
    Webinar.objects.filter(pk=webinar.pk, hidden_by_moderation_at__isnull=True).update(
        hidden_by_moderation_at=timezone.now()
    )


def _webinar_unhide(webinar: Webinar, *, actor) -> None:
    Webinar.objects.filter(pk=webinar.pk).update(hidden_by_moderation_at=None)


# --- reviews ------------------------------------------------------------------------------


def _review_visible(review: Review, viewer) -> bool:
    return review.hidden_at is None


def _review_hide(review: Review, *, actor, reason: str) -> None:
    from reviews.services import review_hide

    review_hide(actor=actor, review_id=review.pk, reason=reason or "Hidden after a report.")


def _review_unhide(review: Review, *, actor) -> None:
    from reviews.services import review_unhide

    review_unhide(actor=actor, review_id=review.pk)


# --- users ----------------------------------------------------------------------------------


def _user_visible(user: User, viewer) -> bool:
    return user.is_active and user.deleted_at is None


def _user_hide(user: User, *, actor, reason: str) -> None:
    from accounts.suspension import user_hide_from_search

    user_hide_from_search(user=user, reason=reason, actor=actor, source="moderation")


def _user_unhide(user: User, *, actor) -> None:
    from accounts.suspension import user_lift

    user_lift(user=user, actor=actor, reason="Shown in search again after moderation.")


def register_own_kinds() -> None:
    register_target(
        "coach",
        model=Coach,
        owner=lambda coach: coach.user,
        label=lambda coach: f"Coach profile: {_person(coach.user)}",
        url=lambda coach: coach.get_absolute_url(),
        hide=_coach_hide,
        unhide=_coach_unhide,
        visible=_coach_visible,
        select_related=("user",),
    )
    register_target(
        "webinar",
        model=Webinar,
        owner=lambda webinar: webinar.coach.user,
        label=lambda webinar: f"Webinar: {webinar.title}",
        url=lambda webinar: webinar.get_absolute_url(),
        hide=_webinar_hide,
        unhide=_webinar_unhide,
        visible=_webinar_visible,
        select_related=("coach__user",),
    )
    register_target(
        "user",
        model=User,
        owner=lambda user: user,
        label=lambda user: f"User: {_person(user)} <{user.email}>",
        url=lambda user: reverse("admin:accounts_user_change", args=[user.pk]),
        hide=_user_hide,
        unhide=_user_unhide,
        visible=_user_visible,
    )
    register_target(
        "review",
        model=Review,
        owner=lambda review: review.author,
        label=lambda review: f"Review of {_person(review.coach.user)}: {review.text[:60]}",
        url=lambda review: review.get_absolute_url(),
        hide=_review_hide,
        unhide=_review_unhide,
        visible=_review_visible,
        select_related=("author", "coach__user"),
    )
