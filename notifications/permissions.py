"""Who may watch what live."""

from __future__ import annotations

from django.apps import apps


def may_watch_webinar(*, user, webinar_id: int) -> bool:
    """Anyone may watch a webinar that is visible to the public (not a draft, not deleted);
    its coach and platform staff may watch their drafts too."""
    try:
        Webinar = apps.get_model("webinars", "Webinar")
    except LookupError:
        return False
    webinar = Webinar.objects.select_related("coach").filter(pk=webinar_id).first()
    if webinar is None:
        return False
    authenticated = user is not None and user.is_authenticated
    if authenticated and (user.sees_everything or webinar.coach.user_id == user.pk):
        return True
    is_public = getattr(webinar, "is_public", None)
    if is_public is not None:
        return bool(is_public() if callable(is_public) else is_public)
    status = getattr(webinar, "status", "")
    return status not in {"draft", "deleted"}
