"""Run localstripe (the Stripe API emulator) the way this project needs it.

The stock `localstripe` command listens on every interface and pickles its store into the
system temp folder. This launcher binds 127.0.0.1 only, keeps the store under var/, registers
our webhook endpoint with the configured signing secret, and writes var/localstripe.json so
the app can check at start that it signs with the secret we verify (payments/checks.py).
It also mounts our Stripe Connect stand-in (payments/connect_standin/, a test double: accounts,
account links, transfers, reversals) whose events go to a second, Connect endpoint signed with
its own secret.

    python -m payments.localstripe --port 8420 \
        --webhook-url http://127.0.0.1:8000/payments/stripe/webhook/ \
        --connect-webhook-url http://127.0.0.1:8000/payments/stripe/connect-webhook/
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import pickle
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiohttp import web
    from aiohttp.typedefs import Handler


STATE_FILE_NAME = "localstripe.json"


def _point_store_at(path: Path) -> None:
    """Redirect localstripe's pickle file from /tmp to `path` (methods replaced on the class)."""
    from localstripe import resources

    def try_load_from_disk(self: Any) -> None:
        try:
            with open(path, "rb") as f:
                old = pickle.load(f)
        except (FileNotFoundError, EOFError, pickle.UnpicklingError):
            return
        self.clear()
        self.update(old)

    def dump_to_disk(self: Any) -> None:
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as f:
            pickle.dump(self, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)

    resources.Store.try_load_from_disk = try_load_from_disk
    resources.Store.dump_to_disk = dump_to_disk


def _patch_retry_after_decline() -> None:
    """Real Stripe lets a PaymentIntent whose charge was declined be retried with another
    card (update the payment method, confirm again). localstripe keeps the failed charge and
    then refuses the confirm; forget the failed charge when a new payment method arrives."""
    from localstripe.resources import PaymentIntent

    original_update = PaymentIntent._api_update.__func__

    # `cls` positional-only, as classmethod() wants (localstripe passes it bound, never by name).
    def _api_update(cls: Any, /, id: str, **data: Any) -> Any:
        if "payment_method" in data:
            intent = cls._api_retrieve(id)
            charge = intent.latest_charge
            if charge is not None and getattr(charge, "status", None) == "failed":
                intent.latest_charge = None
        return original_update(cls, id, **data)

    PaymentIntent._api_update = classmethod(_api_update)


def _scope_stripe_js(app: web.Application) -> None:
    """Serve localstripe's Stripe.js stand-in inside a function scope.

    The stand-in declares a top-level `class Element`, which in a classic script shadows the
    browser's global `Element` for every script on the page; htmx's `elt instanceof Element`
    checks then fail and htmx stops processing attributes and out-of-band swaps on any page
    that loaded the payment step. Wrapped, only `window.Stripe` (which it assigns) leaks out.
    """
    from aiohttp import web
    from localstripe import server

    source = (Path(server.__file__).resolve().parent / "localstripe-v3.js").read_text()
    wrapped = f"(function () {{\n{source}\n}})();\n"

    @web.middleware
    async def scoped_stripe_js(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path == "/js.stripe.com/v3/":
            return web.Response(text=wrapped, content_type="application/javascript")
        return await handler(request)

    app.middlewares.append(scoped_stripe_js)


def write_state(
    var_dir: Path,
    *,
    port: int,
    webhook_url: str,
    webhook_secret: str,
    connect_webhook_url: str = "",
    connect_webhook_secret: str = "",
) -> Path:
    state = var_dir / STATE_FILE_NAME
    state.write_text(
        json.dumps(
            {
                "api_base": f"http://127.0.0.1:{port}",
                "webhook_url": webhook_url,
                "webhook_secret": webhook_secret,
                "connect_webhook_url": connect_webhook_url,
                "connect_webhook_secret": connect_webhook_secret,
                "pid": os.getpid(),
            },
            indent=2,
        )
    )
    return state


def serve(
    *,
    port: int,
    var_dir: Path,
    webhook_url: str,
    webhook_secret: str,
    from_scratch: bool,
    connect_webhook_url: str = "",
    connect_webhook_secret: str = "",
) -> None:
    from aiohttp import web
    from localstripe.server import app
    from localstripe.webhooks import register_webhook

    var_dir.mkdir(parents=True, exist_ok=True)
    _point_store_at(var_dir / "localstripe.pickle")
    _patch_retry_after_decline()
    _scope_stripe_js(app)
    from localstripe.resources import store

    from payments import connect_standin

    connect_store = var_dir / "connect.jsonl"
    if from_scratch:
        connect_store.unlink(missing_ok=True)
    else:
        store.try_load_from_disk()
    connect_standin.install(
        app,
        store_path=connect_store,
        webhook_url=connect_webhook_url,
        webhook_secret=connect_webhook_secret,
    )
    if webhook_url:
        register_webhook("coaching", webhook_url, webhook_secret, None)
    write_state(
        var_dir,
        port=port,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        connect_webhook_url=connect_webhook_url,
        connect_webhook_secret=connect_webhook_secret,
    )

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    logging.basicConfig(level=logging.INFO, format="localstripe %(levelname)s %(message)s")
    print(f"localstripe listening on http://127.0.0.1:{port} (store: {var_dir})", flush=True)
    web.run_app(app, sock=sock, print=None, access_log=logging.getLogger("localstripe.access"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("LOCALSTRIPE_PORT", 8420)))
    parser.add_argument("--var-dir", type=Path, default=Path(os.environ.get("VAR_DIR", "var")))
    parser.add_argument("--webhook-url", default="", help="Where localstripe posts signed events.")
    parser.add_argument(
        "--webhook-secret",
        default=os.environ.get("STRIPE_WEBHOOK_SECRET", "whsec_localstripe_coaching_platform"),
    )
    parser.add_argument(
        "--connect-webhook-url", default="", help="Where the Connect stand-in posts its events."
    )
    parser.add_argument(
        "--connect-webhook-secret",
        default=os.environ.get(
            "STRIPE_CONNECT_WEBHOOK_SECRET", "whsec_localstripe_coaching_connect"
        ),
    )
    parser.add_argument("--from-scratch", action="store_true", help="Start with an empty store.")
    args = parser.parse_args(argv)
    serve(
        port=args.port,
        var_dir=args.var_dir.resolve(),
        webhook_url=args.webhook_url,
        webhook_secret=args.webhook_secret,
        from_scratch=args.from_scratch,
        connect_webhook_url=args.connect_webhook_url,
        connect_webhook_secret=args.connect_webhook_secret,
    )


if __name__ == "__main__":
    main()
