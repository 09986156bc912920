"""Words for review notifications (issue 18): the coach hears about a new review, the author
about the coach's reply. The target is the review (described generically: its text and its
place on the coach's profile)."""

from __future__ import annotations

from notifications.catalog.base import LOW, NORMAL, Content, Spec, context_name
from notifications.types import NotificationCategory, NotificationType


def _review_received(recipient, info, context):
    author = context_name(context, "author_name", "A client")
    rating = context.get("rating")
    stars = f" ({rating} out of 5)" if rating else ""
    return Content(
        title=f"New review{stars}",
        body=f"{author} reviewed you{stars}. It is on your public profile; you can reply "
        "once, publicly, below it.",
        link=info.link,
        cta_label="Read and reply",
    )


def _review_replied(recipient, info, context):
    coach = context_name(context, "coach_name", "The coach")
    return Content(
        title=f"{coach} replied to your review",
        body=f"{coach} replied to the review you wrote. The reply is shown below your review "
        "on their profile.",
        link=info.link,
        cta_label="Read the reply",
    )


SPECS: dict[str, Spec] = {
    NotificationType.REVIEW_RECEIVED: Spec(NotificationCategory.BOOKING, NORMAL, _review_received),
    NotificationType.REVIEW_REPLIED: Spec(NotificationCategory.BOOKING, LOW, _review_replied),
}
