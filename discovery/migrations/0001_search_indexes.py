"""pg_trgm and the search indexes on the searched tables (PostgreSQL only; on SQLite every
operation here is a no-op and search takes the icontains path).

The full-text indexes are on exactly the weighted SearchVector expressions discovery.selectors
builds (same config, same weights), so PostgreSQL can use them; the trigram indexes serve the
typo fallback (`%` / similarity) and ILIKE."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from discovery.search_vectors import INDEXES


def _indexes(apps):
    for app_label, model_name, name, expression in INDEXES:
        yield apps.get_model(app_label, model_name), GinIndex(expression, name=name)


def _trigram_indexes(apps):
    for app_label, model_name, field in (
        ("webinars", "Webinar", "title"),
        ("accounts", "Coach", "headline"),
        ("bookings", "SessionType", "name"),
        ("accounts", "User", "first_name"),
        ("accounts", "User", "last_name"),
    ):
        model = apps.get_model(app_label, model_name)
        name = f"trgm_{model._meta.db_table}_{field}"[:30]
        yield model, GinIndex(fields=[field], opclasses=["gin_trgm_ops"], name=name)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model, index in (*_indexes(apps), *_trigram_indexes(apps)):
        schema_editor.add_index(model, index)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model, index in (*_indexes(apps), *_trigram_indexes(apps)):
        schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_coach_slug_unique"),
        ("webinars", "0003_slot_end_index"),
        ("bookings", "0003_meeting_url_on_session_type_and_booking"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(forwards, backwards),
    ]
