"""Real servers and a real browser for tests: free ports, Daphne as production runs it, Chromium.

One copy of this plumbing, so every test that starts a process starts it the same way: on a port
nobody else holds, with the flags of scripts/run, logging to a file, and stopped even when it hangs.
"""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import services_required

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DAPHNE_START_SECONDS = 40


def free_port():
    """A port the system just handed out: other test runs share this machine, so never a fixed one."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url_for(connection):
    """The DATABASE_URL of `connection`'s database, for a subprocess that must see this test's rows.

    None for SQLite: its test database lives in this process's memory, out of any other process's reach.
    """
    if connection.vendor != "postgresql":
        return None
    db = connection.settings_dict
    login = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db.get("PASSWORD") else "")
    return f"postgres://{login}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_daphne(port, env, log_path, *, ready_path=None):
    """Daphne serving summit.asgi on `port`, returned once it answers: a TCP connection, or a successful
    GET of `ready_path` when the test needs the application itself up (database reachable, URLs loaded).

    Started with the flags of scripts/run, so a test meets the limits production has (64 KiB websocket
    messages). The log goes to a file, not a pipe: a chatty server can never block on a full pipe.
    """
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
             "--websocket-max-message-size", "65536", "--websocket-max-frame-size", "65536",
             "summit.asgi:application"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + DAPHNE_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"Daphne on {port} exited with {process.returncode}:\n{Path(log_path).read_text()[-3000:]}")
        if _answers(port, ready_path):
            return process
        time.sleep(0.2)
    stop(process)
    pytest.fail(f"Daphne on {port} did not answer within {DAPHNE_START_SECONDS}s:\n"
                f"{Path(log_path).read_text()[-3000:]}")


def _answers(port, ready_path):
    try:
        if ready_path is None:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        else:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{ready_path}", timeout=2) as response:
                response.read()
    except OSError:  # refused, timed out, or an HTTP error status while the application starts
        return False
    return True


def stop(process):
    """Ask politely, then kill: a server stuck in shutdown must not outlive its test."""
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def require_chromium():
    """Skip a browser test where Debian's Chromium is missing, but fail it where services are required
    (CI, REQUIRE_SERVICES): there a missing browser is a broken machine, not a choice."""
    if os.access(CHROMIUM, os.X_OK):
        return
    reason = f"{CHROMIUM} is missing: install Debian's chromium (make system-packages) to run browser tests"
    if services_required():
        pytest.fail(reason)
    pytest.skip(reason)


def launch_chromium(playwright):
    """The system's headless Chromium (Playwright's own download is not used), once it is known to be there."""
    require_chromium()
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def server_database(tmp, label="browser"):
    """A database of the server's own: beside DATABASE_URL's when that is PostgreSQL, else a SQLite file.

    Returns (DATABASE_URL, drop): call drop() once the server has stopped.
    """
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp / f'{label}.sqlite3'}", lambda: None
    import psycopg

    base, _slash, name = url.rpartition("/")
    server_name = f"{name or 'summit'}_{label}_{os.getpid()}"
    admin = f"{base}/postgres".replace("postgres://", "postgresql://", 1)

    def run(sql):
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(sql)

    run(f'DROP DATABASE IF EXISTS "{server_name}"')
    run(f'CREATE DATABASE "{server_name}"')
    return f"{base}/{server_name}", lambda: run(f'DROP DATABASE IF EXISTS "{server_name}" WITH (FORCE)')


def server_env(tmp, database_url, **extra):
    """The environment of a production-like server process (DEBUG off, plain HTTP) over its own database."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "summit.settings",
        "DATABASE_URL": database_url,
        "VAR_DIR": str(tmp / "var"),
        "SECRET_KEY": secrets.token_urlsafe(40),
        "DEBUG": "0",
        "HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CHANNEL_LAYER_PREFIX": f"browser-{secrets.token_hex(4)}",
        "CACHE_KEY_PREFIX": f"browser-{secrets.token_hex(4)}",
        **extra,
    }


# Run in the demo server's database after seed_demo: a signed-in browser session per named person.
DEMO_SESSIONS_SCRIPT = """
import json, sys, django
django.setup()
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model

store = import_module(settings.SESSION_ENGINE).SessionStore
cookies = {}
for username in sys.argv[1:]:
    user = get_user_model().objects.get(username=username)
    session = store()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    cookies[username] = session.session_key
print(json.dumps(cookies))
"""


@contextmanager
def demo_server(tmp, usernames, label="demo"):
    """Daphne serving the demo summit (`manage.py seed_demo`) from a database of its own.

    Yields {"url", "cookies": {username: sessionid}, "env", "log"}; `env` lets a test run
    manage.py or a script against the same database.
    """
    require_chromium()
    database_url, drop_database = server_database(tmp, label)
    env = server_env(tmp, database_url, DEMO_PASSWORD=secrets.token_urlsafe(12))
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run([sys.executable, "manage.py", "seed_demo"], cwd=ROOT, env=env, check=True,
                       capture_output=True)
        cookies = json.loads(subprocess.run([sys.executable, "-c", DEMO_SESSIONS_SCRIPT, *usernames], cwd=ROOT,
                                            env=env, check=True, capture_output=True, text=True).stdout)
        port = free_port()
        log = tmp / "daphne.log"
        process = start_daphne(port, env, log, ready_path="/")
        try:
            yield {"url": f"http://127.0.0.1:{port}", "cookies": cookies, "env": env, "log": log}
        finally:
            stop(process)
    finally:
        drop_database()
