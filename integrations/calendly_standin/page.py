"""The stand-in's HTML page for `make run`: book, cancel and mark no-shows as an invitee."""

from __future__ import annotations

import datetime as dt
from html import escape

from integrations.calendly_standin.store import DEMO_TOKEN, Store, iso


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
<input id="start" name="start_time" value="{iso(tomorrow)}"></p>
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
