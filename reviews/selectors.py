"""Reads for reviews: who may review what (one rule, `attendance_problem`), the coach's
average, and the profile's review section in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Avg, Count, DecimalField, F, Max, OuterRef, Subquery
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from accounts import blocks
from bookings.models import Booking
from payments.models import Payment
from reviews.models import Review
from webinars.models import Registration, Webinar

REVIEW_WINDOW = dt.timedelta(days=30)  # after the session's / webinar's end
EDIT_WINDOW = dt.timedelta(hours=48)  # after the review was written
PAGE_SIZE = 10
MAX_PAGE_NUMBER = 10_000

ATTENDED_BOOKING_STATUSES = (Booking.Status.CONFIRMED, Booking.Status.COMPLETED)


# --- eligibility: the one rule ----------------------------------------------------------------


def registration_end(registration: Registration) -> dt.datetime | None:
    """The webinar's last slot end (an annotated `ended_at` when the caller has one)."""
    if hasattr(registration, "ended_at_annotated"):
        return registration.ended_at_annotated
    return registration.webinar.slots.aggregate(end=Max("end"))["end"]


def _refunded_in_full(payment: Payment | None) -> bool:
    """Every franc charged went back (the payments core sets REFUNDED only then; a partial
    refund, e.g. a late cancellation's 50 %, keeps the review open). Free items: never."""
    return payment is not None and payment.status == Payment.Status.REFUNDED


def attendance_problem(*, author, item, ended_at: dt.datetime | None, now: dt.datetime) -> str:
    """Why `author` may not review `item` (a Booking or a Registration), or "" if they may.
    Status, end, refund and window rules for both kinds live here and nowhere else."""
    if isinstance(item, Booking):
        if item.client_id != author.pk:
            return "You can only review sessions you booked."
        if item.status not in ATTENDED_BOOKING_STATUSES:
            return "You can only review a session that took place."
    else:
        if item.user_id != author.pk:
            return "You can only review webinars you attended."
        if item.status != Registration.Status.CONFIRMED:
            return "You can only review a webinar you attended."
        if item.webinar.status == Webinar.Status.CANCELLED:
            return "This webinar was cancelled."
    if _refunded_in_full(item.payment):
        return "This purchase was refunded in full, so it cannot be reviewed."
    if ended_at is None or ended_at > now:
        return "You can review it once it has ended."
    if now - ended_at > REVIEW_WINDOW:
        return f"Reviews are open for {REVIEW_WINDOW.days} days after the end; this one closed."
    return ""


@dataclass
class Reviewable:
    """One attended, unreviewed item the viewer may review now (the form's choices)."""

    kind: str  # "booking" | "registration"
    pk: int
    label: str
    ended_at: dt.datetime
    coach_slug: str = ""

    @property
    def value(self) -> str:
        return f"{self.kind}:{self.pk}"


def reviewable_items(
    *,
    author,
    coach=None,
    now: dt.datetime | None = None,
    booking_ids: Collection[int] | None = None,
    registration_ids: Collection[int] | None = None,
) -> list[Reviewable]:
    """What `author` may review now (of `coach`, or of anyone), newest end first. Two
    queries whatever the history: the 30-day window is a pre-filter in SQL over the author's
    own (client, end) and (user, webinar_ends_at) indexes, `attendance_problem` decides.
    `booking_ids` / `registration_ids`: only among these (the rows a page shows)."""
    now = now or timezone.now()
    if not getattr(author, "is_authenticated", False):
        return []
    if coach is not None and author.pk == coach.user_id:
        return []
    since = now - REVIEW_WINDOW
    bookings = Booking.objects.filter(
        client=author, end__gt=since, end__lte=now, reviews__isnull=True
    )
    registrations = Registration.objects.filter(user=author, reviews__isnull=True)
    if coach is not None:
        bookings = bookings.filter(coach=coach)
        registrations = registrations.filter(webinar__coach=coach)
    if booking_ids is not None:
        bookings = bookings.filter(pk__in=list(booking_ids))
    if registration_ids is not None:
        registrations = registrations.filter(pk__in=list(registration_ids))
    # Nobody reviews across a block (whoever blocked whom); no extra query for it.
    bookings = blocks.hide_blocked(bookings, author, user_field="coach__user")
    registrations = blocks.hide_blocked(registrations, author, user_field="webinar__coach__user")
    bookings = bookings.select_related("payment", "coach").order_by("-end")[:50]
    # the webinar's end as copied on the seat (webinars/stored_registration_times.py): a
    # range over the index (user, webinar_ends_at), not a MAX over every seat's slots
    registrations = (
        registrations.filter(webinar_ends_at__gt=since, webinar_ends_at__lte=now)
        .annotate(ended_at_annotated=F("webinar_ends_at"))
        .select_related("payment", "webinar__coach")
        .order_by("-ended_at_annotated")[:50]
    )
    items = [
        Reviewable("booking", b.pk, f"Session: {b.title} ({_day(b.end)})", b.end, b.coach.slug)
        for b in bookings
        if not attendance_problem(author=author, item=b, ended_at=b.end, now=now)
    ]
    items += [
        Reviewable(
            "registration",
            r.pk,
            f"Webinar: {r.webinar.title} ({_day(r.ended_at_annotated)})",
            r.ended_at_annotated,
            r.webinar.coach.slug,
        )
        for r in registrations
        if not attendance_problem(author=author, item=r, ended_at=r.ended_at_annotated, now=now)
    ]
    return sorted(items, key=lambda item: item.ended_at, reverse=True)


def review_links_for(
    user,
    *,
    now: dt.datetime | None = None,
    booking_ids: Collection[int] | None = None,
    registration_ids: Collection[int] | None = None,
) -> dict[str, str]:
    """{"booking:<pk>" / "registration:<pk>": the coach's profile review form} for what `user`
    may review now (My Bookings' "Review" links), among the given rows when they are given
    (a page's rows: its cost does not grow with the history). Two queries."""
    items = reviewable_items(
        author=user, now=now, booking_ids=booking_ids, registration_ids=registration_ids
    )
    return {
        item.value: reverse("discovery:coach_profile", kwargs={"slug": item.coach_slug})
        + "#write-review"
        for item in items
    }


def _day(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%a %d %b %Y")


def can_edit(review: Review, *, user, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return getattr(user, "pk", None) == review.author_id and now - review.created_at <= EDIT_WINDOW


# --- averages -------------------------------------------------------------------------------


def _one_decimal(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class RatingSummary:
    average: Decimal | None  # one decimal; None without reviews
    count: int

    @property
    def label(self) -> str:
        """What a screen reader hears and everyone reads: "4.5 out of 5, 12 reviews"."""
        if not self.count:
            return "No reviews yet"
        noun = "review" if self.count == 1 else "reviews"
        return f"{self.average} out of 5, {self.count} {noun}"

    @property
    def stars_filled(self) -> int:
        """Whole stars to draw (rounded half up); the text above carries the exact figure."""
        if self.average is None:
            return 0
        return int(self.average.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def rating_summary(coach) -> RatingSummary:
    """Average and count over the shown reviews (hidden ones are excluded). One query."""
    row = Review.objects.shown().filter(coach=coach).aggregate(avg=Avg("rating"), n=Count("pk"))
    return RatingSummary(_one_decimal(row["avg"]), row["n"])


def average_rating_subquery(coach_ref: str = "pk") -> Subquery:
    """A correlated subquery: the average of the shown reviews of the coach whose pk is
    `coach_ref` in the outer query (NULL without reviews), for ordering (search)."""
    shown = (
        Review.objects.shown()
        .filter(coach_id=OuterRef(coach_ref))
        .order_by()
        .values("coach_id")
        .annotate(avg=Avg(Cast("rating", DecimalField(max_digits=4, decimal_places=2))))
        .values("avg")
    )
    return Subquery(shown, output_field=DecimalField(max_digits=4, decimal_places=2))


# --- the profile section --------------------------------------------------------------------


@dataclass
class CoachReviews:
    coach: object
    summary: RatingSummary
    page: Page
    reviewables: list[Reviewable] = field(default_factory=list)
    is_coach_viewer: bool = False
    blocked: bool = False
    now: dt.datetime | None = None

    @property
    def can_review(self) -> bool:
        return bool(self.reviewables) and not self.blocked


class _ReviewsPage(Page):
    param = "reviews_page"  # the pager include builds its links with it


class _ReviewsPaginator(Paginator):
    def _get_page(self, *args, **kwargs) -> _ReviewsPage:  # Django's hook for a Page subclass
        return _ReviewsPage(*args, **kwargs)


def _page_number(raw) -> int:
    raw = str(raw or "1")
    return int(raw) if raw.isdigit() and len(raw) < 7 else 1


def coach_reviews(*, coach, viewer, page_number=1, now: dt.datetime | None = None) -> CoachReviews:
    """The profile's review section for `viewer`: summary (1 query), a page of shown reviews
    newest first without anyone blocked either way with the viewer (count + page: 2), and
    for a signed-in client what they may review (block check + 2). Constant in the number of
    reviews."""
    now = now or timezone.now()
    shown = (
        Review.objects.shown()
        .filter(coach=coach)
        .select_related("author", "booking", "registration__webinar")
        .order_by("-created_at", "-pk")
    )
    paginator = _ReviewsPaginator(
        blocks.hide_blocked(shown, viewer, user_field="author"), PAGE_SIZE
    )
    page = paginator.get_page(min(_page_number(page_number), MAX_PAGE_NUMBER))
    is_coach_viewer = getattr(viewer, "pk", None) == coach.user_id
    blocked = False
    reviewables: list[Reviewable] = []
    if getattr(viewer, "is_authenticated", False) and not is_coach_viewer:
        blocked = blocks.is_blocked_between(viewer, coach.user)
        if not blocked:
            reviewables = reviewable_items(author=viewer, coach=coach, now=now)
    return CoachReviews(
        coach=coach,
        summary=rating_summary(coach),
        page=page,
        reviewables=reviewables,
        is_coach_viewer=is_coach_viewer,
        blocked=blocked,
        now=now,
    )


def review_as_dict(review: Review) -> dict:
    return {
        "id": review.pk,
        "coach": review.coach_id,
        "author": review.author.display_name,
        "booking": review.booking_id,
        "registration": review.registration_id,
        "rating": review.rating,
        "text": review.text,
        "created_at": review.created_at.isoformat(),
        "edited_at": review.edited_at.isoformat() if review.edited_at else None,
        "reply_text": review.reply_text,
        "replied_at": review.replied_at.isoformat() if review.replied_at else None,
        "hidden": review.is_hidden,
    }
