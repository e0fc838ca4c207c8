"""One migrated PostgreSQL database per set of migrations, cloned for every test database and server.

Migrating from nothing costs about a minute on a busy 2-core machine, and a run wanted one migrate per
xdist worker and one per server a test starts over its own database. Instead the first process that
needs one runs `manage.py migrate` once into `test_<name>_migrated_<key>` and everyone else clones it
(`CREATE DATABASE ... TEMPLATE`, a file copy, well under a second). The key is a hash of Django's
version and of every migration file of every installed app, so a changed or added migration builds a
new template, migrated from nothing again: what a clone holds is what those migrations produce.
SQLite (the second pass) does the same with a migrated file under var/test/, which each worker's
in-memory test database starts as a copy of.
"""

import contextlib
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
LOCK = 7_240_022  # pg_advisory_lock key: one builder at a time, among every worker and run on this server


def migration_files():
    """[(app label, path)] of every installed app's migration modules, in a stable order."""
    from django.apps import apps

    return [
        (app.label, path)
        for app in sorted(apps.get_app_configs(), key=lambda config: config.label)
        for path in sorted((Path(app.path) / "migrations").glob("*.py"))
    ]


def migrations_key():
    """A hash of Django's version and of every installed app's migration files (names and contents)."""
    import django

    digest = hashlib.sha256(django.get_version().encode())
    for label, path in migration_files():
        digest.update(f"{label}/{path.name}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def template_name(name):
    """The template of database `name`'s test databases for today's migrations (at most 63 characters)."""
    return f"test_{name[:34]}_migrated_{migrations_key()}"


def admin_url(url):
    """`url` (postgres://.../name) pointed at the maintenance database, in psycopg's spelling."""
    base, _slash, _name = url.rpartition("/")
    return f"{base}/postgres".replace("postgres://", "postgresql://", 1)


def migrated_template(url):
    """The name of a migrated template for PostgreSQL database `url`'s tests, built now if missing."""
    base, _slash, name = url.rpartition("/")
    template = template_name(name or "summit")
    with psycopg.connect(admin_url(url), autocommit=True) as admin:
        admin.execute("SELECT pg_advisory_lock(%s)", [LOCK])
        try:
            if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone():
                _build(admin, f"{base}/{template}", template)
        finally:
            admin.execute("SELECT pg_advisory_unlock(%s)", [LOCK])
    return template


def _migrate(database_url):
    """`manage.py migrate` from nothing into `database_url`, as a deployment runs it."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "summit.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
    except subprocess.CalledProcessError as error:
        raise RuntimeError(f"the migrations did not apply:\n{error.stdout}\n{error.stderr}") from None


def _build(admin, url, template):
    building = f"{template[:54]}_building"
    admin.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{building}"')
    try:
        _migrate(url.rpartition("/")[0] + f"/{building}")
    except RuntimeError:
        admin.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
        raise
    admin.execute(f'ALTER DATABASE "{building}" RENAME TO "{template}"')
    # Templates of older migrations: nobody clones them any more (one still being cloned stays, harmlessly).
    prefix = template.rsplit("_", 1)[0] + "_"
    stale = admin.execute(
        "SELECT datname FROM pg_database WHERE starts_with(datname, %s) AND datname <> %s", [prefix, template]
    ).fetchall()
    for (old,) in stale:
        if not old.endswith("_building"):
            with contextlib.suppress(psycopg.Error):
                admin.execute(f'DROP DATABASE IF EXISTS "{old}"')


def clone(url, new_name):
    """A fresh migrated database `new_name` beside PostgreSQL database `url`; returns its URL."""
    template = migrated_template(url)
    with psycopg.connect(admin_url(url), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{new_name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{new_name}" TEMPLATE "{template}"')
    return url.rpartition("/")[0] + f"/{new_name}"


def flush_by_delete():
    """Transactional tests empty every table after each test; on PostgreSQL with DELETE, not TRUNCATE.

    TRUNCATE gives each of the ~55 tables new files, synced at commit: 0.3 s to 2 s a test on a busy
    machine, against a few milliseconds for DELETE of the handful of rows a test made. The end is the
    same, every table empty: Django's foreign keys are DEFERRABLE INITIALLY DEFERRED, so the deletes
    run in any order inside flush's one transaction. A flush that resets sequences keeps TRUNCATE.
    """
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or not tables:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return ["SET CONSTRAINTS ALL DEFERRED;"] + [
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};" for table in tables
        ]

    DatabaseOperations.sql_flush = sql_flush


def sqlite_template():
    """The path of a migrated SQLite file for today's migrations, built now if missing (one builder at a time)."""
    import fcntl

    folder = Path(os.environ.get("VAR_DIR", ROOT / "var" / "test"))
    if folder.name.startswith("gw"):  # tests/environment.py's per-worker folder: the template is shared
        folder = folder.parent
    folder.mkdir(parents=True, exist_ok=True)
    template = folder / f"migrated-{migrations_key()}.sqlite3"
    with open(folder / "migrated.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not template.exists():
            building = template.with_suffix(".building")
            building.unlink(missing_ok=True)
            _migrate(f"sqlite:///{building}")
            building.rename(template)
            for old in folder.glob("migrated-*.sqlite3"):
                if old != template:
                    old.unlink(missing_ok=True)
    return template


def load_sqlite_template():
    """Each in-memory SQLite test database starts as a copy of the migrated file (sqlite3's backup, a
    page copy), so Django's migrate finds nothing to apply."""
    import sqlite3

    from django.db.backends.sqlite3.creation import DatabaseCreation

    create = DatabaseCreation._create_test_db
    held = []  # a shared-cache in-memory database lives while one connection to it is open

    def _create_test_db(self, verbosity, autoclobber, keepdb=False):
        name = create(self, verbosity, autoclobber, keepdb)
        if self.is_in_memory_db(name) and not keepdb:
            source = sqlite3.connect(sqlite_template())
            target = sqlite3.connect(name, uri=True)
            source.backup(target)
            source.close()
            held.append(target)
        return name

    DatabaseCreation._create_test_db = _create_test_db
