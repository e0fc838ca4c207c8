"""Shared by every section: numbers, tables, verdicts, and the machine the run was on."""

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

import psutil

PACKAGES = [
    "Django",
    "channels",
    "daphne",
    "channels-redis",
    "redis",
    "Twisted",
    "psycopg",
    "websockets",
    "uvloop",
    "psutil",
    "py-spy",
]


TARGET_P99_MS = 250


GENERATOR_NOTE_CORES = 0.5


def machine(env):
    """CPU, memory and the versions that matter, for the report's header."""
    import redis
    from django.db import connection

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("select sqlite_version()")
            database = f"SQLite {cursor.fetchone()[0]}"
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "packages": {name: installed_version(name) for name in PACKAGES},
        "redis_server": redis.Redis.from_url(env["REDIS_URL"], socket_timeout=5).info()["redis_version"],
        "database": database,
        "db_pool_max": env.get("DB_POOL_MAX"),
        "commit": commit,
    }


def installed_version(name):
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def entries(result):
    """A scenario's results as a list: some run once per design or server count, some once."""
    if result is None:
        return []
    return result if isinstance(result, list) else [result]


def fmt(value, unit=""):
    if value is None:
        return "–"
    if isinstance(value, float):
        value = f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.2f}"
    elif isinstance(value, int):
        value = f"{value:,}"
    return f"{value}{unit}"


def table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += [
        "| " + " | ".join(fmt(cell) if not isinstance(cell, str) else cell for cell in row) + " |" for row in rows
    ]
    return "\n".join(lines)


def not_run(result):
    if isinstance(result, dict):
        return result.get("not_run") or result.get("failed") or result.get("error")
    return None


def verdict(ok):
    return "yes" if ok else "**no**"
