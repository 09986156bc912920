"""Calendly's API as the stand-in answers it: /users/me and /webhook_subscriptions."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from integrations.calendly_standin.store import (
    API,
    EVENTS,
    ORGANIZATION_ONLY,
    ApiError,
    Store,
    new_id,
    now_text,
    public,
)


def api_users_me(store: Store, user: dict, query: dict, body: dict):
    return 200, {"resource": public(user)}


def api_create_subscription(store: Store, user: dict, query: dict, body: dict):
    details = []
    url, raw_events = body.get("url"), body.get("events")
    events: list = raw_events if isinstance(raw_events, list) else []
    scope, organization = body.get("scope"), body.get("organization")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        details.append({"parameter": "url", "message": "must be a valid URL"})
    if not events or not set(events) <= EVENTS:
        details.append({"parameter": "events", "message": "contains an unknown event"})
    if scope not in ("user", "organization", "group"):
        details.append({"parameter": "scope", "message": "must be user, organization or group"})
    if organization != user["current_organization"]:
        details.append({"parameter": "organization", "message": "is not your organization"})
    if scope == "user" and body.get("user") != user["uri"]:
        details.append({"parameter": "user", "message": "must be your user URI"})
    if scope == "user" and set(events) & ORGANIZATION_ONLY:
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
        now = now_text()
        uri = f"{API}/webhook_subscriptions/{new_id()}"
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
