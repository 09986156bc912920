"""Errors in Stripe's shape: `{"error": {"type", "code", "message", "param", "doc_url"}}`."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web


def respond(
    body: dict[str, Any], status: int = 200, headers: dict[str, Any] | None = None
) -> web.Response:
    return web.json_response(
        body, status=status, headers=headers, dumps=lambda x: json.dumps(x, sort_keys=True)
    )


class StripeError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",  # noqa: A002 (Stripe's field name)
        code: str | None = None,
        param: str | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.body = {"error": {"type": type, "message": message}}
        if code:
            self.body["error"]["code"] = code
            self.body["error"]["doc_url"] = f"https://stripe.com/docs/error-codes/{code}"
        if param:
            self.body["error"]["param"] = param

    def response(self) -> web.Response:
        return respond(self.body, self.status)


def missing(kind: str, object_id: str, param: str = "id") -> StripeError:
    return StripeError(404, f"No such {kind}: '{object_id}'", code="resource_missing", param=param)


def invalid(message: str, param: str | None = None, code: str = "parameter_invalid") -> StripeError:
    return StripeError(400, message, code=code, param=param)
