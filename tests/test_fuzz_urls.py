"""No input answers 5xx (issue 8 #15). Walks EVERY URL pattern of the resolver (so a new
endpoint is covered the day it is added), as an anonymous visitor, a client and a coach (also
the scoped admin), with GET and POST (form and JSON), and feeds each the inputs that broke the
site before: far dates, extreme offsets, non-string JSON, a 20-digit number, NUL bytes, ids
beyond bigint. Any 5xx or exception is collected and reported at the end, with its URL.

Real parts: PostgreSQL (when DATABASE_URL says so) and localstripe for the payment paths."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import Block
from accounts.tests.factories import CoachFactory, UserFactory
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
    "amount booking_id client_secret coach coach_id code currency date duration email "
    "end_time first_date first_name format hourly_rate instant_booking is_coach last_date "
    "last_name message next page partstat payer_id payment_intent_id payment_method_id "
    "purpose q reason registration_id role selected session_type start start_time status "
    "suggestion times timezone title type username password week weekdays"
).split()

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
    _variant(HUGE, HUGE, HUGE),
    _variant(NUL, NUL, NUL),
]


def _json_variant(start, duration, other) -> dict:
    body = {name: other for name in PARAMS}
    body.update(start=start, times=[start], duration=duration)
    return body


JSON_VARIANTS = [
    _json_variant(-5, int(HUGE), [1, 2]),
    _json_variant([1, 2], -5, {}),
    _json_variant({}, 1e308, None),
    _json_variant("9999-12-31T23:45:00-14:00", "60", "x\u0000y"),
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
    webinar = WebinarFactory(coach=coach, price=Decimal("0"))
    RegistrationFactory(webinar=webinar, user=client_user)
    other = UserFactory()
    Block.objects.create(blocker=other, blocked=client_user)
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
        "object_id": booking.pk,
        "content_type_id": 1,
        "app_label": "bookings",
        "payment_intent_id": "pi_unknown",
        "payment_method_id": "pm_unknown",
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
    failures: list[str] = []
    requests_made = 0

    def call(label: str, method: str, url: str, **kwargs) -> None:
        nonlocal requests_made
        client = clients[label]
        if users[label] is not None and "_auth_user_id" not in client.session:
            client.force_login(users[label])  # a walked logout ended the session
        requests_made += 1
        try:
            response = getattr(client, method)(url, **kwargs)
        except Exception as exc:  # noqa: BLE001 - every exception is a 500 to report
            failures.append(f"{label} {method.upper()} {url!r}: {type(exc).__name__}: {exc}")
            return
        if response.status_code >= 500:
            failures.append(f"{label} {method.upper()} {url!r}: HTTP {response.status_code}")

    routes = list(walk())
    assert len(routes) > 150, "the resolver walk found too few patterns"
    for route, _pattern in routes:
        is_admin = route.startswith("admin/")
        labels = ["coach"] if is_admin else list(users)
        for index, url in enumerate(concrete_paths(route, world["ids"])):
            variants = FORM_VARIANTS if index == 0 else FORM_VARIANTS[-1:]
            for label in labels:
                for params in variants if not is_admin else variants[-2:]:
                    call(label, "get", url, data=params)
                    call(label, "post", url, data=params)
                if index == 0 and not is_admin:
                    for body in JSON_VARIANTS:
                        call(
                            label,
                            "post",
                            url,
                            data=json.dumps(body),
                            content_type="application/json",
                            HTTP_ACCEPT="application/json",
                        )
    elapsed = time.monotonic() - started
    print(f"fuzz walk: {len(routes)} patterns, {requests_made} requests, {elapsed:.1f} s")
    assert not failures, f"{len(failures)} of {requests_made} requests failed:\n" + "\n".join(
        failures[:80]
    )
    assert dt.timedelta(seconds=elapsed) < dt.timedelta(seconds=60)
