"""Channels were named `<room id>-<language>`, so anyone could find a room's stream: give each a random
name (and the recordings still waiting for their file, which find their channel's publish by it)."""

import secrets

from django.db import migrations, models

import stage.models


def rename_channels(apps, schema_editor):
    Channel = apps.get_model("stage", "Channel")
    Recording = apps.get_model("stage", "Recording")
    for channel in Channel.objects.all():
        old = channel.public_name
        channel.public_name = secrets.token_hex(12)
        channel.save(update_fields=["public_name"])
        Recording.objects.filter(public_name=old).exclude(status="ready").update(public_name=channel.public_name)


class Migration(migrations.Migration):
    dependencies = [("stage", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="channel",
            name="public_name",
            field=models.CharField(default=stage.models.new_public_name, max_length=64, unique=True),
        ),
        migrations.RunPython(rename_channels, migrations.RunPython.noop),
    ]
