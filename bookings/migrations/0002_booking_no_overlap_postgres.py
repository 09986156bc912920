"""Second line of defence against double booking, PostgreSQL only: an exclusion constraint
that no two time-blocking bookings of one coach overlap. The first line is the coach row lock
taken by every booking write (bookings/locks.py), which is what SQLite relies on.

Needs the btree_gist extension (for `coach_id WITH =` in a GiST index). Creating an extension
needs a superuser or the database owner with the trusted-extension setting; where that is not
allowed, create it once by hand (`CREATE EXTENSION btree_gist;`) before migrating.
"""

from django.db import migrations

# Same list as Booking.BLOCKING_STATUSES.
BLOCKING = "('payment_pending', 'requested', 'confirmed', 'completed')"

CREATE = f"""
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE bookings_booking ADD CONSTRAINT booking_no_overlap_per_coach
    EXCLUDE USING gist (coach_id WITH =, tstzrange(start, "end", '[)') WITH &&)
    WHERE (status IN {BLOCKING});
"""
DROP = "ALTER TABLE bookings_booking DROP CONSTRAINT IF EXISTS booking_no_overlap_per_coach;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("bookings", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
