"""Public fragments cached for anonymous visitors: the /webinars/ list cards and the detail
page's description and schedule (Django cache: Redis in production, per-process memory
without REDIS_URL).

Nothing personal is cached: only anonymous requests read or write the cards and pages, the
description and schedule hold nothing that depends on who looks (every viewer reads them), and
a card holds nothing that depends on who looks (blocks hide whole cards, never change one). The key
versions the content instead of invalidating it: a digest of every stored field of the webinar
row (so every writer, whether it touches `updated_at` or not, and `counts_version`, bumped by
the database triggers on every slot and seat change, webinars/stored_counts.py) and of the
coach's name, the viewer's time zone, and what depends on the clock (live or not, the price
tier). A change shows on the next request; entries of old versions expire (FRAGMENT_SECONDS).

Whole pages (`anonymous_page`: the list window, a detail page) are cached the same way for
anonymous visitors without pending messages, under a key that holds every stored field of the
webinars shown (so a writer that skips `updated_at` still shows), the URL, the time zone, the
launch gate, htmx and the clock-dependent parts. The CSRF token is stored as a placeholder and
each response gets the visitor's own token, as rendering would."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from core.conditional import TOKEN
from launch.gate import gate_closed_for

FRAGMENT_SECONDS = 300
LIST_CARD = "webinars/list.html#card"
DETAIL_PUBLIC = "webinars/detail.html#public_info"
TOKEN_PLACEHOLDER = b"@@csrf-token@@"


def _version(webinar) -> str:
    """A digest of `row_state`: any change to the row (through any writer, `updated_at`
    touched or not, `counts_version` bumped by the triggers) or to the coach's name."""
    state = repr(row_state(webinar)).encode()
    return f"{webinar.pk}:{hashlib.blake2b(state, digest_size=16).hexdigest()}"


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
    """The detail page's description and schedule, cached: the same for every viewer in a
    time zone (nothing in it depends on who looks), so logged-in viewers read it too."""
    key = f"webinar-public:1:{_version(webinar)}:{timezone.get_current_timezone_name()}"
    html = cache.get(key)
    if html is None:
        html = render_to_string(DETAIL_PUBLIC, {"webinar": webinar}, request=request)
        cache.set(key, html, FRAGMENT_SECONDS)
    return mark_safe(html)


def row_state(webinar) -> tuple:
    """Every stored field of a webinar loaded by `with_counts` with its coach's user, its
    live count and what a page shows of the coach: the part of a page key one webinar gives."""
    coach = webinar.coach
    user = coach.user
    return (
        tuple(getattr(webinar, field.attname) for field in webinar._meta.concrete_fields),
        webinar.live_count,
        coach.pk,
        user.first_name,
        user.last_name,
        user.display_name,
    )


def _is_anonymous_get(request) -> bool:
    user = getattr(request, "user", None)
    return (
        request.method == "GET"
        and (user is None or not user.is_authenticated)
        and not len(messages.get_messages(request))  # loads them; iterating would consume
    )


def anonymous_page(request, template: str, context: dict, parts: tuple) -> HttpResponse:
    """`render(request, template, context)`, from the cache for an anonymous GET: `parts`
    must hold everything of the page that comes from data or the clock (`row_state` of each
    webinar, clock-dependent values); the request's own parts are added here."""
    if not _is_anonymous_get(request):
        return render(request, template, context)
    identity = (
        template,
        request.get_full_path(),
        timezone.get_current_timezone_name(),
        gate_closed_for(request),
        timezone.now().year,  # the footer's year
        parts,
    )
    digest = hashlib.blake2b(repr(identity).encode(), digest_size=16).hexdigest()
    key = f"webinar-page:1:{digest}"
    content = cache.get(key)
    if content is None:
        response = render(request, template, context)
        stored = TOKEN.sub(
            lambda m: m.group(0).replace(m.group(1), TOKEN_PLACEHOLDER), response.content
        )
        cache.set(key, stored, FRAGMENT_SECONDS)
        return response
    return HttpResponse(content.replace(TOKEN_PLACEHOLDER, get_token(request).encode()))
