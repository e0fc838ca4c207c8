"""PostgreSQL refuses two accepted seats of one person at overlapping times.

The exclusion constraint needs btree_gist (for `user_id WITH =`) and exists
only on PostgreSQL; on SQLite, which has a single writer, the services
serialise accepts in one transaction and re-check instead.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

CONSTRAINT = "no_overlapping_accepted_seats"


def add_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE partnering_participation ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
        "(user_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) WHERE (status = 'accepted')"
    )


def drop_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE partnering_participation DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("partnering", "0001_partner_profiles_and_meetings")]

    operations = [
        BtreeGistExtension(),
        migrations.RunPython(add_exclusion, drop_exclusion),
    ]
