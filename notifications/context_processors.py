from django.utils.functional import SimpleLazyObject


def email_suppression(request):
    """`EMAIL_SUPPRESSED`: the signed-in user's address bounced or complained, so we no longer
    email it (base.html shows a banner linking to the account's email settings). Lazy: one
    indexed query, only on pages that render the banner."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"EMAIL_SUPPRESSED": False}

    def suppressed():
        from notifications.suppressions import active_suppression

        return active_suppression(user.email)

    return {"EMAIL_SUPPRESSED": SimpleLazyObject(suppressed)}
