"""Public fragments cached for anonymous visitors: the /webinars/ list cards and the detail
page's description and schedule (Django cache: Redis in production, per-process memory
without REDIS_URL).

Nothing personal is cached: only anonymous requests read or write these entries, and a card
holds nothing that depends on who looks (blocks hide whole cards, never change one). The key
versions the content instead of invalidating it: the webinar's `updated_at` (every save, so
every editing service) and `counts_version` (bumped by the database triggers on every slot
and seat change, webinars/stored_counts.py), the viewer's time zone, and what depends on the
clock (live or not, the price tier). A change through any writer shows on the next request;
entries of old versions expire (FRAGMENT_SECONDS, which also bounds how long a coach's
renamed profile can show under the old name on a card)."""

from __future__ import annotations

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

FRAGMENT_SECONDS = 300
LIST_CARD = "webinars/list.html#card"
DETAIL_PUBLIC = "webinars/detail.html#public_info"


def _version(webinar) -> str:
    return f"{webinar.pk}:{webinar.updated_at.timestamp():.6f}:{webinar.counts_version}"


def _card_key(item) -> str:
    quote = item.quote
    clock = f"{int(item.has_started)}:{item.seats_left}:{quote.reason}:{quote.amount}"
    return f"webinar-card:1:{_version(item.webinar)}:{timezone.get_current_timezone_name()}:{clock}"


def attach_list_cards(request, items) -> None:
    """Set `item.card_html` on every item for an anonymous request (one cache round trip,
    the missing cards rendered and stored); logged-in viewers render as usual."""
    user = getattr(request, "user", None)
    if not items or (user is not None and user.is_authenticated):
        return
    keys = {_card_key(item): item for item in items}
    found = cache.get_many(list(keys))
    missing = {}
    for key, item in keys.items():
        html = found.get(key)
        if html is None:
            html = missing[key] = render_to_string(LIST_CARD, {"item": item}, request=request)
        item.card_html = mark_safe(html)  # rendered by our own template, escaped there
    if missing:
        cache.set_many(missing, FRAGMENT_SECONDS)


def detail_public_html(request, webinar) -> str:
    """The detail page's description and schedule for an anonymous request, cached; "" for
    a logged-in viewer (the template renders the partial itself)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return ""
    key = f"webinar-public:1:{_version(webinar)}:{timezone.get_current_timezone_name()}"
    html = cache.get(key)
    if html is None:
        html = render_to_string(DETAIL_PUBLIC, {"webinar": webinar}, request=request)
        cache.set(key, html, FRAGMENT_SECONDS)
    return mark_safe(html)
