"""Account settings (issue 15 #1): email verification on signup (a banner until verified,
nothing blocked, a resend link), changing the email (it takes effect once the new address is
confirmed), changing the password, and deleting the account (refused while future bookings
exist; financial records stay, the person is anonymised)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services import ANONYMOUS_NAME
from accounts.tests.factories import PASSWORD, CoachFactory, UserFactory
from accounts.verification import make_token
from bookings.tests.factories import BookingFactory
from notifications.models import Notification
from payments.models import Payment
from webinars.tests.factories import RegistrationFactory, WebinarFactory

pytestmark = pytest.mark.django_db


def _verify_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/verify/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def _signup(client, committed, email="new@example.com"):
    with committed():
        client.post(
            reverse("accounts:signup"),
            {
                "email": email,
                "first_name": "New",
                "last_name": "Person",
                "timezone": "Europe/Zurich",
                "password1": "a-long-and-unusual-passphrase-42",
                "password2": "a-long-and-unusual-passphrase-42",
            },
        )
    return User.objects.get(email=email)


# --- verification ---------------------------------------------------------------------------


def test_signup_sends_a_verification_link_and_shows_a_banner_until_followed(client, committed):
    user = _signup(client, committed)
    assert user.email_verified_at is None
    home = client.get(reverse("core:home")).content.decode()
    assert 'id="verify-banner"' in home and reverse("accounts:verify_email_resend") in home
    [verify] = [m for m in mail.outbox if "Confirm your email" in m.subject]
    assert verify.to == ["new@example.com"]

    page = client.get(_verify_link(verify))
    assert page.status_code == 200
    assert "your email address is confirmed" in page.content.decode()
    user.refresh_from_db()
    assert user.email_verified_at is not None
    assert 'id="verify-banner"' not in client.get(reverse("core:home")).content.decode()
    again = client.get(_verify_link(verify))
    assert "already confirmed" in again.content.decode()


def test_an_unverified_person_is_not_blocked(client, committed):
    user = _signup(client, committed)
    assert client.get(reverse("core:my_bookings")).status_code == 200
    assert client.get(reverse("accounts:settings")).status_code == 200
    assert user.email_verified_at is None


def test_resend_sends_a_new_link_once_a_minute(client, committed):
    user = UserFactory(email="ada@example.com")
    client.force_login(user)
    with committed():
        response = client.post(reverse("accounts:verify_email_resend"), {"next": "/my-bookings/"})
        client.post(reverse("accounts:verify_email_resend"))
    assert response.status_code == 302 and response["Location"] == "/my-bookings/"
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]


def test_resend_never_redirects_off_site(client):
    client.force_login(UserFactory())
    response = client.post(
        reverse("accounts:verify_email_resend"), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("accounts:settings")


@pytest.mark.parametrize("token", ["nonsense", "a" * 300, "e30:1abc:zzz"])
def test_a_bad_verification_link_is_a_clear_400(client, token):
    response = client.get(reverse("accounts:verify_email", args=[token]))
    assert response.status_code == 400
    assert "invalid or has expired" in response.content.decode()


def test_an_expired_verification_link_is_refused(client, settings):
    user = UserFactory()
    token = make_token(user_id=user.pk, email=user.email)
    settings.EMAIL_VERIFICATION_MAX_AGE = -1
    assert client.get(reverse("accounts:verify_email", args=[token])).status_code == 400
    user.refresh_from_db()
    assert user.email_verified_at is None


# --- email change ---------------------------------------------------------------------------


def test_changing_the_email_waits_for_the_new_address_to_confirm(client, committed):
    user = UserFactory(email="old@example.com", email_verified_at=timezone.now())
    client.force_login(user)
    with committed():
        response = client.post(
            reverse("accounts:email_change"),
            {"email-email": "New@Example.com", "email-password": PASSWORD},
        )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "old@example.com" and user.pending_email == "new@example.com"
    [message] = mail.outbox
    assert message.to == ["new@example.com"]
    settings_page = client.get(reverse("accounts:settings")).content.decode()
    assert "Waiting for confirmation of <strong>new@example.com" in settings_page

    mail.outbox.clear()
    with committed():
        page = client.get(_verify_link(message))
    assert "now in use" in page.content.decode()
    user.refresh_from_db()
    assert user.email == "new@example.com" and user.pending_email == ""
    assert user.email_verified_at is not None
    # the old address is told
    assert [m.to for m in mail.outbox] == [["old@example.com"]]
    assert "email address was changed" in mail.outbox[0].subject
    # the link is spent
    assert client.get(_verify_link(message)).content.decode().count("already confirmed") == 1


def test_email_change_needs_the_current_password_and_a_free_address(client):
    user = UserFactory(email="old@example.com")
    UserFactory(email="taken@example.com")
    client.force_login(user)
    url = reverse("accounts:email_change")
    wrong = client.post(url, {"email-email": "x@example.com", "email-password": "nope"})
    assert wrong.status_code == 400 and "not your current password" in wrong.content.decode()
    taken = client.post(url, {"email-email": "TAKEN@example.com", "email-password": PASSWORD})
    assert taken.status_code == 400 and "already exists" in taken.content.decode()
    user.refresh_from_db()
    assert user.pending_email == ""


def test_a_new_address_registered_meanwhile_is_not_taken_over(client, committed):
    user = UserFactory(email="old@example.com")
    client.force_login(user)
    with committed():
        client.post(
            reverse("accounts:email_change"),
            {"email-email": "new@example.com", "email-password": PASSWORD},
        )
    UserFactory(email="new@example.com")
    page = client.get(_verify_link(mail.outbox[0]))
    assert page.status_code == 400 and "Another account uses" in page.content.decode()
    user.refresh_from_db()
    assert user.email == "old@example.com"


def test_an_older_change_link_stops_working_after_a_newer_request(client, committed):
    user = UserFactory(email="old@example.com")
    client.force_login(user)
    for address in ("first@example.com", "second@example.com"):
        with committed():
            client.post(
                reverse("accounts:email_change"),
                {"email-email": address, "email-password": PASSWORD},
            )
    first_link = _verify_link(mail.outbox[0])
    assert client.get(first_link).status_code == 400
    user.refresh_from_db()
    assert user.email == "old@example.com" and user.pending_email == "second@example.com"


# --- password change ------------------------------------------------------------------------


def test_change_password_keeps_the_session_and_tells_the_owner(client, committed):
    user = UserFactory(email="ada@example.com")
    client.force_login(user)
    assert client.get(reverse("accounts:password_change")).status_code == 200
    with committed():
        response = client.post(
            reverse("accounts:password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": "another-long-passphrase-77",
                "new_password2": "another-long-passphrase-77",
            },
        )
    assert response.status_code == 302 and response["Location"] == reverse("accounts:settings")
    user.refresh_from_db()
    assert user.check_password("another-long-passphrase-77")
    assert client.get(reverse("accounts:settings")).status_code == 200  # still logged in
    assert [m.subject for m in mail.outbox] == ["Your password was changed"]


def test_change_password_with_a_wrong_old_password_is_refused(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "wrong",
            "new_password1": "x-long-pass-123",
            "new_password2": "x-long-pass-123",
        },
    )
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_settings_page_needs_login_and_is_linked_from_the_profile(client):
    assert client.get(reverse("accounts:settings")).status_code == 302
    client.force_login(UserFactory())
    assert reverse("accounts:settings") in client.get(reverse("accounts:profile")).content.decode()


# --- deletion -------------------------------------------------------------------------------


def _delete(client, password=PASSWORD):
    return client.post(reverse("accounts:delete_account"), {"delete-password": password})


def test_delete_is_refused_while_future_bookings_exist_and_lists_them(client):
    user = UserFactory()
    BookingFactory(client=user, title="Career talk")
    RegistrationFactory(user=user, webinar=WebinarFactory(title="Remote teams"))
    client.force_login(user)
    response = _delete(client)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Cancel your upcoming bookings first" in page
    assert "Career talk" in page and "Remote teams" in page
    user.refresh_from_db()
    assert user.is_active and user.deleted_at is None


def test_a_coach_with_upcoming_sessions_or_webinars_cannot_delete(client):
    coach = CoachFactory()
    WebinarFactory(coach=coach, title="My own webinar")
    client.force_login(coach.user)
    response = _delete(client)
    assert response.status_code == 409 and "My own webinar" in response.content.decode()


def test_past_and_cancelled_bookings_do_not_block(client):
    user = UserFactory()
    past = timezone.now() - dt.timedelta(days=10)
    BookingFactory(client=user, start=past, end=past + dt.timedelta(hours=1))
    BookingFactory(client=user, status="cancelled_by_client")
    RegistrationFactory(user=user, webinar=WebinarFactory(slots__starts_in=dt.timedelta(days=-3)))
    client.force_login(user)
    assert _delete(client).status_code == 302


def test_delete_anonymises_the_person_and_keeps_the_financial_records(client):
    user = UserFactory(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    coach = CoachFactory()
    payment = Payment.objects.create(
        payer=user,
        coach=coach,
        purpose=Payment.Purpose.WEBINAR_REGISTRATION,
        status=Payment.Status.COMPLETED,
        currency="CHF",
        amount_total=Decimal("120.00"),
        amount_net=Decimal("111.01"),
        vat_rate=Decimal("8.1"),
        vat_amount=Decimal("8.99"),
        platform_fee=Decimal("18.00"),
        coach_share=Decimal("102.00"),
    )
    Notification.objects.create(
        recipient=user, type="welcome", category="account", title="Hi", body="", link="/"
    )
    client.force_login(user)
    response = _delete(client)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == f"deleted-{user.pk}@deleted.invalid"
    assert user.get_full_name() == ANONYMOUS_NAME
    assert not user.is_active and not user.has_usable_password() and user.deleted_at
    assert Payment.objects.filter(pk=payment.pk, payer=user).exists()  # books are kept
    assert not Notification.objects.filter(recipient=user).exists()
    # logged out, and the old password no longer logs in
    assert client.get(reverse("accounts:settings")).status_code == 302
    login = client.post(
        reverse("accounts:login"), {"username": "ada@example.com", "password": PASSWORD}
    )
    assert login.status_code == 400
    # the address is free for a new account
    assert not User.objects.filter(email__iexact="ada@example.com").exists()


def test_delete_needs_the_password(client):
    user = UserFactory()
    client.force_login(user)
    assert _delete(client, password="wrong").status_code == 400
    user.refresh_from_db()
    assert user.is_active
