"""`{% load reviews_tags %}{% coach_reviews coach %}`: the coach profile's review section
(discovery's profile template loads this library; discovery's Python code never imports the
reviews app for it)."""

from __future__ import annotations

from django import template

from reviews import selectors
from reviews.forms import ReviewForm

register = template.Library()


@register.inclusion_tag("reviews/_coach_reviews.html", takes_context=True)
def coach_reviews(context, coach):
    request = context["request"]
    section = selectors.coach_reviews(
        coach=coach, viewer=request.user, page_number=request.GET.get("reviews_page")
    )
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "section": section,
        "coach": coach,
        "form": ReviewForm(reviewables=section.reviewables) if section.can_review else None,
        "edit_window_hours": int(selectors.EDIT_WINDOW.total_seconds() // 3600),
    }


@register.filter
def editable_by(review, user) -> bool:
    return selectors.can_edit(review, user=user)


@register.simple_tag
def stars(value) -> str:
    """Five glyphs, filled up to `value` (decorative: callers give the text beside them)."""
    filled = max(0, min(5, int(value or 0)))
    return "★" * filled + "☆" * (5 - filled)


@register.simple_tag
def review_link(links, kind: str, pk) -> str:
    """`{% review_link review_links "booking" booking.pk as url %}`: where `kind:pk` is
    reviewed (My Bookings), or "" when it cannot be reviewed now."""
    return (links or {}).get(f"{kind}:{pk}", "")
