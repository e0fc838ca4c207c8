"""The suite's own database set-up (tests/databases.py): a clone of the migrated template is what the
migrations make, and a changed migration builds a new template."""

from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from tests.databases import migration_files, migrations_key


def test_the_template_key_covers_every_migration_django_knows():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    files = {(label, path.stem) for label, path in migration_files()}
    assert set(loader.disk_migrations) <= files


def test_the_template_key_changes_when_a_migration_file_does(monkeypatch):
    before = migrations_key()
    (label, changed), *_rest = [(label, path) for label, path in migration_files() if path.stem != "__init__"]
    original = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda path: original(path) + (b"#" if path == changed else b""))
    assert migrations_key() != before


@pytest.mark.django_db
def test_the_test_database_has_every_migration_applied_and_none_waiting():
    loader = MigrationLoader(connection)
    assert set(loader.disk_migrations) <= set(loader.applied_migrations)
    assert not loader.detect_conflicts()
