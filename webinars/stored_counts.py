"""Database triggers that keep the webinar row's stored start/end and seat counts
(`Webinar.DB_MAINTAINED_FIELDS`) equal to what its slots and registrations say.

Triggers rather than service code: slots and registrations are written by the services but
also by the admin, bulk updates, demo data and test fixtures; a trigger keeps every one of
them right, in the writer's own transaction (a seat writer already holds the webinar row
lock, so the UPDATE it fires waits for nothing new). Each trigger recomputes the values from
the rows (no increments that could drift); webinars/tests/test_stored_counts.py checks them
against a recount after every seat and slot operation.

Installed by migration 0005 and again after every `migrate` (apps.py, post_migrate): on
SQLite, Django rebuilds a table to alter it, which drops its triggers.
"""

from __future__ import annotations

VERSION_BUMP = "counts_version = counts_version + 1, "
SLOT_SET = (
    VERSION_BUMP
    + "starts_at = (SELECT MIN(s.start) FROM webinars_webinarslot s WHERE s.webinar_id = {id}), "
    'ends_at = (SELECT MAX(s."end") FROM webinars_webinarslot s WHERE s.webinar_id = {id})'
)
SEAT_SET = (
    VERSION_BUMP
    + "seats_taken = (SELECT COUNT(*) FROM webinars_registration r WHERE r.webinar_id = {id}"
    " AND r.status IN ('held', 'confirmed')), "
    "seats_confirmed = (SELECT COUNT(*) FROM webinars_registration r"
    " WHERE r.webinar_id = {id} AND r.status = 'confirmed'), "
    "next_hold_expires_at = (SELECT MIN(r.hold_expires_at) FROM webinars_registration r"
    " WHERE r.webinar_id = {id} AND r.status = 'held')"
)


def _changed(columns: str) -> str:
    """Only an UPDATE that changes a counted column fires: a save that rewrites the same
    values (a full `save()` of a registration while paying) never touches the webinar row,
    so it takes no lock there (seat changes already hold it, see webinars/locks.py)."""
    names = [c.strip() for c in columns.split(",")]
    return " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in names)


def _postgres(kind: str, table: str, set_sql: str, columns: str) -> list[str]:
    new, old = set_sql.format(id="NEW.webinar_id"), set_sql.format(id="OLD.webinar_id")
    return [
        f"""CREATE OR REPLACE FUNCTION webinars_sync_{kind}() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    UPDATE webinars_webinar SET {new} WHERE id = NEW.webinar_id;
  END IF;
  IF TG_OP = 'DELETE' OR OLD.webinar_id <> NEW.webinar_id THEN
    UPDATE webinars_webinar SET {old} WHERE id = OLD.webinar_id;
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
        f"DROP TRIGGER IF EXISTS webinars_sync_{kind} ON {table}",
        f"""CREATE TRIGGER webinars_sync_{kind} AFTER INSERT OR DELETE
ON {table} FOR EACH ROW EXECUTE FUNCTION webinars_sync_{kind}()""",
        f"DROP TRIGGER IF EXISTS webinars_sync_{kind}_update ON {table}",
        f"""CREATE TRIGGER webinars_sync_{kind}_update AFTER UPDATE OF {columns}
ON {table} FOR EACH ROW WHEN ({_changed(columns)}) EXECUTE FUNCTION webinars_sync_{kind}()""",
    ]


def _sqlite(kind: str, table: str, set_sql: str, columns: str) -> list[str]:
    new, old = set_sql.format(id="NEW.webinar_id"), set_sql.format(id="OLD.webinar_id")
    return [
        f"DROP TRIGGER IF EXISTS webinars_sync_{kind}_insert",
        f"""CREATE TRIGGER webinars_sync_{kind}_insert AFTER INSERT ON {table}
BEGIN UPDATE webinars_webinar SET {new} WHERE id = NEW.webinar_id; END""",
        f"DROP TRIGGER IF EXISTS webinars_sync_{kind}_update",
        f"""CREATE TRIGGER webinars_sync_{kind}_update AFTER UPDATE OF {columns}
ON {table} WHEN {_changed(columns)} BEGIN
UPDATE webinars_webinar SET {new} WHERE id = NEW.webinar_id;
UPDATE webinars_webinar SET {old} WHERE id = OLD.webinar_id AND OLD.webinar_id <> NEW.webinar_id;
END""",
        f"DROP TRIGGER IF EXISTS webinars_sync_{kind}_delete",
        f"""CREATE TRIGGER webinars_sync_{kind}_delete AFTER DELETE ON {table}
BEGIN UPDATE webinars_webinar SET {old} WHERE id = OLD.webinar_id; END""",
    ]


TRIGGERS = (
    ("slots", "webinars_webinarslot", SLOT_SET, 'webinar_id, start, "end"'),
    ("seats", "webinars_registration", SEAT_SET, "webinar_id, status, hold_expires_at"),
)


def install_triggers(connection) -> None:
    vendor = connection.vendor
    build = {"postgresql": _postgres, "sqlite": _sqlite}.get(vendor)
    if build is None:
        raise RuntimeError(f"webinars.stored_counts: no triggers written for {vendor}")
    with connection.cursor() as cursor:
        for kind, table, set_sql, columns in TRIGGERS:
            for statement in build(kind, table, set_sql, columns):
                cursor.execute(statement)


def recount_all(connection) -> None:
    """Recompute every webinar's stored values (the backfill)."""
    seats = SEAT_SET.format(id="webinars_webinar.id").replace(VERSION_BUMP, "")
    both = SLOT_SET.format(id="webinars_webinar.id") + ", " + seats
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE webinars_webinar SET {both}")


def drop_triggers(connection) -> None:
    vendor = connection.vendor
    with connection.cursor() as cursor:
        for kind, table, _, _ in TRIGGERS:
            if vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS webinars_sync_{kind} ON {table}")
                cursor.execute(f"DROP TRIGGER IF EXISTS webinars_sync_{kind}_update ON {table}")
                cursor.execute(f"DROP FUNCTION IF EXISTS webinars_sync_{kind}()")
            else:
                for when in ("insert", "update", "delete"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS webinars_sync_{kind}_{when}")
