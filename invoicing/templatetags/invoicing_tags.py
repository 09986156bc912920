from django import template

from invoicing.selectors import documents_by_payment

register = template.Library()


@register.simple_tag(takes_context=True)
def payment_documents(context):
    """`{% payment_documents as documents_by_payment %}`: the signed-in user's invoices and
    credit notes by payment id, in one query for the whole page."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return documents_by_payment(user)


@register.filter
def documents_for(documents_by_payment, payment_id):
    """`{{ documents_by_payment|documents_for:registration.payment_id }}` -> list."""
    if not documents_by_payment or not payment_id:
        return []
    return documents_by_payment.get(payment_id, [])


@register.inclusion_tag("invoicing/_self_billing_agreement.html", takes_context=True)
def self_billing_agreement(context, coach, next_url: str = ""):
    """The agreement card for a coach's payouts page (payouts wait until it is accepted)."""
    from invoicing.views import self_billing_context

    return {
        **self_billing_context(coach),
        "next": next_url,
        "csrf_token": context.get("csrf_token"),
    }
