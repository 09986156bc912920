from django.db import migrations, models
from django.utils.text import slugify


def fill_slugs(apps, schema_editor):
    Coach = apps.get_model("accounts", "Coach")
    taken = set()
    for coach in Coach.objects.select_related("user").order_by("pk"):
        user = coach.user
        base = slugify(f"{user.first_name} {user.last_name}") or slugify(user.email.split("@")[0])
        base = (base or "coach")[:70]
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        Coach.objects.filter(pk=coach.pk).update(slug=slug)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_user_default_payment_method")]

    operations = [
        migrations.AddField(
            model_name="coach",
            name="slug",
            field=models.SlugField(max_length=80, null=True, editable=False),
        ),
        migrations.AddField(
            model_name="coach",
            name="languages",
            field=models.CharField(
                blank=True, help_text="Languages you coach in.", max_length=120
            ),
        ),
        migrations.AlterField(
            model_name="coach",
            name="is_listed",
            field=models.BooleanField(
                default=True,
                help_text="Shown in the directory and search; off: your profile page answers only you.",
            ),
        ),
        migrations.RunPython(fill_slugs, migrations.RunPython.noop),
    ]
