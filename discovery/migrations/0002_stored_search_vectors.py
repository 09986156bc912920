"""Stored search vectors (PostgreSQL only): a generated tsvector column on webinars and coach
profiles with a GIN index, so ranking reads the stored vector instead of recomputing
to_tsvector for every match. The column holds exactly the weighted expression of
discovery.search_vectors (same config, same weights); the expression indexes of 0001 are no
longer used by search and are dropped (writes maintain one index, not two). SQLite: no-op,
search takes the icontains path there."""

from django.db import migrations

from discovery.search_vectors import STORED


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column, expression, index, old_index in STORED:
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} tsvector "
            f"GENERATED ALWAYS AS ({expression}) STORED"
        )
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin ({column})"
        )
        schema_editor.execute(f"DROP INDEX IF EXISTS {old_index}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column, expression, index, old_index in STORED:
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS {column}")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {old_index} ON {table} USING gin (({expression}))"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("discovery", "0001_search_indexes"),
        ("webinars", "0006_stored_times_and_seats"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
