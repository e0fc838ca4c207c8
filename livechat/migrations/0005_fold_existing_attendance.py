"""Fold the intervals recorded before WatchTime and PresenceChange existed.

It calls the live folding code (not a frozen copy): the tables it fills are the
ones created in 0004, and the statements only name columns that migration made.
"""

from django.db import migrations


def fold_existing(apps, schema_editor):
    from livechat.attendance_totals import do_refold_everything

    do_refold_everything()


class Migration(migrations.Migration):
    dependencies = [("livechat", "0004_attendance_totals")]

    operations = [migrations.RunPython(fold_existing, migrations.RunPython.noop)]
