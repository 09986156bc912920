"""Invoices, credit notes and self-billed invoices: immutable once issued.

A `Document` and its `DocumentLine`s are written once, in the transaction that allocates the
number (`invoicing.numbering`). After that the model refuses every change except the PDF
bookkeeping fields (rendered file, checksum, attempts, email delivery); it refuses deletion
too, in the instance and the queryset. A correction is a new document (a credit note) that
refers to the one it corrects.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ImmutableDocumentError(Exception):
    """An issued document or line was asked to change or be deleted."""


class DocumentKind(models.TextChoices):
    INVOICE = "invoice", "Invoice"
    CREDIT_NOTE = "credit_note", "Credit note"
    SELF_BILLED = "self_billed", "Self-billed invoice"


PREFIXES = {
    DocumentKind.INVOICE: "INV",
    DocumentKind.CREDIT_NOTE: "CRN",
    DocumentKind.SELF_BILLED: "SBI",
}


def format_number(kind: str, year: int, sequence: int) -> str:
    """`INV-2026-000123`, `CRN-2026-000007`, `SBI-2026-000042`."""
    return f"{PREFIXES[DocumentKind(kind)]}-{year:04d}-{sequence:06d}"


class DocumentCounter(models.Model):
    """The last number issued in one series (kind + year). Locked (SELECT ... FOR UPDATE) by
    the transaction that issues the next document, so numbers are gapless and unique."""

    kind = models.CharField(max_length=16, choices=DocumentKind.choices)
    year = models.PositiveIntegerField()
    last_sequence = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="invoicing_counter_per_series")
        ]

    def __str__(self) -> str:
        return f"{PREFIXES[DocumentKind(self.kind)]}-{self.year}: {self.last_sequence}"


class DocumentQuerySet(models.QuerySet):
    def delete(self):
        raise ImmutableDocumentError("Issued documents cannot be deleted.")

    def update(self, **kwargs):
        frozen = set(kwargs) - Document.MUTABLE_FIELDS
        if frozen:
            raise ImmutableDocumentError(f"Issued documents cannot change: {sorted(frozen)}")
        return super().update(**kwargs)


class Document(models.Model):
    # What may still change after issue: PDF rendering and email delivery bookkeeping.
    MUTABLE_FIELDS = frozenset(
        {
            "pdf",
            "pdf_sha256",
            "pdf_rendered_at",
            "render_attempts",
            "render_error",
            "emailed_at",
            "email_attempts",
        }
    )

    kind = models.CharField(max_length=16, choices=DocumentKind.choices)
    year = models.PositiveIntegerField()
    sequence = models.PositiveIntegerField()
    number = models.CharField(max_length=20, unique=True)
    issued_at = models.DateTimeField()
    issue_date = models.DateField(help_text="Invoice date (platform time zone).")
    # Who may see it: the client (invoice, credit note) or the coach (self-billed invoice).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invoicing_documents"
    )
    # Idempotency: one document per source (payment:<id>, refund:<tx id>, sbi:<coach>:<ref>).
    source_key = models.CharField(max_length=120, unique=True)
    payment = models.ForeignKey(
        "payments.Payment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoicing_documents",
    )
    coach = models.ForeignKey(
        "accounts.Coach",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoicing_documents",
    )
    refers_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    reference = models.CharField(max_length=120, blank=True, help_text="Payout period or ref.")

    issuer_name = models.CharField(max_length=200)
    issuer_address = models.TextField(blank=True)
    issuer_vat_number = models.CharField(max_length=40, blank=True)
    recipient_name = models.CharField(max_length=200)
    recipient_address = models.TextField(blank=True)
    recipient_vat_number = models.CharField(max_length=40, blank=True)
    recipient_email = models.EmailField(blank=True)

    currency = models.CharField(max_length=3)
    vat_included = models.BooleanField(default=True, help_text="Prices include VAT.")
    shows_vat = models.BooleanField(default=True, help_text="False: issuer not VAT-registered.")
    net_total = models.DecimalField(max_digits=12, decimal_places=2)
    vat_total = models.DecimalField(max_digits=12, decimal_places=2)
    gross_total = models.DecimalField(max_digits=12, decimal_places=2)
    note = models.TextField(blank=True)

    pdf = models.FileField(upload_to="invoicing/%Y/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_rendered_at = models.DateTimeField(null=True, blank=True)
    render_attempts = models.PositiveIntegerField(default=0)
    render_error = models.TextField(blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveIntegerField(default=0)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year", "sequence"], name="invoicing_number_per_series"
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "issued_at"]),
            models.Index(fields=["issue_date"]),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            fields = kwargs.get("update_fields")
            if fields is None or set(fields) - self.MUTABLE_FIELDS:
                raise ImmutableDocumentError(
                    f"{self.number} is issued and cannot be changed; issue a credit note."
                )
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("invoicing:pdf", args=[self.number])

    def delete(self, *args, **kwargs):
        raise ImmutableDocumentError(f"{self.number} is issued and cannot be deleted.")

    @property
    def is_invoice(self) -> bool:
        return self.kind == DocumentKind.INVOICE

    @property
    def is_credit_note(self) -> bool:
        return self.kind == DocumentKind.CREDIT_NOTE

    @property
    def is_self_billed(self) -> bool:
        return self.kind == DocumentKind.SELF_BILLED or (
            self.refers_to_id is not None and self.coach_id is not None
        )

    @property
    def pdf_filename(self) -> str:
        return f"{self.number}.pdf"


class LineQuerySet(models.QuerySet):
    def delete(self):
        raise ImmutableDocumentError("Document lines cannot be deleted.")

    def update(self, **kwargs):
        raise ImmutableDocumentError("Document lines cannot be changed.")


class DocumentLine(models.Model):
    """One frozen line: what, when, how many, and the money of it."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=300)
    date_of_supply = models.DateField(null=True, blank=True)
    quantity = models.DecimalField(max_digits=9, decimal_places=2, default=1)
    net = models.DecimalField(max_digits=12, decimal_places=2)
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2)
    vat = models.DecimalField(max_digits=12, decimal_places=2)
    gross = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)

    objects = LineQuerySet.as_manager()

    class Meta:
        ordering = ["document", "position"]
        constraints = [
            models.UniqueConstraint(fields=["document", "position"], name="invoicing_line_pos"),
            models.CheckConstraint(
                condition=models.Q(gross=models.F("net") + models.F("vat")),
                name="invoicing_line_gross_is_net_plus_vat",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} {self.currency} {self.gross}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableDocumentError("Document lines cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableDocumentError("Document lines cannot be deleted.")


class BillingDetails(models.Model):
    """What a user wants on their documents: a client's billing address and VAT number, a
    coach's address and VAT registration (shown on self-billed invoices)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="billing_details"
    )
    legal_name = models.CharField(
        "Name on invoices", max_length=200, blank=True, help_text="Company or full name."
    )
    address = models.TextField("Billing address", blank=True, max_length=500)
    vat_number = models.CharField("VAT number", max_length=40, blank=True)
    vat_registered = models.BooleanField(
        "I am registered for VAT",
        default=False,
        help_text="Coaches: VAT appears on your self-billed invoices only if this is ticked "
        "and your VAT number is given.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "billing details"

    def __str__(self) -> str:
        return f"Billing details of {self.user}"


class SelfBillingAgreement(models.Model):
    """The coach's once-only consent that the platform issues invoices in their name (EU
    Directive 2006/112/EC Art. 224; usual practice under MWSTG). One row per version."""

    coach = models.ForeignKey(
        "accounts.Coach", on_delete=models.PROTECT, related_name="self_billing_agreements"
    )
    version = models.CharField(max_length=20)
    accepted_at = models.DateTimeField()
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(fields=["coach", "version"], name="invoicing_agreement_once")
        ]

    def __str__(self) -> str:
        return f"{self.coach} accepted self-billing v{self.version}"


class DocumentContest(models.Model):
    """A coach disputes a self-billed invoice (MWSTG Art. 27 para. 3); staff resolve it by
    issuing a credit note (`resolution`)."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="contests")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    reason = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    resolution = models.OneToOneField(
        Document,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resolved_contest",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["document"],
                condition=models.Q(resolved_at__isnull=True),
                name="invoicing_one_open_contest",
            )
        ]

    def __str__(self) -> str:
        return f"Contest of {self.document}"
