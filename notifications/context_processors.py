def email_suppression(request):
    """`EMAIL_SUPPRESSED`: "bounced" / "complained" when email to the signed-in user's address
    is suppressed (base.html then shows a banner linking to the account's email settings),
    else "". Read from the user row already loaded for the request: no query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"EMAIL_SUPPRESSED": ""}
    return {"EMAIL_SUPPRESSED": getattr(user, "email_undeliverable", "")}
