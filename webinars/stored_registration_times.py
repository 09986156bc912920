"""Database triggers that copy the webinar's stored start/end (`Webinar.starts_at` /
`ends_at`, themselves kept by webinars/stored_counts.py) onto each of its registrations
(`Registration.webinar_starts_at` / `webinar_ends_at`).

Why on the registration: My Bookings lists a person's past seats newest first, a LIMIT over
the index (user, webinar_starts_at, id), and finds the upcoming ones and those open for a
review through (user, webinar_ends_at); with the times only on the webinar row the database
joins and sorts the person's whole history on every request.

Triggers for the same reason as stored_counts: registrations and slots are written by the
services, the admin, bulk updates, fixtures and demo data; the database keeps every one of
them right, in the writer's own transaction.
- a registration written (insert, or an update that names the webinar or the copied
  columns, as a full `save()` of a stale instance does) takes the values of its webinar row;
- a webinar row whose stored start or end changes (the slot triggers of stored_counts)
  passes them on to its registrations.

Installed by migration 0007 (with the backfill) and again after every `migrate` (apps.py,
post_migrate), as SQLite drops a table's triggers when a migration rebuilds it.
"""

from __future__ import annotations

MIGRATION = ("webinars", "0007_registration_webinar_times")

_POSTGRES = [
    """CREATE OR REPLACE FUNCTION webinars_registration_times() RETURNS trigger AS $$
BEGIN
  SELECT w.starts_at, w.ends_at INTO NEW.webinar_starts_at, NEW.webinar_ends_at
    FROM webinars_webinar w WHERE w.id = NEW.webinar_id;
  RETURN NEW;
END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS webinars_registration_times ON webinars_registration",
    """CREATE TRIGGER webinars_registration_times
BEFORE INSERT OR UPDATE OF webinar_id, webinar_starts_at, webinar_ends_at
ON webinars_registration FOR EACH ROW EXECUTE FUNCTION webinars_registration_times()""",
    """CREATE OR REPLACE FUNCTION webinars_webinar_times() RETURNS trigger AS $$
BEGIN
  UPDATE webinars_registration
    SET webinar_starts_at = NEW.starts_at, webinar_ends_at = NEW.ends_at
    WHERE webinar_id = NEW.id;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS webinars_webinar_times ON webinars_webinar",
    """CREATE TRIGGER webinars_webinar_times AFTER UPDATE OF starts_at, ends_at
ON webinars_webinar FOR EACH ROW
WHEN (OLD.starts_at IS DISTINCT FROM NEW.starts_at OR OLD.ends_at IS DISTINCT FROM NEW.ends_at)
EXECUTE FUNCTION webinars_webinar_times()""",
]

_FROM_WEBINAR = (
    "webinar_starts_at = (SELECT w.starts_at FROM webinars_webinar w WHERE w.id = {id}), "
    "webinar_ends_at = (SELECT w.ends_at FROM webinars_webinar w WHERE w.id = {id})"
)
_SQLITE_SET = _FROM_WEBINAR.format(id="NEW.webinar_id")
_SQLITE = [
    # SQLite has no BEFORE triggers that rewrite NEW: the row is corrected right after the
    # write (recursive triggers are off, and the WHEN clause stops at the right values).
    "DROP TRIGGER IF EXISTS webinars_registration_times_insert",
    f"""CREATE TRIGGER webinars_registration_times_insert AFTER INSERT ON webinars_registration
BEGIN UPDATE webinars_registration SET {_SQLITE_SET} WHERE id = NEW.id; END""",
    "DROP TRIGGER IF EXISTS webinars_registration_times_update",
    f"""CREATE TRIGGER webinars_registration_times_update
AFTER UPDATE OF webinar_id, webinar_starts_at, webinar_ends_at ON webinars_registration
WHEN NEW.webinar_starts_at IS NOT (SELECT w.starts_at FROM webinars_webinar w
                                    WHERE w.id = NEW.webinar_id)
  OR NEW.webinar_ends_at IS NOT (SELECT w.ends_at FROM webinars_webinar w
                                  WHERE w.id = NEW.webinar_id)
BEGIN UPDATE webinars_registration SET {_SQLITE_SET} WHERE id = NEW.id; END""",
    "DROP TRIGGER IF EXISTS webinars_webinar_times",
    """CREATE TRIGGER webinars_webinar_times AFTER UPDATE OF starts_at, ends_at
ON webinars_webinar
WHEN OLD.starts_at IS NOT NEW.starts_at OR OLD.ends_at IS NOT NEW.ends_at
BEGIN UPDATE webinars_registration
  SET webinar_starts_at = NEW.starts_at, webinar_ends_at = NEW.ends_at
  WHERE webinar_id = NEW.id; END""",
]


def install_triggers(connection) -> None:
    statements = {"postgresql": _POSTGRES, "sqlite": _SQLITE}.get(connection.vendor)
    if statements is None:
        raise RuntimeError(
            f"webinars.stored_registration_times: no triggers for {connection.vendor}"
        )
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def copy_all(connection) -> None:
    """Copy every webinar's stored start/end onto its registrations (the backfill)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE webinars_registration SET "
            + _FROM_WEBINAR.format(id="webinars_registration.webinar_id")
        )


def drop_triggers(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "DROP TRIGGER IF EXISTS webinars_registration_times ON webinars_registration"
            )
            cursor.execute("DROP TRIGGER IF EXISTS webinars_webinar_times ON webinars_webinar")
            cursor.execute("DROP FUNCTION IF EXISTS webinars_registration_times()")
            cursor.execute("DROP FUNCTION IF EXISTS webinars_webinar_times()")
        else:
            for name in ("registration_times_insert", "registration_times_update", "webinar_times"):
                cursor.execute(f"DROP TRIGGER IF EXISTS webinars_{name}")
