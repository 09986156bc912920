"""Staff refunds by hand: `manage.py refund_payment` and the refund form on the payment's
admin page, both through the refund service (initiator staff, policy, note)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.tests.factories import UserFactory
from payments.models import Payment, PayoutItem, Refund, Transaction
from payments.tests.connect_helpers import delivered_session, ready_coach

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(localstripe):
    return delivered_session(ready_coach(localstripe["base"]))


def test_the_command_refunds_part_with_the_policy_and_note(paid, capsys):
    call_command(
        "refund_payment",
        payment=paid.pk,
        amount="30.00",
        policy="platform_fault",
        note="Coach's room had no sound",
    )

    paid.refresh_from_db()
    [row] = Transaction.objects.filter(payment=paid, kind=Transaction.Kind.REFUND)
    assert (row.amount, row.policy, row.initiator, row.note) == (
        Decimal("30.00"),
        "platform_fault",
        "staff",
        "Coach's room had no sound",
    )
    assert paid.status == Payment.Status.PARTIALLY_REFUNDED
    assert PayoutItem.objects.get(payment=paid).refund_deduction == 0
    assert "Refunded CHF 30.00" in capsys.readouterr().out


def test_the_command_refuses_more_than_refundable_with_a_non_zero_exit(paid):
    with pytest.raises(CommandError, match="still refundable") as refused:
        call_command(
            "refund_payment", payment=paid.pk, amount="150.01", policy="standard", note="x"
        )

    assert refused.value.returncode == 1
    paid.refresh_from_db()
    assert paid.amount_refunded == 0 and not Refund.objects.exists()


@pytest.mark.parametrize("amount", ["abc", "-5", "NaN", "0"])
def test_the_command_refuses_an_amount_that_is_not_a_positive_decimal(amount):
    payment_id = 1
    with pytest.raises(CommandError):
        call_command(
            "refund_payment", payment=payment_id, amount=amount, policy="standard", note="x"
        )
    assert not Refund.objects.exists()


def test_staff_refund_from_the_payment_admin_with_policy_and_note(paid, client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    change = client.get(reverse("admin:payments_payment_change", args=[paid.pk]))
    url = reverse("admin:payments_payment_refund", args=[paid.pk])
    assert url in change.content.decode()

    refused = client.post(url, {"amount": "200.00", "policy": "standard", "note": "too much"})
    no_note = client.post(url, {"amount": "20.00", "policy": "goodwill", "note": "  "})
    done = client.post(url, {"amount": "20.00", "policy": "goodwill", "note": "Late start"})

    assert refused.status_code == 200 and "still refundable" in refused.content.decode()
    assert no_note.status_code == 200 and "This field is required" in no_note.content.decode()
    assert done.status_code == 302
    [row] = Transaction.objects.filter(payment=paid, kind=Transaction.Kind.REFUND)
    assert (row.amount, row.policy, row.initiator, row.actor) == (
        Decimal("20.00"),
        "goodwill",
        "staff",
        staff,
    )
    assert PayoutItem.objects.get(payment=paid).refund_deduction == 0


def test_a_coach_in_the_admin_cannot_refund(paid, client):
    coach_user = paid.coach.user
    coach_user.is_staff = True
    coach_user.save()
    client.force_login(coach_user)

    response = client.post(
        reverse("admin:payments_payment_refund", args=[paid.pk]),
        {"amount": "20.00", "policy": "standard", "note": "mine"},
    )

    assert response.status_code == 403
    assert not Refund.objects.exists()
