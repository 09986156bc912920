"""The Calendly stand-in's HTTP server (stdlib only; see the package docstring)."""

from __future__ import annotations

import argparse
import json
import logging
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import cast
from urllib.parse import parse_qs, urlsplit

from integrations.calendly_standin.api import (
    api_create_subscription,
    api_delete_subscription,
    api_get_subscription,
    api_list_subscriptions,
    api_users_me,
)
from integrations.calendly_standin.page import page
from integrations.calendly_standin.simulate import (
    sim_cancel,
    sim_create,
    sim_disable,
    sim_no_show,
    sim_rate_limit,
    sim_reschedule,
    sim_routing_form,
)
from integrations.calendly_standin.store import (
    DEMO_MEMBER_TOKEN,
    DEMO_TOKEN,
    ApiError,
    Store,
)

__all__ = ["DEMO_TOKEN", "DEMO_MEMBER_TOKEN", "make_server", "main"]

logger = logging.getLogger("calendly_standin")

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
        ", ".join(
            cast(type[Handler], server.RequestHandlerClass).store.tokens
        ),  # make_server built it
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
