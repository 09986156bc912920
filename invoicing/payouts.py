"""Self-billing in the payout run (seed 004 §4.5 "Self-Billed Invoices"): before the platform
transfers a coach's share, the coach must have accepted the self-billing agreement, and a
self-billed invoice (SBI) for that share must exist. Registered with
`payments.payouts.hooks.register_before_transfer` from InvoicingConfig.ready.

One SBI per payout item (one Stripe transfer each), referenced `payout-item-<id>`: a run that
crashed and claims the same items again finds the documents it already issued.
"""

from __future__ import annotations

from invoicing.errors import SelfBillingAgreementMissing
from invoicing.services import LineData, self_billed_invoice_issue, self_billing_required
from invoicing.sources import supply_of


def self_billing_before_transfer(coach, items) -> None:
    from payments.payouts.hooks import PayoutBlocked

    try:
        self_billing_required(coach=coach)
    except SelfBillingAgreementMissing as exc:
        # The items wait (no attempt spent) and the coach sees why on /coach/payouts/.
        raise PayoutBlocked(exc.message) from exc
    for item in items:
        payment = item.payment
        supply = supply_of(payment)
        self_billed_invoice_issue(
            coach=coach,
            lines=[
                LineData(
                    description=f"Coach's share: {supply.description}",
                    gross=item.amount,
                    vat_rate=payment.vat_rate,
                    date_of_supply=supply.date_of_supply,
                )
            ],
            reference=item.idempotency_key,
            currency=item.currency,
        )
