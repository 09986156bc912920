"""Writes for reviews. Each service is one transaction that locks the row it decides on (the
reviewed booking or registration, or the review) before checking, so two submissions for the
same booking cannot both pass; the partial unique constraints catch anything else as a 409.
Notifications go out after commit (notifications.services.notify defers its side effects)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import blocks
from accounts.models import Coach
from notifications.services import notify
from notifications.types import NotificationType
from reviews import locks
from reviews.errors import AlreadyDone, NotAllowed, NotFound, ReviewError
from reviews.models import RATING_MAX, RATING_MIN, REPLY_MAX_LENGTH, TEXT_MAX_LENGTH, Review
from reviews.selectors import EDIT_WINDOW, attendance_problem, registration_end

BLOCKED = "You cannot review this coach."
BLOCKED_REPLY = "You cannot reply to this review."


def clean_rating(value) -> int:
    """1-5 from a form string or a JSON number; anything else is a 400 naming the field."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 3:
        value = int(value.strip())
    if not isinstance(value, int) or not RATING_MIN <= value <= RATING_MAX:
        raise ReviewError(
            f"Choose a rating from {RATING_MIN} to {RATING_MAX} stars.", field="rating"
        )
    return value


def clean_text(value, *, limit: int = TEXT_MAX_LENGTH, field: str = "text") -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ReviewError("Write the text as plain text.", field=field)
    text = value.replace("\x00", "").strip()
    if len(text) > limit:
        raise ReviewError(f"Keep it under {limit} characters ({len(text)} now).", field=field)
    return text


def clean_id(value, *, field: str) -> int | None:
    """An id from a form or JSON; empty is None; junk is a 400."""
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ReviewError("Choose the session or webinar you attended.", field=field)
    if isinstance(value, int) and 0 < value < 2**63:
        return value
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        return int(value)
    raise ReviewError("Choose the session or webinar you attended.", field=field)


def _target(*, booking_id: int | None, registration_id: int | None):
    """Lock and return (kind, item, ended_at), or refuse: exactly one target must be named."""
    if booking_id is not None and registration_id is None:
        booking = locks.lock_booking(booking_id)
        return "booking", booking, booking.end if booking else None
    if registration_id is not None and booking_id is None:
        registration = locks.lock_registration(registration_id)
        return (
            "registration",
            registration,
            registration_end(registration) if registration else None,
        )
    raise ReviewError(
        "Choose one session or webinar you attended to review.", code="target", field="target"
    )


@transaction.atomic
def review_create(
    *,
    author,
    coach_id: int,
    rating,
    text="",
    booking_id: int | None = None,
    registration_id: int | None = None,
    now: dt.datetime | None = None,
) -> Review:
    """The author's review of what they attended with the coach. 400 invalid input, 403 did
    not attend (or not theirs, not this coach's, not ended, refunded in full, too late,
    blocked), 409 already reviewed."""
    now = now or timezone.now()
    rating = clean_rating(rating)
    text = clean_text(text)
    coach = Coach.objects.select_related("user").filter(pk=coach_id).first()
    if coach is None:
        raise NotFound("This coach does not exist.")
    if coach.user_id == author.pk:
        raise NotAllowed("You cannot review yourself.")
    kind, item, ended_at = _target(booking_id=booking_id, registration_id=registration_id)
    item_coach_id = None
    if item is not None:
        item_coach_id = item.coach_id if kind == "booking" else item.webinar.coach_id
    if item is None or item_coach_id != coach.pk:
        raise NotAllowed("You can only review a session or webinar you attended with this coach.")
    if blocks.is_blocked_between(author, coach.user):
        raise NotAllowed(BLOCKED, code="blocked")
    problem = attendance_problem(author=author, item=item, ended_at=ended_at, now=now)
    if problem:
        raise NotAllowed(problem, code="not_attended")
    if item.reviews.exists():
        raise AlreadyDone("You already reviewed this.", code="already_reviewed")
    try:
        with transaction.atomic():  # a savepoint: the outer transaction stays usable
            review = Review.objects.create(
                coach=coach, author=author, rating=rating, text=text, **{kind: item}
            )
    except IntegrityError:
        raise AlreadyDone("You already reviewed this.", code="already_reviewed") from None
    notify(
        recipient=coach.user,
        type=NotificationType.REVIEW_RECEIVED,
        target=review,
        context={"author_name": author.display_name, "rating": rating},
    )
    return review


def _locked_review(review_id) -> Review:
    review = locks.lock_review(review_id) if isinstance(review_id, int) else None
    if review is None:
        raise NotFound("This review does not exist.")
    return review


@transaction.atomic
def review_edit(
    *, author, review_id: int, rating, text="", now: dt.datetime | None = None
) -> Review:
    """The author changes rating and text within EDIT_WINDOW (48 h) of writing it."""
    now = now or timezone.now()
    rating = clean_rating(rating)
    text = clean_text(text)
    review = _locked_review(review_id)
    if review.author_id != author.pk:
        raise NotAllowed("Only the author can edit this review.")
    if blocks.is_blocked_between(author, review.coach.user):
        raise NotAllowed(BLOCKED, code="blocked")
    if now - review.created_at > EDIT_WINDOW:
        hours = int(EDIT_WINDOW.total_seconds() // 3600)
        raise NotAllowed(f"A review can be edited for {hours} hours after writing it.")
    review.rating, review.text, review.edited_at = rating, text, now
    review.save(update_fields=["rating", "text", "edited_at"])
    return review


@transaction.atomic
def review_reply(*, coach_user, review_id: int, text, now: dt.datetime | None = None) -> Review:
    """The reviewed coach answers once, publicly. 403 another coach / blocked, 409 second."""
    now = now or timezone.now()
    text = clean_text(text, limit=REPLY_MAX_LENGTH, field="reply_text")
    if not text:
        raise ReviewError("Write your reply.", field="reply_text")
    review = _locked_review(review_id)
    if review.coach.user_id != coach_user.pk:
        raise NotAllowed("Only the reviewed coach can reply.")
    if blocks.is_blocked_between(coach_user, review.author_id):
        raise NotAllowed(BLOCKED_REPLY, code="blocked")
    if review.is_hidden:
        raise NotAllowed("This review is hidden.")
    if review.replied_at is not None:
        raise AlreadyDone("You already replied to this review.", code="already_replied")
    review.reply_text, review.replied_at = text, now
    review.save(update_fields=["reply_text", "replied_at"])
    notify(
        recipient=review.author,
        type=NotificationType.REVIEW_REPLIED,
        target=review,
        context={"coach_name": coach_user.display_name},
    )
    return review


def _require_staff(actor) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.sees_everything:
        raise NotAllowed("Only platform staff can moderate reviews.")


@transaction.atomic
def review_hide(*, actor, review_id: int, reason: str, now: dt.datetime | None = None) -> Review:
    """Moderation hides a review: it leaves the profile and the average. Idempotent (the
    first hiding's time and reason are kept)."""
    _require_staff(actor)
    reason = clean_text(reason, limit=255, field="reason")
    if not reason:
        raise ReviewError("Say why the review is hidden.", field="reason")
    review = _locked_review(review_id)
    if review.hidden_at is None:
        review.hidden_at, review.hidden_reason = now or timezone.now(), reason
        review.save(update_fields=["hidden_at", "hidden_reason"])
    return review


@transaction.atomic
def review_unhide(*, actor, review_id: int) -> Review:
    _require_staff(actor)
    review = _locked_review(review_id)
    if review.hidden_at is not None:
        review.hidden_at, review.hidden_reason = None, ""
        review.save(update_fields=["hidden_at", "hidden_reason"])
    return review
