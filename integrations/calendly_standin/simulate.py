"""What Calendly's users do, simulated: invitees book, cancel, reschedule, do not show up,
submit routing forms; each event is delivered SIGNED to the matching subscriptions."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import requests

from integrations.calendly.signatures import HEADER, sign
from integrations.calendly_standin.store import API, ApiError, Store, iso, new_id, now_text, public


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
    now = now_text()
    event_uuid, invitee_uuid = new_id(), new_id()
    event_uri = f"{API}/scheduled_events/{event_uuid}"
    event_type_name = str(body.get("event_type_name") or "30 Minute Meeting")
    event = {
        "uri": event_uri,
        "name": event_type_name,
        "meeting_notes_plain": None,
        "meeting_notes_html": None,
        "status": "active",
        "start_time": iso(start),
        "end_time": iso(end),
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
    invitee: dict[str, Any] = {
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
    now = now_text()
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
        user = store.host_of(invitee)
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
        user = store.host_of(old)
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
        user = store.host_of(invitee)
        marked = str(body.get("no_show", "true")).lower() not in ("false", "0", "off", "")
        if marked:
            invitee["no_show"] = {
                "uri": f"{API}/invitee_no_shows/{new_id()}",
                "created_at": now_text(),
            }
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
    now = now_text()
    submission = {
        "uri": f"{API}/routing_form_submissions/{new_id()}",
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
        subscription.update(state="disabled", updated_at=now_text())
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
        "created_at": now_text(),
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
                subscription["retry_started_at"] = now_text()
            store.data["deliveries"].append(record)
            del store.data["deliveries"][:-100]
        else:
            record.update(headers=headers, body=raw.decode())
        out.append(record)
    return out
