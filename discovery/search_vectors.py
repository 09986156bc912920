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


def _weighted(*columns: tuple[str, str]) -> str:
    """The SQL Django compiles the vectors above to, as a generated column's expression."""
    return " || ".join(
        f"setweight(to_tsvector('{CONFIG}'::regconfig, COALESCE({name}, '')), '{weight}')"
        for name, weight in columns
    )


# Stored (generated) vectors, PostgreSQL only (migration 0002): (table, column, expression,
# GIN index, the 0001 expression index it replaces). Search reads these columns.
STORED = (
    (
        "webinars_webinar",
        "search_vector",
        _weighted(("title", "A"), ("description", "C")),
        "fts_webinar_stored",
        "fts_webinar",
    ),
    (
        "accounts_coach",
        "search_vector",
        _weighted(("headline", "B"), ("bio", "C")),
        "fts_coach_stored",
        "fts_coach",
    ),
)
