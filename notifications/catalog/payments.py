"""Words for payment, payout, dispute and refund-request notifications."""

from __future__ import annotations

from notifications.catalog.base import (
    HIGH,
    NORMAL,
    Content,
    Spec,
    context_name,
    money,
    session_details,
    when,
)
from notifications.types import NotificationCategory as Cat
from notifications.types import NotificationType as T

# --- payments -----------------------------------------------------------------------------


def _payment_received(recipient, info, context):
    amount = money(info.amount, info.currency)
    if context.get("for_coach"):
        payer = context_name(context, "payer_name", info.other_party_name)
        details = [("Amount", amount), ("From", payer), ("For", info.title)]
        share = money(context.get("coach_share"), info.currency)
        if share:
            details.append(("Your share after the platform fee", share))
        return Content(
            title=f"Payment received: {amount}",
            body=f"{payer} paid {amount} for {info.title}.",
            link=info.link,
            details=details + session_details(info),
        )
    return Content(
        title=f"Payment received: {amount}",
        body=f"Thank you. We received your payment of {amount} for {info.title}.",
        link=info.link,
        cta_label="View booking",
        details=[("Amount", amount), ("For", info.title)] + session_details(info),
    )


def _payment_failed(recipient, info, context):
    amount = money(info.amount, info.currency)
    reason = context.get("reason") or "Your bank declined the payment."
    return Content(
        title=f"Payment failed for {info.title}",
        body=f"We could not take {amount or 'your payment'} for {info.title}. {reason} "
        "Nothing was charged; you can try again with another card.",
        link=info.link,
        cta_label="Try again",
        details=[("Amount", amount), ("Reason", reason)] if amount else [("Reason", reason)],
    )


def _payment_refunded(recipient, info, context):
    refund = money(context.get("refund_amount", info.amount_refunded), info.currency)
    # `reason` is the payments core's note for the ledger and Stripe ("Booking 12: Cancelled
    # by client"); people only read `public_reason`, words a producer wrote for them.
    reason = str(context.get("public_reason") or "").strip().rstrip(".")
    return Content(
        title=f"Refund of {refund} for {info.title}",
        body=f"We refunded {refund} for {info.title}."
        + (f" {reason}." if reason else "")
        + " Depending on your bank it appears within 5-10 business days.",
        link=info.link,
        details=[("Refund", refund), ("For", info.title)],
    )


def _payout_settlement_advice(recipient, info, context):
    total = money(context.get("total"), context.get("currency", info.currency))
    return Content(
        title=f"Payout of {total} sent to your Stripe account",
        body=f"We transferred {total} to your Stripe account. Your settlement advice lists "
        "every booking, refund and deduction.",
        link=info.link,
        cta_label="Download the settlement advice",
        details=[("Transferred", total)],
    )


def _payout_failed(recipient, info, context):
    return Content(
        title=f"Payout failed: {info.title}",
        body=f"A transfer to a coach failed after every retry: {context.get('error', '')}. "
        "See Payout items in the admin.",
        link=info.link,
        details=[("Coach", str(context.get("coach", "")))],
    )


def _dispute_details(context) -> list:
    details = [("Amount", money(context.get("amount"), context.get("currency", "CHF")))]
    if context.get("purchase"):
        details.append(("Bought", str(context["purchase"])))
    if context.get("reason"):
        details.append(("Reason", str(context["reason"]).replace("_", " ")))
    if context.get("due_by"):
        details.append(("Evidence due by", str(context["due_by"])[:16].replace("T", " ")))
    return details


def _dispute_opened(recipient, info, context):
    return Content(
        title="A client disputed a payment",
        body="The coach's payout for it is frozen. Stage the evidence and submit it before "
        "the due date, or accept the dispute.",
        link=info.link,
        cta_label="Open the dispute",
        details=_dispute_details(context),
    )


def _dispute_due_soon(recipient, info, context):
    return Content(
        title="Dispute evidence due soon",
        body="No evidence has been submitted for this dispute yet. After the due date the "
        "dispute is lost.",
        link=info.link,
        cta_label="Open the dispute",
        details=_dispute_details(context),
    )


def _dispute_closed(recipient, info, context):
    outcome = "won" if context.get("outcome") == "won" else "lost"
    return Content(
        title=f"Dispute {outcome}",
        body="The coach keeps their share; any freeze is lifted."
        if outcome == "won"
        else "The money went back to the client; the loss is allocated by the dispute policy.",
        link=info.link,
        details=_dispute_details(context),
    )


def _refund_request_details(context) -> list:
    details = [("Amount", money(context.get("amount"), context.get("currency", "CHF")))]
    if context.get("purchase"):
        details.append(("For", str(context["purchase"])))
    if context.get("status"):
        details.append(("Status", str(context["status"])))
    return details


def _refund_request(title_client: str, title_coach: str, body_client: str, body_coach: str):
    def build(recipient, info, context):
        coach = context.get("role") == "coach"
        body = body_coach if coach else body_client
        if context.get("decline_reason"):
            body += f" The coach's reason: {context['decline_reason']}"
        if context.get("note"):
            body += f" Staff's note: {context['note']}"
        if coach and context.get("due_at") and "{due}" in body:
            body = body.replace("{due}", when(context["due_at"]))
        return Content(
            title=title_coach if coach else title_client,
            body=body.replace("{due}", "the deadline"),
            link=info.link,
            cta_label="Open the request",
            details=_refund_request_details(context),
        )

    return build


_refund_request_opened = _refund_request(
    "Your refund request was sent",
    "A client asked for a refund",
    "The coach answers first; if they decline or do not answer in time, staff decide.",
    "Approve it in full, approve part, or decline with a reason by {due}; after that staff decide.",
)
_refund_request_approved = _refund_request(
    "Your refund was approved",
    "You approved a refund",
    "The money goes back to your card; a credit note follows.",
    "Your share of this payout is reduced in proportion.",
)
_refund_request_declined = _refund_request(
    "Your refund request was declined",
    "You declined a refund request",
    "You can escalate it to our staff from the request page.",
    "The client may escalate it to staff.",
)
_refund_request_escalated = _refund_request(
    "Your refund request is with our staff",
    "A refund request went to staff",
    "Staff review the thread and decide; their decision is final.",
    "Staff review the thread and decide; their decision is final.",
)
_refund_request_resolved = _refund_request(
    "Staff decided on your refund request",
    "Staff decided on a refund request",
    "This decision is final.",
    "This decision is final.",
)
_refund_request_message = _refund_request(
    "New message on your refund request",
    "New message on a refund request",
    "Open the request to read and answer it.",
    "Open the request to read and answer it.",
)


SPECS: dict[str, Spec] = {
    T.PAYMENT_RECEIVED: Spec(Cat.PAYMENT, NORMAL, _payment_received, email_mandatory=True),
    T.PAYMENT_FAILED: Spec(Cat.PAYMENT, HIGH, _payment_failed, email_mandatory=True),
    T.PAYMENT_REFUNDED: Spec(Cat.PAYMENT, HIGH, _payment_refunded, email_mandatory=True),
    T.PAYOUT_SETTLEMENT_ADVICE: Spec(
        Cat.PAYMENT, HIGH, _payout_settlement_advice, email_mandatory=True
    ),
    T.PAYOUT_FAILED: Spec(Cat.PAYMENT, HIGH, _payout_failed, email_mandatory=True),
    T.DISPUTE_OPENED: Spec(Cat.PAYMENT, HIGH, _dispute_opened, email_mandatory=True),
    T.DISPUTE_DUE_SOON: Spec(Cat.PAYMENT, HIGH, _dispute_due_soon, email_mandatory=True),
    T.DISPUTE_CLOSED: Spec(Cat.PAYMENT, NORMAL, _dispute_closed),
    T.REFUND_REQUEST_OPENED: Spec(Cat.PAYMENT, HIGH, _refund_request_opened),
    T.REFUND_REQUEST_APPROVED: Spec(
        Cat.PAYMENT, HIGH, _refund_request_approved, email_mandatory=True
    ),
    T.REFUND_REQUEST_DECLINED: Spec(Cat.PAYMENT, HIGH, _refund_request_declined),
    T.REFUND_REQUEST_ESCALATED: Spec(Cat.PAYMENT, HIGH, _refund_request_escalated),
    T.REFUND_REQUEST_RESOLVED: Spec(
        Cat.PAYMENT, HIGH, _refund_request_resolved, email_mandatory=True
    ),
    T.REFUND_REQUEST_MESSAGE: Spec(Cat.PAYMENT, NORMAL, _refund_request_message),
}
