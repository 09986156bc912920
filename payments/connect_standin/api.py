"""Routes of the Connect stand-in (see the package docstring) and `install()` for the launcher.

Test controls (no API key, like localstripe's own `/_config/`):
- `POST /_config/connect/webhook` `{"url", "secret"}`: where Connect events are posted;
- `POST /_config/connect/faults` `{"transfer_delay": s, "transfer_errors": n}`: answer the next
  transfer creations late (after creating them: a client timeout) or with a 500 (before);
- `POST /_config/connect/accounts/<id>/payout`: the account's balance goes to its bank (0);
- `POST /_config/connect/idempotency/expire`: forget every idempotency key (Stripe prunes
  keys after 24 hours);
- `GET /_config/connect/events?type=...`: the Connect events generated, newest first (also
  the platform's `charge.dispute.*` events of disputes.py);
- `POST /_config/disputes/<id>/close` `{"status": "won"|"lost"}`: the bank decides (disputes.py).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler as AiohttpHandler

from payments.connect_standin import events, onboarding
from payments.connect_standin.errors import StripeError, invalid, missing, respond
from payments.connect_standin.store import ConnectStore, new_id

STORE = ConnectStore()
FAULTS = {"transfer_delay": 0.0, "transfer_errors": 0}
LINK_TTL_SECONDS = 300
# What a route handler returns: the body and the HTTP status; `endpoint` wraps it in a response.
Handled = tuple[dict[str, Any], int]
Handler = Callable[..., Awaitable[Handled]]
Endpoint = Callable[[web.Request], Awaitable[web.Response]]
REQUIREMENTS_DUE = [
    "business_profile.url",
    "external_account",
    "individual.dob.day",
    "individual.first_name",
    "individual.last_name",
    "tos_acceptance.date",
]


async def _params(request: web.Request) -> dict[str, Any]:
    from localstripe.server import get_post_data, unflatten_data

    if request.method == "POST":
        data = await get_post_data(request) or {}
    else:
        data = unflatten_data(request.query) or {}
    data.pop("expand", None)
    return dict(data)


def _int(value: Any, param: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise invalid(f"Invalid integer: {value}", param=param) from None
    return number


def _fingerprint(request: web.Request, params: dict[str, Any]) -> str:
    canonical = json.dumps([request.method, request.path, params], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def endpoint(handler: Handler) -> Endpoint:
    """Stripe's error shape and idempotency for a Connect route."""

    async def wrapped(request: web.Request) -> web.Response:
        try:
            params = await _params(request)
            key = request.headers.get("Idempotency-Key")
            if request.method != "POST" or not key:
                body, status = await handler(request, params)
                return respond(body, status)
            fingerprint = _fingerprint(request, params)
            saved = STORE.get("idempotency", key)
            if saved is not None:
                if saved["fingerprint"] != fingerprint:
                    raise StripeError(
                        400,
                        "Keys for idempotent requests can only be used with the same parameters "
                        f"they were first used with. Try using a key other than '{key}' if you "
                        "meant to execute a different request.",
                        type="idempotency_error",
                    )
                return respond(
                    saved["body"], saved["status"], headers={"Idempotent-Replayed": "true"}
                )
            body, status = await handler(request, params, idempotency=(key, fingerprint))
            return respond(body, status, headers={"Idempotency-Key": key})
        except StripeError as exc:
            return exc.response()

    return wrapped


def _remember(idempotency: tuple[str, str] | None, body: dict[str, Any], status: int = 200) -> None:
    if idempotency:
        key, fingerprint = idempotency
        STORE.put(
            "idempotency",
            key,
            {"fingerprint": fingerprint, "body": body, "status": status, "at": int(time.time())},
        )


def _page(items: list[dict[str, Any]], params: dict[str, Any], url: str) -> dict[str, Any]:
    """Stripe list pagination: newest first, `limit` 1..100 (10), `starting_after`,
    `ending_before`."""
    limit = _int(params.get("limit", 10), "limit")
    if not 1 <= limit <= 100:
        raise invalid("Invalid limit: must be between 1 and 100", param="limit")
    ids = [item["id"] for item in items]
    if params.get("starting_after"):
        cursor = params["starting_after"]
        if cursor not in ids:
            raise missing("object", cursor, "starting_after")
        items = items[ids.index(cursor) + 1 :]
        page = items[:limit]
        has_more = len(items) > limit
    elif params.get("ending_before"):
        cursor = params["ending_before"]
        if cursor not in ids:
            raise missing("object", cursor, "ending_before")
        items = items[: ids.index(cursor)]
        page = items[-limit:]
        has_more = len(items) > limit
    else:
        page = items[:limit]
        has_more = len(items) > limit
    return {"object": "list", "data": page, "has_more": has_more, "url": url}


# --- accounts ---------------------------------------------------------------------------------


def account_or_404(account_id: str, param: str = "account") -> dict[str, Any]:
    account = STORE.get("account", account_id)
    if account is None:
        raise missing("account", account_id, param)
    return account


def _requirements(due: list[str]) -> dict[str, Any]:
    return {
        "alternatives": [],
        "current_deadline": None,
        "currently_due": list(due),
        "disabled_reason": "requirements.past_due" if due else None,
        "errors": [],
        "eventually_due": list(due),
        "past_due": list(due),
        "pending_verification": [],
    }


async def accounts_create(
    request: web.Request, params: dict[str, Any], idempotency: tuple[str, str] | None = None
) -> Handled:
    controller = params.get("controller") or {}
    dashboard = (controller.get("stripe_dashboard") or {}).get("type")
    account_type = params.get("type")
    if account_type and controller:
        raise invalid("You cannot specify both `type` and `controller`.", param="type")
    if not account_type and not controller:
        raise invalid("You must specify either `type` or `controller`.", param="controller")
    requested = params.get("capabilities") or {}
    if str((requested.get("transfers") or {}).get("requested")).lower() != "true":
        raise invalid(
            "Express accounts need the `transfers` capability requested.",
            param="capabilities[transfers][requested]",
        )
    account_id = new_id("acct_1", 15)
    account = {
        "id": account_id,
        "object": "account",
        "business_type": params.get("business_type"),
        "capabilities": {"transfers": "inactive"},
        "charges_enabled": False,
        "controller": {
            "fees": {"payer": (controller.get("fees") or {}).get("payer", "application")},
            "is_controller": True,
            "losses": {"payments": (controller.get("losses") or {}).get("payments", "application")},
            "requirement_collection": "stripe",
            "stripe_dashboard": {"type": dashboard or account_type or "express"},
            "type": "application",
        },
        "country": params.get("country") or "CH",
        "created": int(time.time()),
        "default_currency": (params.get("default_currency") or "chf").lower(),
        "details_submitted": False,
        "email": params.get("email"),
        "livemode": False,
        "metadata": params.get("metadata") or {},
        "payouts_enabled": False,
        "requirements": _requirements(REQUIREMENTS_DUE),
        "type": account_type or dashboard or "express",
    }
    STORE.put("account", account_id, account)
    _remember(idempotency, account)
    return account, 200


async def accounts_retrieve(request: web.Request, params: dict[str, Any]) -> Handled:
    return account_or_404(request.match_info["id"], "account"), 200


async def accounts_update(
    request: web.Request, params: dict[str, Any], idempotency: tuple[str, str] | None = None
) -> Handled:
    account = dict(account_or_404(request.match_info["id"]))
    for key in ("email", "business_type"):
        if key in params:
            account[key] = params[key]
    if "metadata" in params:
        account["metadata"] = {**account["metadata"], **(params["metadata"] or {})}
    STORE.put("account", account["id"], account)
    _remember(idempotency, account)
    return account, 200


async def accounts_list(request: web.Request, params: dict[str, Any]) -> Handled:
    return _page(STORE.newest_first("account"), params, "/v1/accounts"), 200


def account_complete_onboarding(account_id: str) -> dict[str, Any]:
    account = dict(account_or_404(account_id))
    previous = {
        "details_submitted": account["details_submitted"],
        "payouts_enabled": account["payouts_enabled"],
        "capabilities": dict(account["capabilities"]),
    }
    account.update(
        details_submitted=True,
        payouts_enabled=True,
        charges_enabled=True,
        capabilities={"transfers": "active"},
        requirements=_requirements([]),
    )
    STORE.put("account", account_id, account)
    events.emit(STORE, "account.updated", account, account=account_id, previous=previous)
    return account


async def account_links_create(
    request: web.Request, params: dict[str, Any], idempotency: tuple[str, str] | None = None
) -> Handled:
    account = account_or_404(str(params.get("account") or ""), "account")
    if params.get("type") not in ("account_onboarding", "account_update"):
        raise invalid("Invalid type: must be account_onboarding or account_update", "type")
    for name in ("refresh_url", "return_url"):
        if not str(params.get(name) or "").startswith(("http://", "https://")):
            raise invalid(f"Not a valid URL: {name}", param=name)
    token = new_id("", 24)
    now = int(time.time())
    STORE.put(
        "link",
        token,
        {
            "account": account["id"],
            "kind": "onboarding",
            "refresh_url": params["refresh_url"],
            "return_url": params["return_url"],
            "expires_at": now + LINK_TTL_SECONDS,
            "used": False,
        },
    )
    link = {
        "object": "account_link",
        "created": now,
        "expires_at": now + LINK_TTL_SECONDS,
        "url": f"{_base(request)}/connect/onboarding/{token}",
    }
    _remember(idempotency, link)
    return link, 200


async def login_links_create(
    request: web.Request, params: dict[str, Any], idempotency: tuple[str, str] | None = None
) -> Handled:
    account = account_or_404(request.match_info["id"], "account")
    if account["controller"]["stripe_dashboard"]["type"] != "express":
        raise invalid("Login links are only for accounts with the Express Dashboard.", "account")
    token = new_id("", 24)
    now = int(time.time())
    STORE.put(
        "link",
        token,
        {"account": account["id"], "kind": "dashboard", "expires_at": now + LINK_TTL_SECONDS},
    )
    link = {
        "object": "login_link",
        "created": now,
        "url": f"{_base(request)}/connect/express/{token}",
    }
    _remember(idempotency, link)
    return link, 200


def _base(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


async def config_balance(request: web.Request) -> web.Response:
    """The connected account's balance in Stripe's shape (real Stripe: `GET /v1/balance`
    with `Stripe-Account`, which localstripe already routes for the platform)."""
    account_id = request.match_info["id"]
    if STORE.get("account", account_id) is None:
        return respond({"error": {"message": "no such account"}}, 404)
    available = STORE.balance(account_id)["available"]
    return respond(
        {
            "object": "balance",
            "available": [{"amount": v, "currency": c} for c, v in sorted(available.items())],
            "livemode": False,
            "pending": [],
        }
    )


# --- test controls ----------------------------------------------------------------------------


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except ValueError:
        data = dict(await request.post())
    return data if isinstance(data, dict) else {}


async def config_webhook(request: web.Request) -> web.Response:
    data = await _json(request)
    if not str(data.get("url", "")).startswith("http") or not data.get("secret"):
        return respond({"error": {"message": "url and secret required"}}, 400)
    events.configure(url=data["url"], secret=data["secret"])
    return respond({"ok": True})


async def config_faults(request: web.Request) -> web.Response:
    data = await _json(request)
    FAULTS["transfer_delay"] = float(data.get("transfer_delay", 0) or 0)
    FAULTS["transfer_errors"] = int(data.get("transfer_errors", 0) or 0)
    return respond(dict(FAULTS))


async def config_payout(request: web.Request) -> web.Response:
    account_id = request.match_info["id"]
    if STORE.get("account", account_id) is None:
        return respond({"error": {"message": "no such account"}}, 404)
    STORE.put("balance", account_id, {"available": {}, "updated": int(time.time())})
    return respond({"ok": True})


async def config_expire_keys(request: web.Request) -> web.Response:
    for key in list(STORE.data["idempotency"]):
        STORE.put("idempotency", key, {"fingerprint": "", "expired": True, "body": {}, "status": 0})
        STORE.data["idempotency"].pop(key)
    return respond({"ok": True})


async def config_events(request: web.Request) -> web.Response:
    items = STORE.newest_first("event")
    if request.query.get("type"):
        items = [e for e in items if e["type"] == request.query["type"]]
    return respond({"object": "list", "data": items, "has_more": False})


# --- mounting ---------------------------------------------------------------------------------


@web.middleware
async def _connect_pages_and_flush(
    request: web.Request, handler: AiohttpHandler
) -> web.StreamResponse:
    """Before localstripe's auth: the onboarding/dashboard pages need no API key, and
    localstripe's `DELETE /_config/data` empties the Connect store too."""
    if request.path.startswith("/connect/"):
        return await onboarding.handle(request)
    if request.method == "DELETE" and request.path == "/_config/data":
        STORE.clear()
        FAULTS.update(transfer_delay=0.0, transfer_errors=0)
    return await handler(request)


def _patch_transfer_group_on_payment_intents() -> None:
    """Stock localstripe rejects `transfer_group` on PaymentIntents; accept and echo it."""
    from localstripe.resources import PaymentIntent

    if getattr(PaymentIntent, "_accepts_transfer_group", False):
        return
    original_init = PaymentIntent.__init__
    original_charge = PaymentIntent._create_charge

    def __init__(self: Any, *args: Any, transfer_group: str | None = None, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.transfer_group = transfer_group

    def _create_charge(self: Any, on_failure_now: Any) -> None:
        original_charge(self, on_failure_now)
        if self.latest_charge is not None:
            self.latest_charge.transfer_group = getattr(self, "transfer_group", None)

    PaymentIntent.__init__ = __init__
    PaymentIntent._create_charge = _create_charge
    PaymentIntent._accepts_transfer_group = True


def install(
    app: web.Application,
    *,
    store_path: Path | None,
    webhook_url: str = "",
    webhook_secret: str = "",
) -> None:
    """Mount the Connect routes on localstripe's aiohttp app (before it starts)."""
    STORE.path = store_path
    STORE.load()
    events.configure(url=webhook_url, secret=webhook_secret)
    _patch_transfer_group_on_payment_intents()
    app.middlewares.insert(0, _connect_pages_and_flush)
    from payments.connect_standin import transfers

    routes = [
        ("POST", "/v1/accounts", accounts_create),
        ("GET", "/v1/accounts", accounts_list),
        ("GET", "/v1/accounts/{id}", accounts_retrieve),
        ("POST", "/v1/accounts/{id}", accounts_update),
        ("POST", "/v1/accounts/{id}/login_links", login_links_create),
        ("POST", "/v1/account_links", account_links_create),
        ("POST", "/v1/transfers", transfers.transfers_create),
        ("GET", "/v1/transfers", transfers.transfers_list),
        ("GET", "/v1/transfers/{id}", transfers.transfers_retrieve),
        ("POST", "/v1/transfers/{id}/reversals", transfers.reversals_create),
        ("GET", "/v1/transfers/{id}/reversals", transfers.reversals_list),
    ]
    for method, path, handler in routes:
        app.router.add_route(method, path, endpoint(handler))
    from payments.connect_standin import disputes

    disputes.install_routes(app, endpoint)
    app.router.add_post("/_config/connect/webhook", config_webhook)
    app.router.add_post("/_config/connect/faults", config_faults)
    app.router.add_post("/_config/connect/accounts/{id}/payout", config_payout)
    app.router.add_post("/_config/connect/idempotency/expire", config_expire_keys)
    app.router.add_get("/_config/connect/events", config_events)
    app.router.add_get("/_config/connect/accounts/{id}/balance", config_balance)
