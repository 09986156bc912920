from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_coach_slug_languages")]

    operations = [
        migrations.AlterField(
            model_name="coach",
            name="slug",
            field=models.SlugField(max_length=80, unique=True, editable=False),
        ),
    ]
