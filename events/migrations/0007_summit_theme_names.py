from django.db import migrations, models


def keep_existing_themes_as_the_main_language(apps, schema_editor):
    """A theme written before themes had languages keeps its text as the summit's main language and as its key."""
    Summit = apps.get_model("events", "Summit")
    for summit in Summit.objects.all():
        summit.theme_names = {key: {summit.language: key} for key in summit.themes}
        summit.save(update_fields=["theme_names"])


class Migration(migrations.Migration):
    dependencies = [("events", "0006_merge_20261201_1148")]

    operations = [
        migrations.AddField(
            model_name="summit", name="theme_names", field=models.JSONField(blank=True, default=dict)
        ),
        migrations.RunPython(keep_existing_themes_as_the_main_language, migrations.RunPython.noop),
    ]
