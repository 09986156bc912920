"""The stand-in's hosted pages: onboarding (what an AccountLink's url opens) and the Express
dashboard (a login link). Plain HTML forms: no JavaScript, no API key."""

from __future__ import annotations

import html
import time
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from payments.connect_standin.store import ConnectStore


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} (Stripe Connect stand-in)</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 36rem; margin: 2rem auto; padding: 0 1rem;
  line-height: 1.5; color: #1a1a1a; }}
button {{ font: inherit; padding: .6rem 1rem; margin: .25rem .5rem .25rem 0; border-radius: 6px;
  border: 1px solid #333; background: #fff; cursor: pointer; }}
button.primary {{ background: #4b2bd6; color: #fff; border-color: #4b2bd6; }}
button:focus-visible {{ outline: 3px solid #f59e0b; outline-offset: 2px; }}
.note {{ background: #fff8e1; padding: .5rem .75rem; border-radius: 6px; }}
</style></head>
<body><main>
<p class="note">Local Stripe Connect stand-in (test double). No real account is created.</p>
<h1>{title}</h1>
{body}
</main></body></html>"""


def _page(title: str, body: str, status: int = 200) -> web.Response:
    return web.Response(
        text=PAGE.format(title=html.escape(title), body=body),
        content_type="text/html",
        status=status,
    )


def _link(store: ConnectStore, token: str, kind: str) -> dict[str, Any] | None:
    link = store.get("link", token)
    if link is None or link.get("kind") != kind:
        return None
    return link


async def handle(request: web.Request) -> web.StreamResponse:
    from payments.connect_standin import api

    parts = request.path.strip("/").split("/")
    if len(parts) != 3 or parts[1] not in ("onboarding", "express"):
        return _page("Not found", "<p>This link does not exist.</p>", 404)
    kind = "onboarding" if parts[1] == "onboarding" else "dashboard"
    token = parts[2]
    link = _link(api.STORE, token, kind)
    if link is None:
        return _page("Link not valid", "<p>This link does not exist.</p>", 404)
    expired = link.get("used") or link["expires_at"] < time.time()
    if kind == "dashboard":
        return _dashboard(api.STORE, link, expired)
    if expired:
        # Stripe sends the user to refresh_url when a link was used or has expired.
        raise web.HTTPFound(link["refresh_url"])
    if request.method == "POST":
        data = await request.post()
        api.STORE.put("link", token, {**link, "used": True})
        if data.get("action") == "complete":
            api.account_complete_onboarding(link["account"])
        raise web.HTTPSeeOther(link["return_url"])
    account = api.STORE.get("account", link["account"]) or {}
    due = "".join(
        f"<li>{html.escape(item)}</li>"
        for item in account.get("requirements", {}).get("currently_due", [])
    )
    body = f"""
<p>Account <code>{html.escape(link["account"])}</code> asks for these details:</p>
<ul>{due or "<li>Nothing: the account is complete.</li>"}</ul>
<form method="post">
  <button class="primary" type="submit" name="action" value="complete">Complete onboarding</button>
  <button type="submit" name="action" value="later">Leave for later</button>
</form>"""
    return _page("Set up payouts", body)


def _dashboard(store: ConnectStore, link: dict[str, Any], expired: bool) -> web.Response:
    if expired:
        return _page("Link expired", "<p>This login link has expired. Open it again.</p>", 410)
    account_id = link["account"]
    balance = store.balance(account_id)["available"]
    rows = "".join(
        f"<tr><td>{html.escape(t['id'])}</td><td>{t['amount'] - t['amount_reversed']}</td>"
        f"<td>{html.escape(t['currency'].upper())}</td></tr>"
        for t in store.newest_first("transfer")
        if t["destination"] == account_id
    )
    money = ", ".join(f"{v} {c.upper()}" for c, v in balance.items()) or "0"
    body = f"""
<p>Balance (minor units): {html.escape(money)}</p>
<table><caption>Transfers received</caption>
<thead><tr><th scope="col">Transfer</th><th scope="col">Net amount</th>
<th scope="col">Currency</th></tr></thead><tbody>{rows}</tbody></table>"""
    return _page("Express dashboard", body)
