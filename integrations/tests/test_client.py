"""The Calendly client against recorded Calendly responses.

Calendly's API is outside our process and cannot be reached here: the recorded responses in
fixtures/calendly/ are shaped exactly as Calendly's API reference documents them, and are
served to the client through a `requests` transport adapter (the HTTP layer only, none of our
code is replaced). The last tests run the same client against our stand-in over real HTTP and
check that the stand-in answers in the recorded shapes.
"""

from __future__ import annotations

import json

import pytest
import requests

from integrations.calendly.client import INVITEE_EVENTS, CalendlyClient
from integrations.errors import CalendlyError
from integrations.tests.conftest import recorded

BASE = "https://api.calendly.com"
ORG = "https://api.calendly.com/organizations/AAAAAAAAAAAAAAAA"
USER = "https://api.calendly.com/users/AAAAAAAAAAAAAAAA"


class Recorded(requests.adapters.BaseAdapter):
    """Answers each (method, path) with a recorded response; remembers the requests."""

    def __init__(self, routes: dict):
        super().__init__()
        self.routes = routes
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request, **kwargs):
        self.sent.append(request)
        path = request.path_url
        key = (request.method, path) if (request.method, path) in self.routes else None
        key = key or (request.method, path.split("?")[0])
        status, body, headers = self.routes[key]
        response = requests.Response()
        response.status_code = status
        response._content = b"" if body is None else json.dumps(body).encode()
        response.headers.update({"Content-Type": "application/json", **(headers or {})})
        response.url = request.url
        response.request = request
        return response

    def close(self):
        pass


def client_with(routes: dict) -> tuple[CalendlyClient, Recorded]:
    client = CalendlyClient("pat-recorded", base_url=BASE)
    adapter = Recorded(routes)
    client.session.mount("https://", adapter)
    return client, adapter


def test_current_user_gives_uri_and_organization_and_sends_the_bearer_token():
    client, adapter = client_with({("GET", "/users/me"): (200, recorded("users_me"), None)})

    me = client.get_current_user()

    assert me["uri"] == USER
    assert me["current_organization"] == ORG
    assert adapter.sent[0].headers["Authorization"] == "Bearer pat-recorded"


def test_create_subscription_posts_calendlys_fields_and_returns_the_resource():
    client, adapter = client_with(
        {("POST", "/webhook_subscriptions"): (201, recorded("webhook_subscription"), None)}
    )

    subscription = client.create_webhook_subscription(
        url="https://coach.example/hook/",
        events=INVITEE_EVENTS,
        organization=ORG,
        user=USER,
        scope="user",
        signing_key="our-key",
    )

    assert subscription["uri"].startswith(f"{BASE}/webhook_subscriptions/")
    assert subscription["state"] == "active"
    assert json.loads(adapter.sent[0].body) == {
        "url": "https://coach.example/hook/",
        "events": INVITEE_EVENTS,
        "organization": ORG,
        "scope": "user",
        "user": USER,
        "signing_key": "our-key",
    }


def test_list_follows_next_page_until_it_is_null():
    page_1, page_2 = (
        recorded("webhook_subscriptions_page_1"),
        recorded("webhook_subscriptions_page_2"),
    )
    next_path = page_1["pagination"]["next_page"][len(BASE) :]
    client, adapter = client_with(
        {
            ("GET", next_path): (200, page_2, None),
            ("GET", "/webhook_subscriptions"): (200, page_1, None),
        }
    )

    uris = [s["uri"] for s in client.list_webhook_subscriptions(organization=ORG, scope="user")]

    assert uris == [
        "https://api.calendly.com/webhook_subscriptions/AAAAAAAAAAAAAAAA",
        "https://api.calendly.com/webhook_subscriptions/BBBBBBBBBBBBBBBB",
    ]
    assert len(adapter.sent) == 2
    assert "page_token=sNjq4TvMDfUHEl7zHRR0k0E1PCEJWvdi" in adapter.sent[1].url


def test_get_and_delete_use_the_resource_uri_on_the_configured_base():
    uri = "https://api.calendly.com/webhook_subscriptions/AAAAAAAAAAAAAAAA"
    client, adapter = client_with(
        {
            ("GET", "/webhook_subscriptions/AAAAAAAAAAAAAAAA"): (
                200,
                recorded("webhook_subscription_disabled"),
                None,
            ),
            ("DELETE", "/webhook_subscriptions/AAAAAAAAAAAAAAAA"): (204, None, None),
        }
    )

    assert client.get_webhook_subscription(uri)["state"] == "disabled"
    client.delete_webhook_subscription(uri)

    assert [r.method for r in adapter.sent] == ["GET", "DELETE"]


@pytest.mark.parametrize(
    ("status", "fixture", "code", "words"),
    [
        (401, "error_401", "calendly_unauthenticated", "did not accept this token"),
        (403, "error_403", "calendly_forbidden", "refused"),
        (404, "error_404", "calendly_not_found", "does not know"),
        (400, "error_400", "calendly_error", "url: must be a valid URL"),
        (422, "error_422", "calendly_error", "requires organization scope"),
    ],
)
def test_calendly_errors_become_calendly_error_with_an_actionable_message(
    status, fixture, code, words
):
    client, _ = client_with({("GET", "/users/me"): (status, recorded(fixture), None)})

    with pytest.raises(CalendlyError) as caught:
        client.get_current_user()

    assert caught.value.http_status == status
    assert caught.value.code == code
    assert words in caught.value.message
    assert caught.value.title == recorded(fixture)["title"]


def test_rate_limit_carries_retry_after():
    client, _ = client_with(
        {("GET", "/users/me"): (429, recorded("error_429"), {"Retry-After": "42"})}
    )

    with pytest.raises(CalendlyError) as caught:
        client.get_current_user()

    assert caught.value.retry_after == 42
    assert "42 seconds" in caught.value.message


def test_unreachable_calendly_is_a_calendly_error():
    client = CalendlyClient("pat", base_url="http://127.0.0.1:9", timeout=2)

    with pytest.raises(CalendlyError) as caught:
        client.get_current_user()

    assert caught.value.code == "calendly_unreachable"


# --- the stand-in answers in the same shapes ------------------------------------------------
def _keys(value) -> set:
    return set(value) if isinstance(value, dict) else set()


def test_stand_in_user_and_subscription_have_the_recorded_fields(calendly_standin):
    client = CalendlyClient(calendly_standin["token"])
    me = client.get_current_user()
    subscription = client.create_webhook_subscription(
        url="http://127.0.0.1:1/hook/",
        events=INVITEE_EVENTS,
        organization=me["current_organization"],
        user=me["uri"],
        scope="user",
        signing_key="k",
    )
    fetched = client.get_webhook_subscription(subscription["uri"])

    assert _keys(me) == _keys(recorded("users_me")["resource"])
    assert _keys(subscription) == _keys(recorded("webhook_subscription")["resource"])
    assert fetched == subscription


def test_stand_in_paginates_like_calendly(calendly_standin):
    client = CalendlyClient(calendly_standin["token"])
    me = client.get_current_user()
    for n in range(3):
        client.create_webhook_subscription(
            url=f"http://127.0.0.1:1/hook/{n}/",
            events=INVITEE_EVENTS,
            organization=me["current_organization"],
            user=me["uri"],
            scope="user",
        )
    first_page = requests.get(
        f"{calendly_standin['base']}/webhook_subscriptions",
        params={"organization": me["current_organization"], "scope": "user", "count": 2},
        headers={"Authorization": f"Bearer {calendly_standin['token']}"},
        timeout=5,
    ).json()

    listed = list(
        client.list_webhook_subscriptions(
            organization=me["current_organization"], scope="user", count=2
        )
    )

    assert _keys(first_page) == {"collection", "pagination"}
    assert _keys(first_page["pagination"]) == _keys(
        recorded("webhook_subscriptions_page_1")["pagination"]
    )
    assert first_page["pagination"]["next_page"].startswith(
        "https://api.calendly.com/webhook_subscriptions?"
    )
    assert len(listed) == 3


def test_stand_in_refuses_a_bad_token_and_unknown_resources_like_calendly(calendly_standin):
    with pytest.raises(CalendlyError) as bad_token:
        CalendlyClient("not-a-token").get_current_user()
    with pytest.raises(CalendlyError) as missing:
        CalendlyClient(calendly_standin["token"]).delete_webhook_subscription(
            "https://api.calendly.com/webhook_subscriptions/NOPE"
        )

    assert bad_token.value.http_status == 401
    assert bad_token.value.title == recorded("error_401")["title"]
    assert missing.value.http_status == 404
    assert missing.value.title == recorded("error_404")["title"]


def test_stand_in_rate_limit_sends_retry_after(calendly_standin):
    requests.post(f"{calendly_standin['base']}/_standin/rate_limit", json={"count": 1}, timeout=5)

    with pytest.raises(CalendlyError) as caught:
        CalendlyClient(calendly_standin["token"]).get_current_user()

    assert caught.value.http_status == 429
    assert caught.value.retry_after == 30
