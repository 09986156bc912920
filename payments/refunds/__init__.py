"""The one refund service (docs/refunds.md): every refund in the project goes through
`payments.refunds.service.refund_issue` (payments.services.payment_refund is its entry point
for the domains)."""
