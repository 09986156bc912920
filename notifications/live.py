"""Live pushes over Channels: rendered HTML fragments with ids, swapped out of band by htmx's
ws extension on the pages that show them.

Groups: `user.<id>` is one person's stream (every socket they have open on /ws/notifications/),
`webinar.<id>` is everyone looking at a webinar (/ws/webinars/<id>/).

Every public function here waits for the surrounding transaction to commit (through
`core.oncommit.run_on_commit`, which runs at once outside a transaction) and never raises
into its caller: a channel layer or Redis outage is logged and the database change that caused
the push stays committed. People then see the change on their next page load or poll.

Every render-and-push (`webinar_changed`, `registration_changed`, `booking_changed`,
`notification_created`, `bell_changed`) is a Celery task queued on commit
(`notifications.tasks.push_*`): rendering the partials was half of a registration request's
server time, and a request should not pay for it. With Redis a worker does it; in the embedded
default Celery is eager and the task runs in-process at the same moment. A broker outage while
queuing is logged like a layer outage (the page's polling or next load shows the change).
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.template.loader import render_to_string

from core.oncommit import run_on_commit

logger = logging.getLogger(__name__)

FRAGMENT_EVENT = "html.fragment"  # handled by `html_fragment` on our consumers


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def webinar_group(webinar_id: int) -> str:
    return f"webinar.{webinar_id}"


def send_fragment_now(group: str, html: str) -> bool:
    """Send one HTML message to a group immediately (does not wait for commit).

    Returns False instead of raising when the channel layer is unavailable.
    """
    if not html.strip():
        return False
    try:
        layer = get_channel_layer()
        if layer is None:
            return False
        async_to_sync(layer.group_send)(group, {"type": FRAGMENT_EVENT, "html": html})
        return True
    except (
        Exception
    ):  # Redis down, layer misconfigured, message too big: never the caller's problem
        logger.exception("Live push to %s failed; the change is saved and shows on reload", group)
        return False


LIVE = "Live update"  # how a failed push reads in the log


def push_to_user(user_id: int, html: str) -> None:
    """Send `html` (fragments with ids) to every socket `user_id` has open, after commit."""
    run_on_commit(send_fragment_now, user_group(user_id), html, log_as=LIVE)


def push_to_webinar(webinar_id: int, html: str) -> None:
    """Send `html` to everyone looking at webinar `webinar_id`, after commit."""
    run_on_commit(send_fragment_now, webinar_group(webinar_id), html, log_as=LIVE)


# A push that waited this long in the queue is pointless: the page has reloaded or polled.
PUSH_TASK_EXPIRES_SECONDS = 120


def _queue_push(task_name: str, object_id: int) -> None:
    """Hand one render-and-push to Celery (called after commit). A broker outage is logged by
    `run_on_commit`; the caller never sees it."""
    from notifications import tasks

    getattr(tasks, task_name).apply_async(args=[object_id], expires=PUSH_TASK_EXPIRES_SECONDS)


def webinar_changed(*, webinar_id: int) -> None:
    """Seats or attendees of a webinar changed: after commit, queue the task that sends the
    public "spots left" fragment to everyone viewing it and the attendee count to its coach's
    own stream (the count shows on the coach's pages only; it never goes to other viewers).
    Coalesced: while one such task for the webinar waits in the queue, later changes ride on
    it instead of queueing their own render."""
    run_on_commit(_queue_webinar_push, webinar_id, log_as=LIVE)


WEBINAR_PUSH_MARK_SECONDS = 10


def webinar_push_pending_key(webinar_id: int) -> str:
    return f"live:webinar-push-queued:{webinar_id}"


def _queue_webinar_push(webinar_id: int) -> None:
    """Queue one render of the webinar's state unless one is queued and not yet started. The
    task clears the mark before it reads, so a change committed before the mark was found
    set is in what that task reads (a popular webinar opening: one render per worker pass,
    not one per seat taken). The mark lapses after WEBINAR_PUSH_MARK_SECONDS, so a task lost
    on the way (a worker killed) holds back this webinar's pushes for seconds, not minutes;
    a task still queued by then merely gets company."""
    key = webinar_push_pending_key(webinar_id)
    if not cache.add(key, 1, timeout=WEBINAR_PUSH_MARK_SECONDS):
        return
    try:
        _queue_push("push_webinar_state", webinar_id)
    except Exception:
        cache.delete(key)  # nothing queued: the next change must queue its own
        raise


def registration_changed(*, registration_id: int) -> None:
    """A registration changed state: after commit, queue the task that re-renders that user's
    booking panel and pushes it to their own stream, so an open page flips to "You're booked!"
    without reloading."""
    run_on_commit(_queue_push, "push_booking_panel", registration_id, log_as=LIVE)


def booking_changed(*, booking_id: int) -> None:
    """A 1:1 booking changed state: after commit, queue the task that re-renders the client's
    status panel (their open booking modal flips to "You're booked!", "Request declined", ...)
    and the coach's open-request count on their dashboard."""
    run_on_commit(_queue_push, "push_booking_status", booking_id, log_as=LIVE)


def notification_created(*, notification_id: int) -> None:
    """After commit, queue the task that sends the new notification's toast and the
    recipient's bell with its count."""
    run_on_commit(_queue_push, "push_notification", notification_id, log_as=LIVE)


def bell_changed(*, user_id: int) -> None:
    """After commit, queue the task that re-sends the bell (unread count changed, e.g. marked
    read in another tab)."""
    run_on_commit(_queue_push, "push_bell", user_id, log_as=LIVE)


# --- renderers (run after commit, read fresh state) -------------------------------------------


def push_webinar_state_now(webinar_id: int) -> None:
    """Render and send the webinar's widgets now (the Celery task's body; no commit wait)."""
    from notifications import live_fragments

    cache.delete(webinar_push_pending_key(webinar_id))  # before reading: see _queue_webinar_push
    webinar = live_fragments.load_webinar(webinar_id)
    if webinar is None:
        return
    send_fragment_now(webinar_group(webinar_id), live_fragments.render_spots(webinar))
    coach_user_id = live_fragments.coach_user_id(webinar)
    if coach_user_id is not None:
        send_fragment_now(user_group(coach_user_id), live_fragments.render_attendees(webinar))


def push_booking_panel_now(registration_id: int) -> None:
    """Render and send one booker's panel now (the Celery task's body; no commit wait)."""
    from notifications import live_fragments

    registration = live_fragments.load_registration(registration_id)
    if registration is None:
        return
    html = live_fragments.render_booking_panel(registration)
    send_fragment_now(user_group(registration.user_id), html)


def push_booking_status_now(booking_id: int) -> None:
    """Render and send a 1:1 booking's live widgets now (the Celery task's body): the client's
    status panel (only the faces worth pushing) and the coach's open-request count."""
    from notifications import live_fragments

    booking = live_fragments.load_booking(booking_id)
    if booking is None:
        return
    if booking.client_id is not None:  # a guest (no account) has no live page to update
        send_fragment_now(
            user_group(booking.client_id), live_fragments.render_booking_status(booking)
        )
    send_fragment_now(
        user_group(booking.coach.user_id), live_fragments.render_open_requests(booking.coach)
    )


def push_notification_now(notification_id: int) -> None:
    """Render and send a notification's toast and bell now (the Celery task's body)."""
    from notifications.models import Notification

    notification = (
        Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    )
    if notification is None:
        return
    html = render_notification_push(notification)
    send_fragment_now(user_group(notification.recipient_id), html)


def push_bell_now(user_id: int) -> None:
    """Render and send the bell with its unread count now (the Celery task's body)."""
    send_fragment_now(user_group(user_id), render_bell(user_id=user_id, oob=True))


def render_bell(*, user_id: int, oob: bool) -> str:
    from notifications.selectors import unread_count

    return render_to_string(
        "notifications/bell.html",
        {"unread_count": unread_count(user_id=user_id), "oob": oob},
    )


def render_notification_push(notification) -> str:
    """The bell (out of band) plus a toast appended to #toasts."""
    from django.utils import timezone

    with timezone.override(notification.recipient.tzinfo):
        toast = render_to_string("notifications/live/toast.html", {"notification": notification})
    return render_bell(user_id=notification.recipient_id, oob=True) + toast
