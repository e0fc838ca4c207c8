from django.db import migrations, models


def keep_existing_texts_as_the_main_language(apps, schema_editor):
    """A poll written before polls had languages keeps its text as the summit's main language's, as themes did
    (events 0007): what everyone read stays what everyone reads."""
    Poll = apps.get_model("livechat", "Poll")
    PollOption = apps.get_model("livechat", "PollOption")
    for poll in Poll.objects.select_related("room__summit").iterator():
        language = poll.room.summit.language
        Poll.objects.filter(pk=poll.pk).update(question_i18n={language: poll.question})
        for option in PollOption.objects.filter(poll_id=poll.pk):
            PollOption.objects.filter(pk=option.pk).update(label_i18n={language: option.label})


class Migration(migrations.Migration):
    dependencies = [("livechat", "0005_fold_existing_attendance"), ("events", "0007_summit_theme_names")]

    operations = [
        migrations.AddField(model_name="poll", name="question_i18n", field=models.JSONField(blank=True, default=dict)),
        migrations.AddField(
            model_name="polloption", name="label_i18n", field=models.JSONField(blank=True, default=dict)
        ),
        migrations.RunPython(keep_existing_texts_as_the_main_language, migrations.RunPython.noop),
    ]
