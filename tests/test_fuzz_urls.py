"""No input answers 5xx (issue 8 #15). Walks EVERY URL pattern of the resolver (so a new
endpoint is covered the day it is added), as an anonymous visitor, a client and a coach (also
the scoped admin), with GET and POST (form and JSON), and feeds each the inputs that broke the
site before: far dates, extreme offsets, non-string JSON, a 20-digit number, NUL bytes, ids
beyond bigint. Any 5xx or exception is collected and reported at the end, with its URL.

Real parts: PostgreSQL (when DATABASE_URL says so) and localstripe for the payment paths."""

from __future__ import annotations

import json
import re
import time
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import Block
from accounts.tests.factories import CoachFactory, UserFactory
from bookings import guest_links
from bookings.models import Booking
from bookings.tests.factories import (
    AvailabilitySlotFactory,
    BookingFactory,
    DiscountCodeFactory,
    SessionTypeFactory,
    at,
    future_weekday,
)
from webinars.tests.factories import RegistrationFactory, WebinarFactory

pytestmark = [pytest.mark.django_db]

HUGE = "99999999999999999999"  # 20 digits: beyond bigint, timedelta, and date ordinals
NUL = "x\x00y"

# Every parameter name the views read (grep GET/POST/data .get); each variant sets all of them.
PARAMS = (
    "action",
    "amount",
    "booking",
    "booking_id",
    "client_secret",
    "coach",
    "coach_id",
    "code",
    "currency",
    "date",
    "days",
    "duration",
    "email",
    "end_time",
    "first_date",
    "first_name",
    "format",
    "hourly_rate",
    "instant_booking",
    "is_coach",
    "last_date",
    "last_name",
    "message",
    "next",
    "note",
    "page",
    "partstat",
    "payer_id",
    "payment_intent_id",
    "payment_method_id",
    "purpose",
    "q",
    "rating",
    "reason",
    "registration",
    "registration_id",
    "reply_text",
    "role",
    "selected",
    "session_type",
    "start",
    "start_time",
    "status",
    "suggestion",
    "target",
    "text",
    "target_id",
    "target_kind",
    "times",
    "timezone",
    "title",
    "token",
    "no_show",
    "routing_forms",
    "type",
    "username",
    "password",
    "week",
    "weekdays",
)

DATE_LIKE = {"date", "week", "first_date", "last_date"}
INSTANT_LIKE = {"start", "times", "end_time", "start_time"}


def _variant(date: str, instant: str, other: str) -> dict:
    return {
        name: date if name in DATE_LIKE else instant if name in INSTANT_LIKE else other
        for name in PARAMS
    }


FORM_VARIANTS = [
    _variant("0001-01-01", "0001-01-01T00:00:00+14:00", "-5"),
    _variant("9999-12-31", "9999-12-31T23:45:00-14:00", HUGE),
    _variant(NUL, NUL, NUL),
]


def _json_variant(start, duration, other) -> dict:
    body = dict.fromkeys(PARAMS, other)
    body.update(start=start, times=start, duration=duration, date={}, week=[1])
    return body


JSON_VARIANTS = [
    _json_variant(-5, int(HUGE), [1, 2]),
    _json_variant([1, 2], 1e308, {}),
]


def walk(patterns=None, prefix="", namespace=""):
    """(route text, URLPattern) for every pattern of the project, includes flattened."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), namespace)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


CONVERTER = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^)]*)\)")


def concrete_paths(route: str, ids: dict) -> list[str]:
    """URLs for one route: with real ids, with ids beyond bigint, and with NUL in strings."""

    def fill(kind: str) -> str:
        def converter(match):
            conv, name = match.group("conv") or "str", match.group("name")
            if conv == "int":
                return HUGE if kind == "huge" else str(ids.get(name, 1))
            if kind == "nul":
                return "x%00y"
            return str(ids.get(name, "abc"))

        def group(match):
            name, body = match.group("name"), match.group("body")
            if body in (r"\d+", "[0-9]+"):
                return HUGE if kind == "huge" else str(ids.get(name, 1))
            return body.split("|")[0] if "|" in body else str(ids.get(name, "accounts"))

        text = CONVERTER.sub(converter, route)
        text = GROUP.sub(group, text)
        text = text.lstrip("^").rstrip("$").replace("\\", "")
        return "/" + text

    return list(dict.fromkeys(fill(kind) for kind in ("real", "huge", "nul")))


@pytest.fixture
def world(localstripe):
    coach = CoachFactory()
    session_type = SessionTypeFactory(coach=coach)
    day = future_weekday(0)
    slot = AvailabilitySlotFactory(coach=coach, start=at(day, 9), end=at(day, 20))
    DiscountCodeFactory(coach=coach)
    client_user = UserFactory()
    booking = BookingFactory(
        coach=coach, client=client_user, session_type=session_type, start=at(day, 10)
    )
    BookingFactory(
        coach=coach,
        client=client_user,
        session_type=session_type,
        start=at(day, 14),
        status=Booking.Status.REQUESTED,
        booking_type=Booking.Type.REQUEST,
    )
    # A guest's booking (issue 17): its signed link is the `token` of /bookings/guest/<token>/.
    guest_booking = BookingFactory(
        coach=coach,
        client=None,
        guest_name="Gina Guest",
        guest_email="gina@example.org",
        source=Booking.Source.GUEST,
        session_type=session_type,
        start=at(day, 17),
        amount_total=Decimal("0"),
    )
    webinar = WebinarFactory(coach=coach, price=Decimal("0"))
    RegistrationFactory(webinar=webinar, user=client_user)
    other = UserFactory()
    Block.objects.create(blocker=other, blocked=client_user)
    from reviews.tests.factories import ReviewFactory

    review = ReviewFactory(coach=coach, author=client_user)
    ids = {
        "coach_id": coach.pk,
        "webinar_id": webinar.pk,
        "booking_id": booking.pk,
        "slot_id": slot.pk,
        "series_id": 1,
        "user_id": other.pk,
        "connection_id": 1,
        "material_id": 1,
        "notification_id": 1,
        "review_id": review.pk,
        "object_id": booking.pk,
        "content_type_id": 1,
        "app_label": "bookings",
        "payment_intent_id": "pi_unknown",
        "payment_method_id": "pm_unknown",
        "token": guest_links.make_token(guest_booking),
    }
    return {"coach": coach.user, "client": client_user, "ids": ids}


def test_no_url_answers_5xx_to_fuzzed_input(world):
    started = time.monotonic()
    users = {"anonymous": None, "client": world["client"], "coach": world["coach"]}
    clients = {}
    for label, user in users.items():
        clients[label] = Client(raise_request_exception=True)
        if user is not None:
            clients[label].force_login(user)
    failures: dict[str, str] = {}  # one line per route, method and cause
    requests_made = 0
    spent: dict[str, float] = {}

    def call(route: str, label: str, method: str, url: str, **kwargs) -> None:
        nonlocal requests_made
        client = clients[label]
        if users[label] is not None and "_auth_user_id" not in client.session:
            client.force_login(users[label])  # a walked logout ended the session
        requests_made += 1
        began = time.monotonic()
        try:
            response = getattr(client, method)(url, **kwargs)
        except Exception as exc:  # noqa: BLE001 - every exception is a 500 to report
            cause = f"{type(exc).__name__}: {str(exc)[:120]}"
        else:
            spent[route] = spent.get(route, 0.0) + time.monotonic() - began
            if response.status_code < 500:
                return
            cause = f"HTTP {response.status_code}"
        key = f"{method.upper()} {route} {cause}"
        failures.setdefault(key, f"{key}  (e.g. {label} {url!r} {kwargs.get('data')!r:.200})")

    routes = list(walk())
    assert len(routes) > 150, "the resolver walk found too few patterns"
    for route, _pattern in routes:
        is_admin = route.startswith("admin/")
        for index, url in enumerate(concrete_paths(route, world["ids"])):
            if is_admin:
                # The scoped admin (the coach): searches, filters and forms with bad input.
                for params in FORM_VARIANTS[1:] if index == 0 else FORM_VARIANTS[-1:]:
                    call(route, "coach", "get", url, data=params)
                call(route, "coach", "post", url, data=FORM_VARIANTS[-1])
                continue
            for label in users:
                if index > 0:  # ids beyond bigint, NUL in a path segment
                    if label != "anonymous":
                        call(route, label, "get", url)
                        call(route, label, "post", url)
                    continue
                for params in FORM_VARIANTS:
                    call(route, label, "get", url, data=params)
                for params in FORM_VARIANTS[1:]:
                    call(route, label, "post", url, data=params)
                for body in JSON_VARIANTS[:2] if label != "anonymous" else JSON_VARIANTS[:1]:
                    call(
                        route,
                        label,
                        "post",
                        url,
                        data=json.dumps(body),
                        content_type="application/json",
                        HTTP_ACCEPT="application/json",
                    )
    elapsed = time.monotonic() - started
    print(f"fuzz walk: {len(routes)} patterns, {requests_made} requests, {elapsed:.1f} s")
    slowest = sorted(spent.items(), key=lambda item: -item[1])[:8]
    print("slowest routes: " + ", ".join(f"{route} {secs:.1f} s" for route, secs in slowest))
    assert not failures, f"{len(failures)} causes of 5xx in {requests_made} requests:\n" + (
        "\n".join(sorted(failures.values()))
    )
