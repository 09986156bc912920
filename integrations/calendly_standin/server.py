"""The Calendly stand-in's HTTP server (stdlib only; see the package docstring)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import secrets
import threading
import time
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from integrations.calendly.signatures import HEADER, sign

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


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _id() -> str:
    return secrets.token_hex(8).upper()


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000000Z")


class ApiError(Exception):
    def __init__(self, status: int, details: list | None = None, message: str = ""):
        self.status, self.details = status, details
        title, default = ERRORS[status]
        self.body = {"title": title, "message": message or default}
        if details:
            self.body["details"] = details


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
        self.data = {"subscriptions": {}, "events": {}, "invitees": {}, "deliveries": []}
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
            self.data = {"subscriptions": {}, "events": {}, "invitees": {}, "deliveries": []}
            self.rate_limited = 0
            self.save()

    @property
    def default_user(self) -> dict:
        return next(iter(self.tokens.values()))

    def user_by_uri(self, uri: str) -> dict | None:
        return next((u for u in self.tokens.values() if u["uri"] == uri), None)


def public(resource: dict) -> dict:
    return {k: v for k, v in resource.items() if not k.startswith("_")}


# --- API ------------------------------------------------------------------------------------
def api_users_me(store: Store, user: dict, query: dict, body: dict):
    return 200, {"resource": public(user)}


def api_create_subscription(store: Store, user: dict, query: dict, body: dict):
    details = []
    url, events = body.get("url"), body.get("events")
    scope, organization = body.get("scope"), body.get("organization")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        details.append({"parameter": "url", "message": "must be a valid URL"})
    if not isinstance(events, list) or not events or not set(events) <= EVENTS:
        details.append({"parameter": "events", "message": "contains an unknown event"})
    if scope not in ("user", "organization", "group"):
        details.append({"parameter": "scope", "message": "must be user, organization or group"})
    if organization != user["current_organization"]:
        details.append({"parameter": "organization", "message": "is not your organization"})
    if scope == "user" and body.get("user") != user["uri"]:
        details.append({"parameter": "user", "message": "must be your user URI"})
    if scope == "user" and isinstance(events, list) and set(events) & ORGANIZATION_ONLY:
        details.append(
            {
                "parameter": "events",
                "message": "routing_form_submission.created needs organization scope",
            }
        )
    if details:
        raise ApiError(400, details)
    if scope == "organization" and user["_role"] not in ("owner", "admin"):
        raise ApiError(403)
    with store.lock:
        for existing in store.data["subscriptions"].values():
            if existing["callback_url"] == url and existing["scope"] == scope:
                raise ApiError(409)
        now = _now()
        uri = f"{API}/webhook_subscriptions/{_id()}"
        subscription = {
            "callback_url": url,
            "created_at": now,
            "creator": user["uri"],
            "events": list(events),
            "group": None,
            "organization": organization,
            "retry_started_at": None,
            "scope": scope,
            "state": "active",
            "updated_at": now,
            "uri": uri,
            "user": user["uri"] if scope == "user" else None,
            "_signing_key": body.get("signing_key") or secrets.token_urlsafe(32),
        }
        store.data["subscriptions"][uri] = subscription
        store.save()
    return 201, {"resource": public(subscription)}


def api_list_subscriptions(store: Store, user: dict, query: dict, body: dict):
    organization, scope = query.get("organization"), query.get("scope")
    missing = [p for p in ("organization", "scope") if not query.get(p)]
    if missing:
        raise ApiError(400, [{"parameter": p, "message": "is required"} for p in missing])
    if organization != user["current_organization"]:
        raise ApiError(403)
    try:
        count = max(1, min(int(query.get("count") or 20), 100))
        offset = int(query.get("page_token") or 0)
    except ValueError:
        raise ApiError(400, [{"parameter": "count", "message": "must be a number"}]) from None
    with store.lock:
        rows = sorted(store.data["subscriptions"].values(), key=lambda s: s["created_at"])
    rows = [
        s
        for s in rows
        if s["organization"] == organization
        and s["scope"] == scope
        and (not query.get("user") or s["user"] == query["user"])
    ]
    page = rows[offset : offset + count]

    def link(token: int | None) -> str | None:
        if token is None:
            return None
        params = {k: v for k, v in query.items() if k != "page_token"}
        return f"{API}/webhook_subscriptions?{urlencode({**params, 'page_token': token})}"

    next_token = offset + count if offset + count < len(rows) else None
    previous_token = max(0, offset - count) if offset > 0 else None
    pagination = {
        "count": len(page),
        "next_page": link(next_token),
        "previous_page": link(previous_token),
        "next_page_token": None if next_token is None else str(next_token),
        "previous_page_token": None if previous_token is None else str(previous_token),
    }
    return 200, {"collection": [public(s) for s in page], "pagination": pagination}


def _own_subscription(store: Store, user: dict, uuid: str) -> dict:
    subscription = store.data["subscriptions"].get(f"{API}/webhook_subscriptions/{uuid}")
    if subscription is None:
        raise ApiError(404)
    if subscription["organization"] != user["current_organization"]:
        raise ApiError(403)
    return subscription


def api_get_subscription(store: Store, user: dict, query: dict, body: dict, uuid: str):
    with store.lock:
        return 200, {"resource": public(_own_subscription(store, user, uuid))}


def api_delete_subscription(store: Store, user: dict, query: dict, body: dict, uuid: str):
    with store.lock:
        subscription = _own_subscription(store, user, uuid)
        del store.data["subscriptions"][subscription["uri"]]
        store.save()
    return 204, None


# --- simulating invitees --------------------------------------------------------------------
def _time(value, field: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(400, [{"parameter": field, "message": "must be ISO 8601"}]) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def _times(body: dict) -> tuple[dt.datetime, dt.datetime]:
    start = _time(body.get("start_time"), "start_time")
    if body.get("end_time"):
        end = _time(body["end_time"], "end_time")
    else:
        end = start + dt.timedelta(minutes=int(body.get("duration") or 30))
    if end <= start:
        raise ApiError(400, [{"parameter": "end_time", "message": "must be after start_time"}])
    return start, end


def _new_invitee(store: Store, user: dict, body: dict, start, end, *, old: str | None) -> dict:
    now = _now()
    event_uuid, invitee_uuid = _id(), _id()
    event_uri = f"{API}/scheduled_events/{event_uuid}"
    event_type_name = str(body.get("event_type_name") or "30 Minute Meeting")
    event = {
        "uri": event_uri,
        "name": event_type_name,
        "meeting_notes_plain": None,
        "meeting_notes_html": None,
        "status": "active",
        "start_time": _iso(start),
        "end_time": _iso(end),
        "event_type": f"{API}/event_types/"
        + ("ETYPE" + str(abs(hash(event_type_name)) % 10**11).zfill(11)),
        "location": {
            "type": "google_conference",
            "status": "pushed",
            "join_url": f"https://meet.google.com/std-{invitee_uuid[:4].lower()}-demo",
        },
        "invitees_counter": {"total": 1, "active": 1, "limit": 1},
        "created_at": now,
        "updated_at": now,
        "event_memberships": [
            {"user": user["uri"], "user_email": user["email"], "user_name": user["name"]}
        ],
        "event_guests": [],
    }
    name = str(body.get("name") or "Ada Invitee")
    first, _, last = name.partition(" ")
    questions = body.get("questions_and_answers")
    if not isinstance(questions, list):
        questions = [
            {"question": "What would you like to talk about?", "answer": str(q), "position": 0}
            for q in [body.get("answer") or "Getting started"]
        ]
    invitee = {
        "cancel_url": f"https://calendly.com/cancellations/{invitee_uuid}",
        "created_at": now,
        "email": str(body.get("email") or "ada.invitee@example.com"),
        "event": event_uri,
        "first_name": first or None,
        "last_name": last or None,
        "name": name,
        "new_invitee": None,
        "no_show": None,
        "old_invitee": old,
        "payment": body.get("payment") if isinstance(body.get("payment"), dict) else None,
        "questions_and_answers": questions,
        "reconfirmation": None,
        "reschedule_url": f"https://calendly.com/reschedulings/{invitee_uuid}",
        "rescheduled": False,
        "routing_form_submission": None,
        "status": "active",
        "text_reminder_number": None,
        "timezone": str(body.get("timezone") or "Europe/Zurich"),
        "tracking": {
            "utm_campaign": None,
            "utm_source": body.get("utm_source"),
            "utm_medium": None,
            "utm_content": None,
            "utm_term": None,
            "salesforce_uuid": None,
        },
        "updated_at": now,
        "uri": f"{event_uri}/invitees/{invitee_uuid}",
        "scheduled_event": event,
    }
    store.data["events"][event_uri] = event
    store.data["invitees"][invitee["uri"]] = invitee
    return invitee


def _user_for(store: Store, body: dict) -> dict:
    if body.get("user"):
        user = store.user_by_uri(str(body["user"]))
        if user is None:
            raise ApiError(404)
        return user
    return store.default_user


def _invitee(store: Store, body: dict) -> dict:
    invitee = store.data["invitees"].get(str(body.get("invitee") or ""))
    if invitee is None:
        raise ApiError(404)
    return invitee


def _cancel(invitee: dict, *, canceler_type: str, reason: str, user: dict, new: str | None):
    now = _now()
    cancellation = {
        "canceled_by": user["name"] if canceler_type == "host" else invitee["name"],
        "reason": reason or None,
        "canceler_type": canceler_type,
        "created_at": now,
    }
    invitee.update(
        status="canceled",
        cancellation=cancellation,
        rescheduled=new is not None,
        new_invitee=new,
        updated_at=now,
    )
    invitee["scheduled_event"].update(status="canceled", cancellation=cancellation, updated_at=now)


def sim_create(store: Store, body: dict):
    user = _user_for(store, body)
    start, end = _times(body)
    with store.lock:
        invitee = _new_invitee(store, user, body, start, end, old=None)
        deliveries = deliver(store, user, "invitee.created", invitee, body)
        store.save()
    return 201, {"resource": invitee, "deliveries": deliveries}


def sim_cancel(store: Store, body: dict):
    with store.lock:
        invitee = _invitee(store, body)
        if invitee["status"] == "canceled":
            raise ApiError(400, [{"parameter": "invitee", "message": "is already canceled"}])
        user = store.user_by_uri(invitee["scheduled_event"]["event_memberships"][0]["user"])
        canceler = "host" if body.get("canceler_type") == "host" else "invitee"
        _cancel(
            invitee,
            canceler_type=canceler,
            reason=str(body.get("reason") or ""),
            user=user,
            new=None,
        )
        deliveries = deliver(store, user, "invitee.canceled", invitee, body)
        store.save()
    return 200, {"resource": invitee, "deliveries": deliveries}


def sim_reschedule(store: Store, body: dict):
    start, end = _times(body)
    with store.lock:
        old = _invitee(store, body)
        if old["status"] == "canceled":
            raise ApiError(400, [{"parameter": "invitee", "message": "is already canceled"}])
        user = store.user_by_uri(old["scheduled_event"]["event_memberships"][0]["user"])
        details = {
            "name": old["name"],
            "email": old["email"],
            "timezone": old["timezone"],
            "event_type_name": old["scheduled_event"]["name"],
            "questions_and_answers": old["questions_and_answers"],
        }
        new = _new_invitee(store, user, details, start, end, old=old["uri"])
        _cancel(old, canceler_type="invitee", reason="", user=user, new=new["uri"])
        pair = [("invitee.canceled", old), ("invitee.created", new)]
        if body.get("order") == "create_first":
            pair.reverse()
        deliveries = []
        for event, resource in pair:
            deliveries += deliver(store, user, event, resource, body)
        store.save()
    return 200, {"resource": new, "old_invitee": old, "deliveries": deliveries}


def sim_no_show(store: Store, body: dict):
    with store.lock:
        invitee = _invitee(store, body)
        user = store.user_by_uri(invitee["scheduled_event"]["event_memberships"][0]["user"])
        marked = str(body.get("no_show", "true")).lower() not in ("false", "0", "off", "")
        if marked:
            invitee["no_show"] = {"uri": f"{API}/invitee_no_shows/{_id()}", "created_at": _now()}
            event = "invitee_no_show.created"
        else:
            event = "invitee_no_show.deleted"
        payload = dict(invitee)
        invitee["no_show"] = invitee["no_show"] if marked else None
        deliveries = deliver(store, user, event, payload, body)
        store.save()
    return 200, {"resource": invitee, "deliveries": deliveries}


def sim_routing_form(store: Store, body: dict):
    user = _user_for(store, body)
    now = _now()
    submission = {
        "uri": f"{API}/routing_form_submissions/{_id()}",
        "routing_form": f"{API}/routing_forms/RFORM0000000001",
        "questions_and_answers": [
            {
                "question_uuid": "q1",
                "question": "What do you need help with?",
                "answer": str(body.get("answer") or "Career change"),
            }
        ],
        "tracking": {
            "utm_campaign": None,
            "utm_source": None,
            "utm_medium": None,
            "utm_content": None,
            "utm_term": None,
            "salesforce_uuid": None,
        },
        "result": {"type": "event_type", "value": f"{API}/event_types/ETYPE00000000001"},
        "submitter": {
            "uri": None,
            "email": str(body.get("email") or "lead@example.com"),
            "name": str(body.get("name") or "Lee Lead"),
        },
        "submitter_type": "Invitee",
        "created_at": now,
        "updated_at": now,
    }
    with store.lock:
        deliveries = deliver(store, user, "routing_form_submission.created", submission, body)
        store.save()
    return 201, {"resource": submission, "deliveries": deliveries}


def sim_disable(store: Store, body: dict):
    with store.lock:
        subscription = store.data["subscriptions"].get(str(body.get("uri") or ""))
        if subscription is None:
            raise ApiError(404)
        subscription.update(state="disabled", updated_at=_now())
        store.save()
    return 200, {"resource": public(subscription)}


def sim_rate_limit(store: Store, body: dict):
    with store.lock:
        store.rate_limited = int(body.get("count") or 1)
    return 200, {"rate_limited_calls": store.rate_limited}


def deliver(store: Store, user: dict, event: str, payload: dict, body: dict) -> list[dict]:
    """Sign and send `event` to every active subscription that covers `user`; with
    deliver=false return what would have been sent."""
    envelope = {
        "created_at": _now(),
        "created_by": user["uri"],
        "event": event,
        "payload": payload,
    }
    raw = json.dumps(envelope).encode()
    send = str(body.get("deliver", "true")).lower() not in ("false", "0", "off")
    out = []
    for subscription in list(store.data["subscriptions"].values()):
        if subscription["state"] != "active" or event not in subscription["events"]:
            continue
        if subscription["scope"] == "user" and subscription["user"] != user["uri"]:
            continue
        if subscription["organization"] != user["current_organization"]:
            continue
        headers = {
            "Content-Type": "application/json",
            HEADER: sign(raw, subscription["_signing_key"], timestamp=int(time.time())),
        }
        record = {"url": subscription["callback_url"], "event": event}
        if send:
            try:
                response = requests.post(
                    subscription["callback_url"], data=raw, headers=headers, timeout=10
                )
                record["status"] = response.status_code
            except requests.RequestException as exc:
                record["status"] = 0
                record["error"] = str(exc)
            if not 200 <= record["status"] < 300 and not subscription["retry_started_at"]:
                subscription["retry_started_at"] = _now()
            store.data["deliveries"].append(record)
            del store.data["deliveries"][:-100]
        else:
            record.update(headers=headers, body=raw.decode())
        out.append(record)
    return out


# --- HTTP -----------------------------------------------------------------------------------
ROUTES = [
    ("GET", "/users/me", api_users_me),
    ("POST", "/webhook_subscriptions", api_create_subscription),
    ("GET", "/webhook_subscriptions", api_list_subscriptions),
]
ITEM_ROUTES = {"GET": api_get_subscription, "DELETE": api_delete_subscription}
SIM_ROUTES = {
    "/_standin/invitees": sim_create,
    "/_standin/invitees/cancel": sim_cancel,
    "/_standin/invitees/reschedule": sim_reschedule,
    "/_standin/invitees/no_show": sim_no_show,
    "/_standin/routing_form_submissions": sim_routing_form,
    "/_standin/subscriptions/disable": sim_disable,
    "/_standin/rate_limit": sim_rate_limit,
}


class Handler(BaseHTTPRequestHandler):
    server_version = "CalendlyStandin/1"
    store: Store  # set by make_server

    def log_message(self, format, *args):  # noqa: A002 - BaseHTTPRequestHandler's name
        logger.info("%s %s", self.address_string(), format % args)

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def _body(self) -> tuple[dict, bool]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if "application/x-www-form-urlencoded" in (self.headers.get("Content-Type") or ""):
            return {k: v[-1] for k, v in parse_qs(raw.decode()).items()}, True
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            raise ApiError(400, [{"parameter": "body", "message": "is not JSON"}]) from None
        return (data if isinstance(data, dict) else {}), False

    def _dispatch(self, method: str) -> None:
        parts = urlsplit(self.path)
        path = parts.path.rstrip("/") or "/"
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        try:
            if path == "/_standin" and method == "GET":
                return self._html(page(self.store))
            if path == "/_standin/data" and method == "DELETE":
                self.store.reset()
                return self._json(200, {"deleted": True})
            if path in SIM_ROUTES and method == "POST":
                body, form = self._body()
                status, data = SIM_ROUTES[path](self.store, body)
                if form:  # the HTML page's forms: back to the page
                    return self._redirect("/_standin/")
                return self._json(status, data)
            user = self._authenticate()
            body = self._body()[0] if method == "POST" else {}
            for route_method, route_path, view in ROUTES:
                if method == route_method and path == route_path:
                    return self._json(*view(self.store, user, query, body))
            prefix = "/webhook_subscriptions/"
            if path.startswith(prefix) and method in ITEM_ROUTES and "/" not in path[len(prefix) :]:
                return self._json(
                    *ITEM_ROUTES[method](self.store, user, query, body, path[len(prefix) :])
                )
            raise ApiError(404)
        except ApiError as exc:
            headers = {"Retry-After": "30"} if exc.status == 429 else {}
            return self._json(exc.status, exc.body, headers)

    def _authenticate(self) -> dict:
        auth = self.headers.get("Authorization") or ""
        token = auth[len("Bearer ") :] if auth.startswith("Bearer ") else ""
        user = self.store.tokens.get(token)
        if user is None:
            raise ApiError(401)
        with self.store.lock:
            if self.store.rate_limited > 0:
                self.store.rate_limited -= 1
                raise ApiError(429)
        return user

    def _json(self, status: int, data, headers: dict | None = None) -> None:
        raw = b"" if data is None else json.dumps(data).encode()
        self.send_response(status)
        if data is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _html(self, text: str) -> None:
        raw = text.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _redirect(self, location: str) -> None:
        self.send_response(303)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


def page(store: Store) -> str:
    """A plain page for `make run`: book, cancel, reschedule, mark no-shows as Calendly would."""
    tomorrow = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    with store.lock:
        subscriptions = list(store.data["subscriptions"].values())
        invitees = list(store.data["invitees"].values())[-20:]
        deliveries = list(store.data["deliveries"])[-10:]
    rows = (
        "".join(
            f"<li>{escape(s['scope'])} → <code>{escape(s['callback_url'])}</code> "
            f"({escape(s['state'])})</li>"
            for s in subscriptions
        )
        or "<li>None yet: connect Calendly on /coach/integrations/ with the demo token.</li>"
    )
    people = "".join(
        f"<tr><td>{escape(i['name'])}</td><td>{escape(i['scheduled_event']['start_time'])}</td>"
        f"<td>{escape(i['status'])}</td><td>"
        + (
            ""
            if i["status"] == "canceled"
            else _button("/_standin/invitees/cancel", i["uri"], "Cancel")
            + _button("/_standin/invitees/no_show", i["uri"], "Mark no-show")
        )
        + "</td></tr>"
        for i in reversed(invitees)
    )
    sent = "".join(
        f"<li>{escape(d['event'])} → {escape(d['url'])}: {d.get('status')}</li>"
        for d in reversed(deliveries)
    )
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Calendly stand-in</title></head><body>
<h1>Calendly stand-in (test double)</h1>
<p>Demo token: <code>{DEMO_TOKEN}</code>. Paste it on /coach/integrations/ as the demo coach.</p>
<h2>Webhook subscriptions</h2><ul>{rows}</ul>
<h2>Book as an invitee</h2>
<form method="post" action="/_standin/invitees">
<p><label for="name">Name</label> <input id="name" name="name" value="Ada Invitee"></p>
<p><label for="email">Email</label>
<input id="email" name="email" value="ada.invitee@example.com"></p>
<p><label for="start">Start (UTC, ISO 8601)</label>
<input id="start" name="start_time" value="{_iso(tomorrow)}"></p>
<p><label for="duration">Minutes</label> <input id="duration" name="duration" value="30"></p>
<p><button type="submit">Book (sends invitee.created)</button></p></form>
<h2>Invitees</h2><table><tr><th>Name</th><th>Start</th><th>Status</th><th>Act</th></tr>
{people}</table>
<h2>Last deliveries</h2><ul>{sent}</ul></body></html>"""


def _button(action: str, invitee: str, label: str) -> str:
    return (
        f'<form method="post" action="{action}" style="display:inline">'
        f'<input type="hidden" name="invitee" value="{escape(invitee)}">'
        f'<button type="submit">{label}</button></form>'
    )


def make_server(
    port: int, *, tokens: list[str] | None = None, store_path: Path | None = None
) -> ThreadingHTTPServer:
    store = Store(store_path, tokens or [DEMO_TOKEN, DEMO_MEMBER_TOKEN])
    handler = type("BoundHandler", (Handler,), {"store": store})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description="Calendly API v2 stand-in (test double)")
    parser.add_argument("--port", type=int, default=8430)
    parser.add_argument("--store", type=Path, default=None, help="JSON file to keep state in")
    parser.add_argument("--token", action="append", help="accepted token(s); first = demo user")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s calendly-standin %(message)s")
    server = make_server(args.port, tokens=args.token, store_path=args.store)
    logger.info(
        "listening on http://127.0.0.1:%s (tokens: %s)",
        args.port,
        ", ".join(server.RequestHandlerClass.store.tokens),
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
