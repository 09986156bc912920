"""Reads for coach profiles and global search. Visibility in one place: drafts, cancelled or
ended webinars, inactive session types, unlisted coaches, what staff moderation hid
(`hidden_by_moderation_at` on a coach or a webinar), suspended, banned or hidden coaches
(accounts.suspension.shown_in_search_q) and anyone on the other side of a block with the
viewer never appear. PostgreSQL: full-text (SearchVector/SearchRank, GIN indexes from
migration 0001) with a trigram word-similarity fallback for typos; other databases:
icontains. Every list is a fixed number of queries whatever the data size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from django.db import connection
from django.db.models import (
    DecimalField,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    QuerySet,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Greatest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts import blocks
from accounts.models import Coach
from accounts.suspension import shown_in_search, shown_in_search_q
from bookings.models import Booking, SessionType
from discovery import search_vectors
from reviews.selectors import average_rating_subquery
from webinars.models import Webinar, WebinarSlot
from webinars.selectors import with_counts

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

MAX_QUERY_CHARS = 200
KINDS = ("coach", "webinar", "session_type", "booking")
QUICK_PER_KIND = 5
PAGE_SIZE = 20
MAX_PAGE = 50  # deep pages merge kinds in Python: bounded


def normalize_query(raw: str | None) -> str:
    return " ".join((raw or "").split())[:MAX_QUERY_CHARS]


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


# --- visibility -----------------------------------------------------------------------------


def visible_coaches(viewer) -> QuerySet[Coach]:
    qs = Coach.objects.filter(
        shown_in_search_q("user__"),
        is_listed=True,
        hidden_by_moderation_at__isnull=True,
        user__is_active=True,
    ).select_related("user")
    return blocks.hide_blocked(qs, viewer, user_field="user")


def visible_webinars(viewer, *, now: dt.datetime) -> QuerySet[Webinar]:
    not_ended = WebinarSlot.objects.filter(end__gt=now).values("webinar_id")
    qs = Webinar.objects.filter(
        shown_in_search_q("coach__user__", at=now),
        status__in=Webinar.BOOKABLE_STATUSES,
        pk__in=not_ended,
        hidden_by_moderation_at__isnull=True,
        coach__is_listed=True,
        coach__hidden_by_moderation_at__isnull=True,
        coach__user__is_active=True,
    ).select_related("coach__user")
    return blocks.hide_blocked(qs, viewer, user_field="coach__user")


def _session_price() -> ExpressionWrapper:
    """The base price of the default duration (hourly rate x factor x minutes / 60); the
    booking page's pricing engine adds time-based rates and special periods on top."""
    return ExpressionWrapper(
        F("coach__hourly_rate") * F("price_factor") * F("duration_default") / Value(60),
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )


class SessionPrice(TypedDict):
    """What `visible_session_types` annotates: the default session's price."""

    base_price: Decimal


def visible_session_types(viewer) -> QuerySet[WithAnnotations[SessionType, SessionPrice]]:
    qs = SessionType.objects.filter(
        shown_in_search_q("coach__user__"),
        is_active=True,
        coach__is_listed=True,
        coach__hidden_by_moderation_at__isnull=True,
        coach__user__is_active=True,
    ).select_related("coach__user")
    return blocks.hide_blocked(qs, viewer, user_field="coach__user").annotate(
        base_price=_session_price()
    )


def own_bookings(viewer) -> QuerySet[Booking]:
    if not getattr(viewer, "is_authenticated", False):
        return Booking.objects.none().select_related("coach__user", "session_type")
    qs = (
        Booking.objects.filter(client=viewer)
        .exclude(status=Booking.Status.EXPIRED)
        .select_related("coach__user", "session_type")
    )
    return blocks.hide_blocked(qs, viewer, user_field="coach__user")


# --- profile --------------------------------------------------------------------------------


@dataclass
class CoachProfile:
    coach: Coach
    is_owner: bool
    session_types: list
    webinars: list


def visible_coach(*, viewer, slug: str | None = None, coach_id: int | None = None) -> Coach:
    """The coach behind `slug` or `coach_id` as `viewer` may see them, or Http404: unknown,
    inactive, blocked either way, or unlisted (the coach still sees their own)."""
    lookup = {"slug": slug} if slug is not None else {"pk": coach_id}
    coach = Coach.objects.select_related("user").filter(**lookup, user__is_active=True).first()
    if coach is None:
        raise Http404
    is_owner = getattr(viewer, "pk", None) == coach.user_id
    if not is_owner and (
        not coach.is_listed
        or coach.hidden_by_moderation_at is not None  # hidden by staff (moderation)
        or not shown_in_search(coach.user)  # suspended, banned or hidden (accounts.suspension)
        or blocks.is_blocked_between(viewer, coach.user)
    ):
        raise Http404
    return coach


def coach_profile(
    *, viewer, slug: str | None = None, coach_id: int | None = None, now=None
) -> CoachProfile:
    """The profile page's data (see visible_coach for who gets a 404)."""
    now = now or timezone.now()
    coach = visible_coach(viewer=viewer, slug=slug, coach_id=coach_id)
    is_owner = getattr(viewer, "pk", None) == coach.user_id
    session_types = list(
        SessionType.objects.filter(coach=coach, is_active=True)
        .select_related("coach")
        .annotate(base_price=_session_price())
        .order_by("name")
    )
    not_ended = WebinarSlot.objects.filter(end__gt=now).values("webinar_id")
    webinars = list(
        with_counts(
            Webinar.objects.filter(
                coach=coach,
                status__in=Webinar.BOOKABLE_STATUSES,
                pk__in=not_ended,
                hidden_by_moderation_at__isnull=True,
            ),
            now=now,
        ).order_by("starts_at", "pk")[:20]
    )
    return CoachProfile(coach, is_owner, session_types, webinars)


# --- search ---------------------------------------------------------------------------------


@dataclass
class Filters:
    kind: str = ""
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    language: str = ""
    format: str = ""

    @property
    def kinds(self) -> tuple[str, ...]:
        if self.kind:
            return (self.kind,)
        return KINDS


@dataclass
class Result:
    kind: str
    id: int
    title: str
    url: str
    snippet: str
    rank: float = 0.0
    extra: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "snippet": self.snippet,
        }


def _snippet(text: str, limit: int = 140) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _empty(qs: QuerySet) -> QuerySet:
    return qs.none().annotate(rank=Value(0.0, output_field=FloatField()))


def _stored_vector(table: str):
    """The generated tsvector column of `table` (migration 0002), PostgreSQL only: ranking
    reads it instead of computing to_tsvector for every match."""
    from django.contrib.postgres.search import SearchVectorField

    return RawSQL(f'"{table}"."search_vector"', [], output_field=SearchVectorField())


def _match(qs: QuerySet, text: str, *, vector, trigram_fields: tuple[str, ...], icontains):
    """Filter and rank `qs` by `text`: full text + trigram on PostgreSQL, icontains elsewhere.
    `vector` is an expression or a callable returning one (built only on PostgreSQL)."""
    if not is_postgres():
        cond = Q()
        for name in icontains:
            cond |= Q(**{f"{name}__icontains": text})
        return qs.filter(cond).annotate(rank=Value(0.0, output_field=FloatField()))
    from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity

    query = SearchQuery(text, search_type="websearch", config=search_vectors.CONFIG)
    if callable(vector):
        vector = vector()
    similarities = [TrigramWordSimilarity(text, name) for name in trigram_fields]
    similarity = similarities[0] if len(similarities) == 1 else Greatest(*similarities)
    cond = Q(fts=query)
    for name in trigram_fields:
        cond |= Q(**{f"{name}__trigram_word_similar": text})
    return (
        qs.annotate(fts=vector)
        .filter(cond)
        .annotate(rank=SearchRank(vector, query) + similarity * Value(0.5))
    )


def _coaches(text: str, f: Filters, viewer) -> QuerySet:
    qs = visible_coaches(viewer)
    if f.language:
        qs = qs.filter(languages__contains=f.language)
    if f.min_price is not None:
        qs = qs.filter(hourly_rate__gte=f.min_price)
    if f.max_price is not None:
        qs = qs.filter(hourly_rate__lte=f.max_price)
    if f.format or f.date_from or f.date_to:
        return _empty(qs)
    return _match(
        qs,
        text,
        vector=lambda: _stored_vector("accounts_coach"),
        trigram_fields=("headline", "user__first_name", "user__last_name"),
        icontains=("headline", "bio", "user__first_name", "user__last_name"),
    )


def _webinars(text: str, f: Filters, viewer, now) -> QuerySet:
    qs = visible_webinars(viewer, now=now)
    if f.language:
        qs = qs.filter(coach__languages__contains=f.language)
    if f.min_price is not None:
        qs = qs.filter(price__gte=f.min_price)
    if f.max_price is not None:
        qs = qs.filter(price__lte=f.max_price)
    if f.format and f.format != "webinar":
        return _empty(qs)
    tz = timezone.get_current_timezone()
    if f.date_from:
        start = dt.datetime.combine(f.date_from, dt.time.min, tzinfo=tz)
        qs = qs.filter(pk__in=WebinarSlot.objects.filter(end__gte=start).values("webinar_id"))
    if f.date_to:
        end = dt.datetime.combine(f.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        qs = qs.filter(pk__in=WebinarSlot.objects.filter(start__lt=end).values("webinar_id"))
    qs = _match(
        qs,
        text,
        vector=lambda: _stored_vector("webinars_webinar"),
        trigram_fields=("title",),
        icontains=("title", "description"),
    )
    return with_counts(qs, now=now)


def _session_types(text: str, f: Filters, viewer) -> QuerySet:
    qs = visible_session_types(viewer)
    if f.language:
        qs = qs.filter(coach__languages__contains=f.language)
    if f.min_price is not None:
        qs = qs.filter(base_price__gte=f.min_price)
    if f.max_price is not None:
        qs = qs.filter(base_price__lte=f.max_price)
    if f.format == "webinar" or f.date_from or f.date_to:
        return _empty(qs)
    if f.format:
        qs = qs.filter(format=f.format)
    return _match(
        qs,
        text,
        vector=search_vectors.session_type_vector(),
        trigram_fields=("name",),
        icontains=("name", "description"),
    )


def _bookings(text: str, f: Filters, viewer) -> QuerySet:
    qs = own_bookings(viewer)
    if f.language or f.format == "webinar":
        return _empty(qs)
    if f.min_price is not None:
        qs = qs.filter(amount_total__gte=f.min_price)
    if f.max_price is not None:
        qs = qs.filter(amount_total__lte=f.max_price)
    if f.date_from:
        qs = qs.filter(start__date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(start__date__lte=f.date_to)
    cond = (
        Q(title__icontains=text)
        | Q(session_type__name__icontains=text)
        | Q(coach__user__first_name__icontains=text)
        | Q(coach__user__last_name__icontains=text)
    )
    return qs.filter(cond).annotate(rank=Value(0.0, output_field=FloatField()))


def _querysets(text: str, f: Filters, viewer, now) -> dict[str, QuerySet]:
    builders = {
        "coach": lambda: _coaches(text, f, viewer),
        "webinar": lambda: _webinars(text, f, viewer, now),
        "session_type": lambda: _session_types(text, f, viewer),
        "booking": lambda: _bookings(text, f, viewer),
    }
    querysets = {kind: builders[kind]().order_by("-rank", "pk") for kind in f.kinds}
    if "coach" in querysets:
        # Equal rank: the better-rated coach first (shown reviews only; unrated last). One
        # correlated subquery in the same SELECT: the query count does not change.
        querysets["coach"] = (
            querysets["coach"]
            .annotate(avg_rating=average_rating_subquery("pk"))
            .order_by("-rank", F("avg_rating").desc(nulls_last=True), "pk")
        )
    return querysets


def _name(user) -> str:
    return user.get_full_name() or user.display_name


def _result(kind: str, obj) -> Result:
    if kind == "coach":
        return Result(
            kind,
            obj.pk,
            _name(obj.user),
            obj.get_absolute_url(),
            _snippet(obj.headline or obj.bio),
            obj.rank,
            {"coach": obj, "avg_rating": obj.avg_rating},
        )
    if kind == "webinar":
        return Result(
            kind,
            obj.pk,
            obj.title,
            obj.get_absolute_url(),
            _snippet(obj.description),
            obj.rank,
            {"coach": obj.coach, "starts_at": obj.starts_at, "price": obj.price},
        )
    if kind == "session_type":
        url = reverse("bookings:calendar", args=[obj.coach_id]) + f"?session_type={obj.pk}"
        return Result(
            kind,
            obj.pk,
            obj.name,
            url,
            _snippet(obj.description) or f"{obj.duration_default} min",
            obj.rank,
            {"coach": obj.coach, "price": obj.base_price, "currency": obj.coach.currency},
        )
    return Result(
        kind,
        obj.pk,
        obj.title,
        obj.get_absolute_url(),
        f"{obj.start:%Y-%m-%d %H:%M} · {obj.get_status_display()}",
        obj.rank,
        {"coach": obj.coach, "start": obj.start},
    )


@dataclass
class SearchPage:
    results: list[Result]
    total: int
    page: int
    num_pages: int
    counts: dict[str, int]

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def search(
    *, text: str, viewer, filters: Filters | None = None, page: int = 1, now=None
) -> SearchPage:
    """One page of results across the requested kinds, best rank first. Two queries per kind
    (count + window) whatever the data size."""
    f = filters or Filters()
    now = now or timezone.now()
    if not text:
        return SearchPage([], 0, 1, 1, {})
    page = max(1, min(page, MAX_PAGE))
    querysets = _querysets(text, f, viewer, now)
    counts = {kind: qs.count() for kind, qs in querysets.items()}
    total = sum(counts.values())
    num_pages = max(1, min(MAX_PAGE, -(-total // PAGE_SIZE)))
    page = min(page, num_pages)
    window = page * PAGE_SIZE
    merged = [
        _result(kind, obj) for kind, qs in querysets.items() if counts[kind] for obj in qs[:window]
    ]
    order = {kind: i for i, kind in enumerate(KINDS)}
    merged.sort(key=lambda r: (-r.rank, order[r.kind], -(r.extra.get("avg_rating") or 0), r.id))
    return SearchPage(merged[window - PAGE_SIZE : window], total, page, num_pages, counts)


def quick_search(*, text: str, viewer, now=None) -> dict[str, list[Result]]:
    """The popover: up to QUICK_PER_KIND per kind, one query per kind."""
    if not text:
        return {}
    now = now or timezone.now()
    grouped = {}
    for kind, qs in _querysets(text, Filters(), viewer, now).items():
        items = [_result(kind, obj) for obj in qs[:QUICK_PER_KIND]]
        if items:
            grouped[kind] = items
    return grouped
