"""The seam to payments (payments.events, called after commit; payments never imports
invoicing) and the beat sweep that catches up on lost tasks."""

import ast
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from invoicing.models import Document, DocumentKind
from invoicing.tasks import documents_sweep
from invoicing.tests.factories import CompletedPaymentFactory, refund_transaction, session_paid
from payments import events

pytestmark = pytest.mark.django_db


def test_payments_never_imports_invoicing():
    root = Path(__file__).resolve().parents[2] / "payments"
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n.split(".")[0] == "invoicing" for n in names), path


def test_nothing_is_issued_for_a_transaction_that_rolls_back(
    platform, django_capture_on_commit_callbacks
):
    from django.db import transaction

    payment = CompletedPaymentFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                events.payment_completed(payment)
                raise RuntimeError("the finalization failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert not Document.objects.exists()


def test_a_failing_listener_does_not_affect_the_payment_or_the_invoice(
    platform, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise RuntimeError("another listener is broken")

    events.on_payment_completed(broken)
    try:
        _booking, payment = session_paid(capture=django_capture_on_commit_callbacks)
    finally:
        events._payment_completed.remove(broken)
    assert payment.status == "completed"
    assert Document.objects.filter(payment=payment, kind=DocumentKind.INVOICE).count() == 1


def test_the_sweep_issues_what_lost_tasks_did_not(platform, django_capture_on_commit_callbacks):
    """The after-commit task never ran (broker down): the beat sweep issues the invoice and
    the credit note, renders and emails them."""
    payment = CompletedPaymentFactory()
    refund = refund_transaction(payment, Decimal("120.00"))  # no on-commit run: nothing issued
    assert not Document.objects.exists()
    later = timezone.now() + timedelta(minutes=5)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        with django_capture_on_commit_callbacks(execute=True):
            counts = documents_sweep()
    assert counts["invoice"] == 1 and counts["credit_note"] == 1
    invoice = Document.objects.get(kind=DocumentKind.INVOICE)
    credit = Document.objects.get(kind=DocumentKind.CREDIT_NOTE, source_key=f"refund:{refund.pk}")
    assert credit.refers_to == invoice
    assert invoice.pdf and credit.pdf and invoice.emailed_at and credit.emailed_at
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        assert documents_sweep() == {"render": 0, "email": 0, "invoice": 0, "credit_note": 0}
