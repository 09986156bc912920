"""The weighted full-text expressions search ranks by, shared by the selectors and the
migration that indexes them (an expression index is used only for the identical expression).
Weights: title/name A > headline B > description/bio C."""

from django.contrib.postgres.search import SearchVector

CONFIG = "english"


def webinar_vector():
    return SearchVector("title", weight="A", config=CONFIG) + SearchVector(
        "description", weight="C", config=CONFIG
    )


def coach_vector():
    return SearchVector("headline", weight="B", config=CONFIG) + SearchVector(
        "bio", weight="C", config=CONFIG
    )


def session_type_vector():
    return SearchVector("name", weight="A", config=CONFIG) + SearchVector(
        "description", weight="C", config=CONFIG
    )


INDEXES = (
    ("webinars", "Webinar", "fts_webinar", webinar_vector()),
    ("accounts", "Coach", "fts_coach", coach_vector()),
    ("bookings", "SessionType", "fts_sessiontype", session_type_vector()),
)
