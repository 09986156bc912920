"""The stand-in's state, its constants and Calendly's error bodies."""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
import threading
from pathlib import Path
from typing import TypedDict

logger = logging.getLogger("calendly_standin")

API = "https://api.calendly.com"  # resource URIs look exactly like Calendly's
DEMO_TOKEN = "calendly-demo-token"  # an organization owner (organization scope allowed)
DEMO_MEMBER_TOKEN = "calendly-demo-member-token"  # a plain member: organization scope → 403
EVENTS = {
    "invitee.created",
    "invitee.canceled",
    "invitee_no_show.created",
    "invitee_no_show.deleted",
    "routing_form_submission.created",
}
ORGANIZATION_ONLY = {"routing_form_submission.created"}

ERRORS = {
    400: ("Invalid Argument", "The supplied parameters are invalid."),
    401: ("Unauthenticated", "The access token is invalid"),
    403: ("Permission Denied", "You do not have permission to access this resource."),
    404: ("Resource Not Found", "The server could not find the requested resource."),
    409: ("Already Exists", "Hook with this url already exists"),
    429: ("Too Many Requests", "You have exceeded the rate limit. Please try again later."),
}


def now_text() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_id() -> str:
    return secrets.token_hex(8).upper()


def iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000000Z")


class ApiError(Exception):
    def __init__(self, status: int, details: list | None = None, message: str = ""):
        self.status, self.details = status, details
        title, default = ERRORS[status]
        self.body: dict[str, object] = {"title": title, "message": message or default}
        if details:
            self.body["details"] = details


class StoreData(TypedDict):
    subscriptions: dict[str, dict]
    events: dict[str, dict]
    invitees: dict[str, dict]
    deliveries: list[dict]


def empty_data() -> StoreData:
    return {"subscriptions": {}, "events": {}, "invitees": {}, "deliveries": []}


class Store:
    """Everything the stand-in knows, behind one lock; saved to `path` after each change."""

    def __init__(self, path: Path | None, tokens: list[str]):
        self.lock = threading.RLock()
        self.path = path
        self.organization = f"{API}/organizations/{'ORGDEMO0000000001'}"
        self.tokens: dict[str, dict] = {}
        for index, token in enumerate(tokens):
            self.tokens[token] = self._user(index, token)
        self.rate_limited = 0
        self.data: StoreData = empty_data()
        if path is not None and path.exists():
            try:
                self.data.update(json.loads(path.read_text()))
            except ValueError:
                logger.warning("ignoring unreadable store %s", path)

    def _user(self, index: int, token: str) -> dict:
        owner = token != DEMO_MEMBER_TOKEN
        slug = "demo-coach" if index == 0 else f"demo-user-{index}"
        return {
            "avatar_url": None,
            "created_at": "2026-01-05T09:00:00.000000Z",
            "current_organization": self.organization,
            "email": f"{slug}@calendly.example",
            "locale": "en",
            "name": "Demo Coach" if index == 0 else f"Demo User {index}",
            "resource_type": "User",
            "scheduling_url": f"https://calendly.com/{slug}",
            "slug": slug,
            "timezone": "Europe/Zurich",
            "updated_at": "2026-01-05T09:00:00.000000Z",
            "uri": f"{API}/users/USER{index:013d}",
            "_role": "owner" if owner else "user",
        }

    def save(self) -> None:
        if self.path is not None:
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.data))
            tmp.replace(self.path)

    def reset(self) -> None:
        with self.lock:
            self.data = empty_data()
            self.rate_limited = 0
            self.save()

    @property
    def default_user(self) -> dict:
        return next(iter(self.tokens.values()))

    def user_by_uri(self, uri: str) -> dict | None:
        return next((u for u in self.tokens.values() if u["uri"] == uri), None)

    def host_of(self, invitee: dict) -> dict:
        """The Calendly user whose scheduled event the invitee booked."""
        user = self.user_by_uri(invitee["scheduled_event"]["event_memberships"][0]["user"])
        if user is None:
            raise ApiError(404)
        return user


def public(resource: dict) -> dict:
    return {k: v for k, v in resource.items() if not k.startswith("_")}
