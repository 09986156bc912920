"""Self-billed invoices (coach -> platform, "Gutschrift"): the platform, as deemed supplier to
the client, buys the coach's service and issues the coach's invoice in the coach's name under
a prior self-billing agreement (EU Directive Art. 224). VAT is shown only if the coach told us
they are VAT-registered and gave their number (MWSTG Art. 27 para. 1)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from invoicing.errors import ContestNotAllowed, SelfBillingAgreementMissing
from invoicing.models import (
    BillingDetails,
    Document,
    DocumentContest,
    DocumentKind,
    SelfBillingAgreement,
)
from invoicing.services.issue import (
    LineData,
    Party,
    document_issue,
    issuer_of,
    negated,
    platform_party,
    recipient_of,
)


def current_agreement_version() -> str:
    return settings.SELF_BILLING_AGREEMENT_VERSION


def self_billing_agreement_of(coach) -> SelfBillingAgreement | None:
    return SelfBillingAgreement.objects.filter(
        coach=coach, version=current_agreement_version()
    ).first()


def self_billing_agreement_accept(*, coach, user) -> SelfBillingAgreement:
    """Record that `user` accepted the current agreement for `coach` (once per version)."""
    version = current_agreement_version()
    try:
        with transaction.atomic():
            agreement, _ = SelfBillingAgreement.objects.get_or_create(
                coach=coach,
                version=version,
                defaults={"accepted_at": timezone.now(), "accepted_by": user},
            )
    except IntegrityError:  # accepted twice at once: the first one stands
        agreement = SelfBillingAgreement.objects.get(coach=coach, version=version)
    return agreement


def self_billing_required(*, coach) -> None:
    """Raise SelfBillingAgreementMissing (for the payout run: PayoutBlocked) without one."""
    if self_billing_agreement_of(coach) is None:
        raise SelfBillingAgreementMissing(
            "Accept the self-billing agreement on your payouts page to receive payouts.",
            code="self_billing_agreement_missing",
        )


def coach_party(coach) -> tuple[Party, bool]:
    """The coach as the issuer, and whether VAT may be shown (registered + number)."""
    details = BillingDetails.objects.filter(user=coach.user).first()
    name = coach.user.get_full_name() or coach.user.display_name
    if details is not None and details.legal_name:
        name = details.legal_name
    vat_number = details.vat_number.strip() if details is not None else ""
    registered = bool(details and details.vat_registered and vat_number)
    return (
        Party(
            name=name,
            address=details.address if details else "",
            vat_number=vat_number if registered else "",
            email=coach.user.email,
        ),
        registered,
    )


def self_billed_invoice_issue(
    *, coach, lines: Sequence[LineData], reference: str, currency: str | None = None
) -> Document:
    """The self-billed invoice for the coach's share of one payout (`reference` names the
    payout or period; one document per coach and reference).

    `lines`: what the platform pays the coach for (gross = the coach's share; `vat_rate` is
    applied only if the coach is VAT-registered, else the document shows no VAT)."""
    self_billing_required(coach=coach)
    if not reference:
        raise ValueError("A self-billed invoice needs the payout reference.")
    issuer, registered = coach_party(coach)
    currency = currency or coach.currency
    return document_issue(
        kind=DocumentKind.SELF_BILLED,
        owner=coach.user,
        source_key=f"sbi:{coach.pk}:{reference}",
        issuer=issuer,
        recipient=platform_party(),
        lines=list(lines),
        currency=currency,
        coach=coach,
        reference=reference,
        shows_vat=registered,
        note=(
            "Self-billing / Gutschrift: issued by the recipient in the name and for the account "
            "of the supplier under the self-billing agreement"
            f" v{current_agreement_version()}. "
            + (
                "The supplier is VAT-registered."
                if registered
                else "The supplier is not VAT-registered; no VAT is charged (MWSTG Art. 27)."
            )
            + f" Contest within {settings.SELF_BILLING_CONTEST_DAYS} days of issue."
        ),
    )


def contest_deadline(document: Document):
    return document.issued_at + timedelta(days=settings.SELF_BILLING_CONTEST_DAYS)


def self_billed_invoice_contest(*, document: Document, user, reason: str) -> DocumentContest:
    """The coach disputes one of their self-billed invoices within the contest period."""
    if document.kind != DocumentKind.SELF_BILLED or document.owner_id != user.pk:
        raise ContestNotAllowed("Only your own self-billed invoices can be contested.")
    if timezone.now() > contest_deadline(document):
        raise ContestNotAllowed(
            f"The contest period of {settings.SELF_BILLING_CONTEST_DAYS} days has passed.",
            code="contest_period_over",
        )
    reason = reason.strip()
    if not reason:
        raise ContestNotAllowed("Please say what is wrong.", code="reason_missing")
    try:
        with transaction.atomic():
            return DocumentContest.objects.create(
                document=document, raised_by=user, reason=reason[:2000]
            )
    except IntegrityError:
        raise ContestNotAllowed(
            "This invoice is already contested; staff will get back to you.",
            code="already_contested",
        ) from None


def contest_resolve(*, contest_id: int) -> Document:
    """Staff: revoke the contested self-billed invoice with a credit note that refers to it
    (MWSTG Art. 27 para. 4). A corrected invoice, if any, is issued with the next payout."""
    with transaction.atomic():
        contest = DocumentContest.objects.select_for_update().get(pk=contest_id)
        if contest.resolution is not None:  # no query while resolution_id is None
            return contest.resolution
        original = contest.document
        credit = document_issue(
            kind=DocumentKind.CREDIT_NOTE,
            owner=original.owner,
            source_key=f"contest:{contest.pk}",
            issuer=issuer_of(original),
            recipient=recipient_of(original),
            lines=negated(original),
            currency=original.currency,
            coach=original.coach,
            refers_to=original,
            reference=original.reference,
            shows_vat=original.shows_vat,
            note=f"Self-billing / Gutschrift credit note. Revokes {original.number} after "
            f"the supplier contested it: {contest.reason[:300]}",
        )
        DocumentContest.objects.filter(pk=contest.pk).update(
            resolution=credit, resolved_at=timezone.now()
        )
    return credit
