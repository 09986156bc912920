"""Bounded pages for every list: keyset (cursor) pages where the order is a stable key, else
Django's Paginator with a bounded page size. Malformed page or cursor values never raise:
they fall back to the first page (tests/test_fuzz_urls.py walks every URL with junk)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

MAX_PAGE_NUMBER = 100_000


def paginate(request, queryset, *, per_page: int, param: str = "page") -> Page:
    """A Paginator page of `queryset` (one COUNT plus one LIMIT/OFFSET query); junk or
    out-of-range page numbers give the first or the last page. Used where the order is not
    a unique key or the list is bounded per owner (a coach's webinars, a client's history)."""
    raw = request.GET.get(param, "1")
    number = int(raw) if raw.isdigit() and len(raw) < 7 else 1
    page = Paginator(queryset, per_page).get_page(min(number, MAX_PAGE_NUMBER))
    page.param = param  # the pager include builds its links with it
    return page


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


def encode_cursor(value: dt.datetime, pk: int) -> str:
    return f"{int(value.timestamp() * 1_000_000)}.{pk}"


def decode_cursor(raw: str | None) -> tuple[dt.datetime, int] | None:
    """(datetime, pk) or None for anything that is not a cursor we wrote."""
    if not raw or len(raw) > 40:
        return None
    micros, _, pk = raw.partition(".")
    if not (micros.lstrip("-").isdigit() and pk.isdigit()):
        return None
    try:
        value = dt.datetime.fromtimestamp(int(micros) / 1_000_000, tz=dt.UTC)
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
) -> KeysetPage:
    """A window of `queryset` ordered by (`key`, pk) ascending. `after`/`before` are cursors
    from a previous window (`before` wins over nothing, `after` over `before`)."""
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
    page = KeysetPage(items=rows, is_first=not has_prev)
    if rows and has_more:
        page.next_cursor = encode_cursor(getattr(rows[-1], key), rows[-1].pk)
    if rows and has_prev:
        page.prev_cursor = encode_cursor(getattr(rows[0], key), rows[0].pk)
    return page
