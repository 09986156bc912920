from accounts.suspension import banner_text


def sanction_banner(request):
    """`suspension_banner`: the text of the banner a suspended or banned user sees on every
    page (templates/base.html), "" for everyone else. No query: the fields are on the user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"suspension_banner": ""}
    return {"suspension_banner": banner_text(user)}
