"""Password reset (issue 15 #1): Django's reset machinery in our pages, the email through the
notification outbox; the same answer for unknown addresses and no email for them; the link
works once and expires; a locked-out account can reset, and the reset lifts the lockout."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory
from notifications.models import Notification, OutboundEmail
from notifications.types import NotificationType

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-42"


def _ask(client, committed, email):
    with committed():
        return client.post(reverse("accounts:password_reset"), {"email": email})


def _link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/reset/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def _set_password(client, link, password=NEW_PASSWORD):
    page = client.get(link, follow=True)  # Django swaps the token for a session marker
    assert page.status_code == 200
    return client.post(
        page.redirect_chain[-1][0] if page.redirect_chain else link,
        {"new_password1": password, "new_password2": password},
    )


def test_known_email_gets_one_reset_email_through_the_outbox(client, committed):
    user = UserFactory(email="ada@example.com")
    response = _ask(client, committed, "ADA@example.com")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]
    assert "Reset your password" in mail.outbox[0].subject
    row = OutboundEmail.objects.get(type=NotificationType.PASSWORD_RESET)
    assert row.recipient == user and row.status == OutboundEmail.Status.SENT
    # email only: a reset link never sits in the bell
    assert not Notification.objects.filter(type=NotificationType.PASSWORD_RESET).exists()


def test_unknown_email_same_answer_and_no_email(client, committed):
    UserFactory(email="ada@example.com")
    known = _ask(client, committed, "ada@example.com")
    mail.outbox.clear()
    unknown = _ask(client, committed, "nobody@example.com")
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]
    assert mail.outbox == []
    done_page = client.get(unknown["Location"]).content.decode()
    assert "If an account uses that address" in done_page


def test_inactive_account_gets_no_email(client, committed):
    UserFactory(email="gone@example.com", is_active=False)
    _ask(client, committed, "gone@example.com")
    assert mail.outbox == []


def test_the_link_sets_a_new_password_and_works_only_once(client, committed):
    user = UserFactory(email="ada@example.com")
    _ask(client, committed, "ada@example.com")
    link = _link(mail.outbox[0])
    with committed():
        response = _set_password(client, link)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert "Your password was changed" in mail.outbox[-1].subject
    # second use: a clear message, the password stays
    again = client.get(link, follow=True)
    assert "This link no longer works" in again.content.decode()
    assert "already been used or has expired" in again.content.decode()


def test_an_expired_link_shows_a_clear_message(client, committed, settings):
    UserFactory(email="ada@example.com")
    _ask(client, committed, "ada@example.com")
    link = _link(mail.outbox[0])
    settings.PASSWORD_RESET_TIMEOUT = -1  # every token is now older than the timeout
    page = client.get(link, follow=True).content.decode()
    assert "This link no longer works" in page


def test_a_forged_link_shows_a_clear_message(client):
    page = client.get("/accounts/reset/MQ/abc-def/", follow=True)
    assert page.status_code == 200
    assert "This link no longer works" in page.content.decode()


def test_a_locked_out_account_can_reset_and_the_reset_lifts_the_lockout(client, committed):
    UserFactory(email="ada@example.com")
    login_url = reverse("accounts:login")
    for i in range(settings.AXES_FAILURE_LIMIT):
        client.post(login_url, {"username": "ada@example.com", "password": f"wrong-{i}"})
    locked = client.post(login_url, {"username": "ada@example.com", "password": PASSWORD})
    assert locked.status_code == 429
    assert reverse("accounts:password_reset") in locked.content.decode()

    response = _ask(client, committed, "ada@example.com")
    assert response.status_code == 302 and len(mail.outbox) == 1
    with committed():
        assert _set_password(client, _link(mail.outbox[0])).status_code == 302

    # another address, so only the account's lockout could refuse it
    after = client.post(
        login_url,
        {"username": "ada@example.com", "password": NEW_PASSWORD},
        REMOTE_ADDR="203.0.113.9",
    )
    assert after.status_code == 302
    assert client.session.get("_auth_user_id")


def test_the_login_page_links_to_the_reset(client):
    assert (
        reverse("accounts:password_reset") in client.get(reverse("accounts:login")).content.decode()
    )
