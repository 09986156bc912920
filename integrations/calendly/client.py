"""A small client for the parts of Calendly's API v2 we use (developer.calendly.com/api-docs).

Base URL from settings.CALENDLY_API_BASE (Calendly's by default; `make run` and the tests point
it at integrations/calendly_standin/), a personal access token as bearer token. Calendly's
errors (`{"title", "message", "details"}` with 401/403/404/422/429) become CalendlyError with a
message a coach can act on; a 429 carries Retry-After.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import requests
from django.conf import settings

from integrations.errors import CalendlyError

logger = logging.getLogger(__name__)

INVITEE_EVENTS = [
    "invitee.created",
    "invitee.canceled",
    "invitee_no_show.created",
    "invitee_no_show.deleted",
]
ROUTING_FORM_EVENT = "routing_form_submission.created"

_MESSAGES = {
    401: "Calendly did not accept this token. Create a new personal access token in Calendly "
    "(Integrations → API and webhooks) and paste it again.",
    403: "Calendly refused this for your account or plan (webhooks need a paid Calendly plan).",
    404: "Calendly does not know this resource (it may have been deleted).",
    400: "Calendly rejected the request",
    422: "Calendly rejected the request",
    429: "Calendly is rate-limiting us. Please try again in a minute.",
}


class CalendlyClient:
    def __init__(self, token: str, *, base_url: str | None = None, timeout: float | None = None):
        self.base_url = (base_url or settings.CALENDLY_API_BASE).rstrip("/")
        self.timeout = timeout if timeout is not None else settings.CALENDLY_TIMEOUT_SECONDS
        self.session = requests.Session()
        self.session.headers.update(
            {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        )

    # --- resources ----------------------------------------------------------------------------
    def get_current_user(self) -> dict:
        """GET /users/me → the user resource (`uri`, `name`, `email`, `current_organization`)."""
        return self._request("GET", "/users/me")["resource"]

    def create_webhook_subscription(
        self,
        *,
        url: str,
        events: list[str],
        organization: str,
        scope: str,
        user: str | None = None,
        signing_key: str | None = None,
    ) -> dict:
        body: dict[str, object] = {
            "url": url,
            "events": events,
            "organization": organization,
            "scope": scope,
        }
        if scope == "user":
            body["user"] = user
        if signing_key:
            body["signing_key"] = signing_key
        return self._request("POST", "/webhook_subscriptions", json=body)["resource"]

    def get_webhook_subscription(self, uri: str) -> dict:
        return self._request("GET", uri)["resource"]

    def delete_webhook_subscription(self, uri: str) -> None:
        self._request("DELETE", uri)

    def list_webhook_subscriptions(
        self, *, organization: str, scope: str, user: str | None = None, count: int = 100
    ) -> Iterator[dict]:
        """Every subscription, following `pagination.next_page` until it is null."""
        first: dict[str, object] = {"organization": organization, "scope": scope, "count": count}
        if user:
            first["user"] = user
        params: dict | None = first
        url = "/webhook_subscriptions"
        while url:
            page = self._request("GET", url, params=params)
            yield from page.get("collection", [])
            url = (page.get("pagination") or {}).get("next_page") or ""
            params = None  # next_page is a full URL with the query (and page token) in it

    # --- transport ----------------------------------------------------------------------------
    def _url(self, path_or_uri: str) -> str:
        """Resource URIs are absolute (https://api.calendly.com/...): keep only their path, so
        the configured base (the stand-in locally) answers for them too."""
        if path_or_uri.startswith(("http://", "https://")):
            path = "/" + path_or_uri.split("://", 1)[1].split("/", 1)[-1]
            return self.base_url + path
        return self.base_url + path_or_uri

    def _request(self, method: str, path: str, **kwargs) -> dict:
        try:
            response = self.session.request(method, self._url(path), timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            logger.warning("Calendly %s %s failed: %s", method, path, exc)
            raise CalendlyError(
                "Calendly could not be reached. Please try again in a few minutes.",
                code="calendly_unreachable",
            ) from exc
        if response.status_code >= 400:
            raise _error(response)
        if response.status_code == 204 or not response.content:
            return {}
        try:
            return response.json()
        except ValueError as exc:
            raise CalendlyError(
                "Calendly sent an answer we could not read.", http_status=response.status_code
            ) from exc


def _error(response: requests.Response) -> CalendlyError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    status = response.status_code
    title = str(body.get("title") or "")
    calendly_message = str(body.get("message") or "")
    raw_details = body.get("details")
    details = raw_details if isinstance(raw_details, list) else []
    retry_after = None
    if status == 429:
        try:
            retry_after = int(response.headers.get("Retry-After", ""))
        except ValueError:
            retry_after = None
    message = _MESSAGES.get(status) or "Calendly could not do this right now. Please try again."
    if status in (400, 422):
        reasons = "; ".join(
            f"{d.get('parameter', '')}: {d.get('message', '')}".strip(": ")
            for d in details
            if isinstance(d, dict)
        )
        message = f"{message}: {reasons or calendly_message or title}."
    elif status == 429 and retry_after:
        message = f"Calendly is rate-limiting us. Please try again in {retry_after} seconds."
    logger.info("Calendly answered %s: %s %s", status, title, calendly_message)
    return CalendlyError(
        message,
        http_status=status,
        title=title,
        details=details,
        retry_after=retry_after,
        code={
            401: "calendly_unauthenticated",
            403: "calendly_forbidden",
            404: "calendly_not_found",
        }.get(status, "calendly_error"),
    )
