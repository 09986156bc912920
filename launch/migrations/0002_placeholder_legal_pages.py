"""The three legal pages with placeholder text; staff replace it in the admin before launch."""

from django.db import migrations

PLACEHOLDER = (
    "This is placeholder text. Platform staff replace it in the admin "
    "(Launch › Legal pages) before launch.\n\n"
    "Questions? Write to hello@coaching.local."
)

PAGES = [
    ("terms", "Terms of service"),
    ("privacy", "Privacy policy"),
    ("imprint", "Imprint"),
]


def create_pages(apps, schema_editor):
    LegalPage = apps.get_model("launch", "LegalPage")
    for slug, title in PAGES:
        LegalPage.objects.get_or_create(slug=slug, defaults={"title": title, "body": PLACEHOLDER})


class Migration(migrations.Migration):
    dependencies = [("launch", "0001_legal_pages_and_leads")]

    operations = [migrations.RunPython(create_pages, migrations.RunPython.noop)]
