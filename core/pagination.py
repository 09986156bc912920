"""Bounded pages for every list: keyset (cursor) pages where the order is a stable key, else
Django's Paginator with a bounded page size. Malformed page or cursor values never raise:
they fall back to the first page (tests/test_fuzz_urls.py walks every URL with junk)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import F, Q, QuerySet

MAX_PAGE_NUMBER = 100_000


class ParamPage(Page):
    """A Paginator page that knows its query parameter: the pager include builds its links
    with `param`. Wraps the page Paginator made (same rows, no further query)."""

    def __init__(self, page: Page, *, param: str) -> None:
        super().__init__(page.object_list, page.number, page.paginator)
        self.param = param


def paginate(request, queryset, *, per_page: int, param: str = "page") -> ParamPage:
    """A Paginator page of `queryset` (one COUNT plus one LIMIT/OFFSET query); junk or
    out-of-range page numbers give the first or the last page. Used where the order is not
    a unique key or the list is bounded per owner (a coach's webinars, a client's history)."""
    raw = request.GET.get(param, "1")
    number = int(raw) if raw.isdigit() and len(raw) < 7 else 1
    page = Paginator(queryset, per_page).get_page(min(number, MAX_PAGE_NUMBER))
    return ParamPage(page, param=param)


@dataclass
class KeysetPage:
    """One window of a list ordered by (`key`, pk), with cursors to the next and previous
    windows. Costs one LIMIT query whatever the list's length (no COUNT, no OFFSET)."""

    items: list[Any]
    next_cursor: str = ""
    prev_cursor: str = ""
    param_after: str = "after"
    param_before: str = "before"
    is_first: bool = True
    extra: dict = field(default_factory=dict)

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.prev_cursor)


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MICROSECOND = dt.timedelta(microseconds=1)
NULL_KEY = "n"  # the cursor of a row whose key is NULL (descending pages only)


def encode_cursor(value: dt.datetime | None, pk: int) -> str:
    if value is None:
        return f"{NULL_KEY}.{pk}"
    return f"{(value - EPOCH) // MICROSECOND}.{pk}"  # exact: no float rounding


def decode_nullable_cursor(raw: str | None) -> tuple[dt.datetime | None, int] | None:
    """(datetime or None, pk), or None for anything that is not a cursor we wrote."""
    if raw and raw.startswith(f"{NULL_KEY}.") and len(raw) < 40:
        pk = raw[len(NULL_KEY) + 1 :]
        return (None, int(pk)) if pk.isdigit() and int(pk) <= 2**62 else None
    return decode_cursor(raw)


def decode_cursor(raw: str | None) -> tuple[dt.datetime, int] | None:
    """(datetime, pk) or None for anything that is not a cursor we wrote."""
    if not raw or len(raw) > 40:
        return None
    micros, _, pk = raw.partition(".")
    if not (micros.lstrip("-").isdigit() and pk.isdigit()):
        return None
    try:
        value = EPOCH + int(micros) * MICROSECOND
    except (OverflowError, OSError, ValueError):
        return None
    pk_value = int(pk)
    if pk_value > 2**62:
        return None
    return value, pk_value


def keyset_page(
    queryset: QuerySet,
    *,
    key: str,
    after: str | None,
    before: str | None,
    size: int,
    descending: bool = False,
) -> KeysetPage:
    """A window of `queryset` ordered by (`key`, pk) ascending, or with `descending` by
    (`key` DESC NULLS FIRST, pk DESC) (`descending_page`). `after`/`before` are cursors
    from a previous window (`before` wins over nothing, `after` over `before`)."""
    if descending:
        return descending_page(queryset, key=key, after=after, before=before, size=size)
    after_key, before_key = decode_cursor(after), decode_cursor(before)
    if after_key is not None:
        value, pk = after_key
        window = queryset.filter(Q(**{f"{key}__gt": value}) | Q(**{key: value, "pk__gt": pk}))
        rows = list(window.order_by(key, "pk")[: size + 1])
        has_more, has_prev = len(rows) > size, True
        rows = rows[:size]
    elif before_key is not None:
        value, pk = before_key
        window = queryset.filter(Q(**{f"{key}__lt": value}) | Q(**{key: value, "pk__lt": pk}))
        rows = list(window.order_by(f"-{key}", "-pk")[: size + 1])
        has_prev, has_more = len(rows) > size, True
        rows = rows[:size]
        rows.reverse()
    else:
        rows = list(queryset.order_by(key, "pk")[: size + 1])
        has_more, has_prev = len(rows) > size, False
        rows = rows[:size]
    return _keyset_page(rows, key, has_prev=has_prev, has_more=has_more)


def _rows_after_desc(queryset: QuerySet, key: str, value: dt.datetime | None, pk: int):
    """The rows that come after (value, pk) in (key DESC NULLS FIRST, pk DESC) order, that
    order. A non-NULL cursor bounds the key (`key <= value`) so that the database starts its
    index scan at the cursor instead of filtering its way down from the newest row."""
    if value is None:  # still among the undated rows: the rest of them, then every dated one
        window = queryset.filter(
            Q(**{f"{key}__isnull": True, "pk__lt": pk}) | Q(**{f"{key}__isnull": False})
        )
    else:
        window = queryset.filter(
            Q(**{f"{key}__lt": value}) | Q(**{key: value, "pk__lt": pk}), **{f"{key}__lte": value}
        )
    return window.order_by(F(key).desc(nulls_first=True), "-pk")


def descending_page(
    queryset: QuerySet, *, key: str, after: str | None, before: str | None, size: int
) -> KeysetPage:
    """A window of `queryset` newest first: ordered by (`key` DESC NULLS FIRST, pk DESC),
    rows without a key first (as PostgreSQL orders DESC, so a backward scan of an index on
    (..., key, id) serves it). `after` moves to older rows, `before` to newer ones. One
    LIMIT query whatever the list's length (no COUNT, no OFFSET); two only for a window
    that reaches back to the undated rows at the top of a list whose key may be NULL. A
    cursor that matches nothing any more (the rows went away) gives the first window."""
    nullable = queryset.model._meta.get_field(key).null
    after_key, before_key = decode_nullable_cursor(after), decode_nullable_cursor(before)
    if after_key is not None:
        rows = list(_rows_after_desc(queryset, key, *after_key)[: size + 1])
        has_more, has_prev = len(rows) > size, True
        rows = rows[:size]
    elif before_key is not None:
        value, pk = before_key
        if value is None:
            newer = queryset.filter(**{f"{key}__isnull": True, "pk__gt": pk}).order_by("pk")
            rows = list(newer[: size + 1])
        else:
            newer = queryset.filter(
                Q(**{f"{key}__gt": value}) | Q(**{key: value, "pk__gt": pk}),
                **{f"{key}__gte": value},
            ).order_by(F(key).asc(nulls_last=True), "pk")
            rows = list(newer[: size + 1])
            if nullable and len(rows) <= size:  # the top of the list: the undated rows
                undated = queryset.filter(**{f"{key}__isnull": True}).order_by("pk")
                rows += list(undated[: size + 1 - len(rows)])
        has_prev, has_more = len(rows) > size, True
        rows = rows[:size]
        rows.reverse()
    else:
        rows, has_prev, has_more = [], False, False
    if not rows:  # no cursor, or a cursor past what is there now: the newest window
        ordered = queryset.order_by(F(key).desc(nulls_first=True), "-pk")
        rows = list(ordered[: size + 1])
        has_more, has_prev = len(rows) > size, False
        rows = rows[:size]
    return _keyset_page(rows, key, has_prev=has_prev, has_more=has_more)


def _keyset_page(rows: list, key: str, *, has_prev: bool, has_more: bool) -> KeysetPage:
    """The page of `rows` (in display order) with cursors to the windows on either side."""
    page = KeysetPage(items=rows, is_first=not has_prev)
    if rows and has_more:
        page.next_cursor = encode_cursor(getattr(rows[-1], key), rows[-1].pk)
    if rows and has_prev:
        page.prev_cursor = encode_cursor(getattr(rows[0], key), rows[0].pk)
    return page
