"""`OwnedByCoachAdminMixin`: in the Django admin a coach sees and changes only their own rows."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Coach, User
from accounts.tests.factories import CoachFactory, UserFactory
from payments.models import Payment, WebhookEvent
from payments.tests.factories import PaymentFactory
from tests.assertions import assert_admin_says_does_not_exist

pytestmark = pytest.mark.django_db


def make_payment(*, coach: Coach, payer: User, amount: str) -> Payment:
    total = Decimal(amount)
    return PaymentFactory(
        payer=payer,
        coach=coach,
        status=Payment.Status.COMPLETED,
        amount_total=total,
        amount_net=total,
        vat_rate=Decimal("0"),
        vat_amount=Decimal("0"),
        platform_fee=Decimal("0"),
        coach_share=total,
        stripe_payment_intent_id=None,
    )


@pytest.fixture
def coach_a():
    return CoachFactory(user__first_name="Alice", user__last_name="Anders", headline="Coach A")


@pytest.fixture
def coach_b():
    return CoachFactory(user__first_name="Bruno", user__last_name="Berg", headline="Coach B")


@pytest.fixture
def staff_client(client):
    client.force_login(User.objects.create_superuser("staff@example.com", "pw-staff-12345"))
    return client


def changelist_rows(response) -> list:
    return list(response.context["cl"].result_list)


def test_coach_changelist_lists_only_own_profile(client, coach_a, coach_b):
    client.force_login(coach_a.user)

    response = client.get(reverse("admin:accounts_coach_changelist"))

    assert response.status_code == 200
    assert changelist_rows(response) == [coach_a]
    assert "Bruno Berg" not in response.content.decode()


@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_coach_cannot_open_another_coachs_profile_by_url(client, coach_a, coach_b, view):
    client.force_login(coach_a.user)

    response = client.get(reverse(f"admin:accounts_coach_{view}", args=[coach_b.pk]))

    # Outside the coach's queryset the admin answers "doesn't exist" (a redirect to the admin
    # index, not to the login page); deleting a profile is no coach permission at all (403).
    if view == "delete":
        assert response.status_code == 403
    else:
        assert_admin_says_does_not_exist(client, response)
    assert "Coach B" not in response.content.decode()


def test_coach_cannot_change_another_coachs_profile_by_post(client, coach_a, coach_b):
    client.force_login(coach_a.user)

    client.post(
        reverse("admin:accounts_coach_change", args=[coach_b.pk]),
        {
            "headline": "Hijacked",
            "hourly_rate": "1",
            "currency": "CHF",
            "calendar_visibility": "public",
            "bio": "",
        },
    )

    coach_b.refresh_from_db()
    assert coach_b.headline == "Coach B"


def test_coach_can_change_own_profile_but_not_stripe_account(client, coach_a):
    client.force_login(coach_a.user)
    account_before = coach_a.stripe_account_id

    response = client.post(
        reverse("admin:accounts_coach_change", args=[coach_a.pk]),
        {
            "headline": "Updated headline",
            "bio": "",
            "hourly_rate": "160.00",
            "currency": "CHF",
            "calendar_visibility": "public",
            "is_listed": "on",
            "vat_included": "on",
            "vat_rate": "8.10",
            "stripe_account_id": "acct_someone_else",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    coach_a.refresh_from_db()
    assert coach_a.headline == "Updated headline"
    assert coach_a.stripe_account_id == account_before


def test_coach_sees_only_own_payments_in_changelist(client, coach_a, coach_b):
    payer = UserFactory()
    own = make_payment(coach=coach_a, payer=payer, amount="150.00")
    make_payment(coach=coach_b, payer=payer, amount="999.00")
    client.force_login(coach_a.user)

    response = client.get(reverse("admin:payments_payment_changelist"))

    assert response.status_code == 200
    assert changelist_rows(response) == [own]


def test_coach_cannot_open_another_coachs_payment_by_url(client, coach_a, coach_b):
    other = make_payment(coach=coach_b, payer=UserFactory(), amount="999.00")
    client.force_login(coach_a.user)

    response = client.get(reverse("admin:payments_payment_change", args=[other.pk]))

    assert_admin_says_does_not_exist(client, response)
    assert "999.00" not in response.content.decode()


def test_coach_can_open_own_payment(client, coach_a):
    own = make_payment(coach=coach_a, payer=UserFactory(), amount="150.00")
    client.force_login(coach_a.user)

    response = client.get(reverse("admin:payments_payment_change", args=[own.pk]))

    assert response.status_code == 200
    assert "150.00" in response.content.decode()


def test_coach_cannot_see_stripe_webhook_inbox(client, coach_a):
    WebhookEvent.objects.create(
        stripe_event_id="evt_1", type="payment_intent.succeeded", payload={}
    )
    client.force_login(coach_a.user)

    response = client.get(reverse("admin:payments_webhookevent_changelist"))

    assert response.status_code == 403


def test_client_without_staff_flag_cannot_enter_the_admin(client):
    client.force_login(UserFactory())

    response = client.get(reverse("admin:accounts_coach_changelist"))

    assert response.status_code == 302
    assert reverse("admin:login") in response.url


def test_staff_sees_every_coach_and_payment(staff_client, coach_a, coach_b):
    payer = UserFactory()
    payments = {
        make_payment(coach=coach_a, payer=payer, amount="1.00"),
        make_payment(coach=coach_b, payer=payer, amount="2.00"),
    }

    coaches = changelist_rows(staff_client.get(reverse("admin:accounts_coach_changelist")))
    listed_payments = changelist_rows(
        staff_client.get(reverse("admin:payments_payment_changelist"))
    )

    assert set(coaches) == {coach_a, coach_b}
    assert set(listed_payments) == payments
    response = staff_client.get(reverse("admin:accounts_coach_change", args=[coach_b.pk]))
    assert response.status_code == 200
