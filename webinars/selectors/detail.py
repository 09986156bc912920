"""Who may see a webinar, its page and live context, its content and materials."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone

from webinars.models import Material, Registration, Webinar
from webinars.selectors.booking import booking_state
from webinars.selectors.counts import Status, with_counts
from webinars.selectors.waitlist import waitlist_count

if TYPE_CHECKING:
    from webinars.selectors.counts import CountedWebinar


def visible_webinar(*, webinar_id: int, user, now: datetime) -> CountedWebinar | None:
    """The webinar with counts, or None if it does not exist or is a draft the viewer may
    not see (drafts: the coach and staff only), or hidden by moderation (the coach, staff
    and attendees only)."""
    webinar = (
        with_counts(
            # the connect account: the panel asks `coach.is_payment_ready` (no lazy load)
            Webinar.objects.select_related("coach__user", "coach__connect_account"),
            now=now,
        )
        .filter(pk=webinar_id)
        .first()
    )
    if webinar is None:
        return None
    authenticated = user is not None and user.is_authenticated
    insider = authenticated and (user.sees_everything or webinar.coach.user_id == user.pk)
    if webinar.status == Webinar.Status.DRAFT and not insider:
        return None
    if webinar.hidden_by_moderation_at is not None and not insider:
        # Hidden by staff moderation: only people holding a seat keep the page (join link,
        # materials); for everyone else it is gone.
        holds_seat = (
            authenticated
            and Registration.objects.filter(
                webinar_id=webinar.pk, user_id=user.pk, status__in=Registration.LIVE_STATUSES
            ).exists()
        )
        if not holds_seat:
            return None
    return webinar


def webinar_detail_context(*, webinar: CountedWebinar, user, now: datetime | None = None) -> dict:
    """Context of webinars/detail.html and all its partials for one viewer."""
    now = now or timezone.now()
    state = booking_state(webinar=webinar, user=user, now=now)
    materials = list(webinar.materials.all()) if state.can_access_content else []
    from webinars.policy import terms_text

    return {
        "webinar": webinar,
        "state": state,
        "quote": state.quote,
        "terms": terms_text(webinar),
        "waitlist_count": waitlist_count(webinar_id=webinar.pk)
        if (state.is_coach or state.is_staff_viewer)
        else 0,
        "materials": materials,
        "viewer": user,
        "panel_url": reverse("webinars:panel", args=[webinar.pk]),
        "cancel_url": reverse("webinars:hold_cancel", args=[webinar.pk]),
    }


def webinar_live_context(*, webinar: Webinar, user) -> dict:
    """For notifications.live: the same context the page renders its partials with."""
    now = timezone.now()
    fresh = visible_webinar(webinar_id=webinar.pk, user=user, now=now) or with_counts(
        Webinar.objects.select_related("coach__user"), now=now
    ).get(pk=webinar.pk)
    return webinar_detail_context(webinar=fresh, user=user, now=now)


def can_access_content(*, webinar: Webinar, user) -> bool:
    """Join link and materials: confirmed attendees, the webinar's coach, platform staff."""
    if user is None or not user.is_authenticated:
        return False
    if user.sees_everything or webinar.coach.user_id == user.pk:
        return True
    return Registration.objects.filter(
        webinar_id=webinar.pk, user_id=user.pk, status=Status.CONFIRMED
    ).exists()


def material_of(*, webinar_id: int, material_id: int) -> Material | None:
    return (
        Material.objects.select_related("webinar__coach")
        .filter(pk=material_id, webinar_id=webinar_id)
        .first()
    )
