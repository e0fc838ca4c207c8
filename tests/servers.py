"""Real servers and a real browser for tests: free ports, Daphne as production runs it, Chromium.

One copy of this plumbing, so every test that starts a process starts it the same way: on a port
nobody else holds, with the flags of scripts/run, logging to a file, and stopped even when it hangs.
"""

import json
import os
import secrets
import shutil
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
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
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


def shared_database_url(connection, what="a server process of this test"):
    """`database_url_for(connection)`, or the test skipped (failed where services are required) on SQLite,
    whose in-memory test database no other process can see."""
    url = database_url_for(connection)
    if url is None:
        reason = f"{what} must see the test database: PostgreSQL only (DATABASE_URL)"
        if services_required():
            pytest.fail(reason)
        pytest.skip(reason)
    return url


@contextmanager
def server_of_this_test(tmp_path, **extra_env):
    """Daphne serving summit.asgi over this test's own database (the rows it made, the sessions it
    signed in: same SECRET_KEY), on a free port, without Redis; yields its base URL.

    `extra_env` adds or overrides settings (tasks run eagerly in the server, mail to files, ...).
    """
    from django.conf import settings
    from django.db import connection

    env = {
        **os.environ,
        "DATABASE_URL": shared_database_url(connection, "a browser test's server"),
        "HTTPS": "0",
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,  # the sessions made here must read there
        "DJANGO_SETTINGS_MODULE": "summit.settings",
        **extra_env,
    }
    env.pop("REDIS_URL", None)
    port = free_port()
    process = start_daphne(port, env, tmp_path / "daphne.log", ready_path="/api/summits/")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


def start_daphne(port, env, log_path, *, ready_path=None):
    """Daphne serving summit.asgi on `port`, returned once it answers: a TCP connection, or a successful
    GET of `ready_path` when the test needs the application itself up (database reachable, URLs loaded).

    Started with the flags of scripts/run, so a test meets the limits production has (64 KiB websocket
    messages). The log goes to a file, not a pipe: a chatty server can never block on a full pipe.
    """
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "summit.serve",
                "-b",
                "127.0.0.1",
                "-p",
                str(port),
                "--websocket-max-message-size",
                "65536",
                "--websocket-max-frame-size",
                "65536",
                "summit.asgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + DAPHNE_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"Daphne on {port} exited with {process.returncode}:\n{Path(log_path).read_text()[-3000:]}")
        if _answers(port, ready_path):
            return process
        time.sleep(0.2)
    stop(process)
    pytest.fail(
        f"Daphne on {port} did not answer within {DAPHNE_START_SECONDS}s:\n{Path(log_path).read_text()[-3000:]}"
    )


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


def start_nginx(tmp_path, upstream_ports):
    """The shipped deploy/nginx.conf in front of `upstream_ports`, on a free port; returns (process, port).

    Only the addresses change: `listen 80` becomes the free port and the upstream's `web:8000` (every
    replica, under docker compose) becomes one `server` line per Daphne given.
    """
    import re

    if shutil.which("nginx") is None:
        if services_required():
            pytest.fail("nginx is required for the tests behind the shipped nginx.conf")
        pytest.skip("nginx not installed")
    port = free_port()
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    site, listens = re.subn(r"listen\s+80\s*;", f"listen 127.0.0.1:{port};", site)
    servers = "".join(f"server 127.0.0.1:{upstream} max_fails=1 fail_timeout=30s; " for upstream in upstream_ports)
    site, upstreams = re.subn(r"server\s+web:8000\s*;", servers, site)
    assert listens == 1 and upstreams == 1, "deploy/nginx.conf changed shape: update start_nginx"
    temp = tmp_path / "nginx"
    temp.mkdir()
    (temp / "site.conf").write_text(site)
    (temp / "nginx.conf").write_text(
        f"user root root;\nworker_processes 1;\ndaemon off;\npid {temp}/nginx.pid;\nerror_log {temp}/error.log;\n"
        "events { worker_connections 256; }\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {temp}/body;\n  proxy_temp_path {temp}/proxy;\n"
        f"  fastcgi_temp_path {temp}/fastcgi;\n  uwsgi_temp_path {temp}/uwsgi;\n  scgi_temp_path {temp}/scgi;\n"
        f"  include {temp}/site.conf;\n}}\n"
    )
    with open(temp / "stdout.log", "w") as log:
        process = subprocess.Popen(
            ["nginx", "-p", str(temp), "-c", str(temp / "nginx.conf")], stdout=log, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 10
    while not _answers(port, None):
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            pytest.fail(f"nginx did not start:\n{(temp / 'error.log').read_text()[-3000:]}")
        time.sleep(0.1)
    return process, port


def server_database(tmp, label="browser"):
    """A migrated database of the server's own: beside DATABASE_URL's when that is PostgreSQL (a clone of
    the migrated template, tests/databases.py), else a SQLite file migrated now.

    Returns (DATABASE_URL, drop): call drop() once the server has stopped.
    """
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        database_url = f"sqlite:///{tmp / f'{label}.sqlite3'}"
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
            cwd=ROOT,
            env=server_env(tmp, database_url),
            check=True,
        )
        return database_url, lambda: None
    import psycopg

    from tests.databases import admin_url, clone

    base, _slash, name = url.rpartition("/")
    server_name = f"{name or 'summit'}_{label}_{os.getpid()}"
    database_url = clone(url, server_name)

    def drop():
        with psycopg.connect(admin_url(url), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{server_name}" WITH (FORCE)')

    return database_url, drop


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
def demo_server(tmp, usernames, label="demo", **extra_env):
    """Daphne serving the demo summit (`manage.py seed_demo`) from a database of its own.

    Yields {"url", "cookies": {username: sessionid}, "env", "log"}; `env` lets a test run
    manage.py or a script against the same database (its DEMO_PASSWORD is the organiser's).
    `extra_env` adds settings, such as tasks run in the server process and mail written to files.
    """
    require_chromium()
    database_url, drop_database = server_database(tmp, label)
    env = server_env(tmp, database_url, DEMO_PASSWORD=secrets.token_urlsafe(12), **extra_env)
    try:
        subprocess.run([sys.executable, "manage.py", "seed_demo"], cwd=ROOT, env=env, check=True, capture_output=True)
        cookies = json.loads(
            subprocess.run(
                [sys.executable, "-c", DEMO_SESSIONS_SCRIPT, *usernames],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        port = free_port()
        log = tmp / "daphne.log"
        process = start_daphne(port, env, log, ready_path="/")
        try:
            yield {"url": f"http://127.0.0.1:{port}", "cookies": cookies, "env": env, "log": log}
        finally:
            stop(process)
    finally:
        drop_database()


# --- the stage's media server (nginx with the RTMP module), ffmpeg and a Celery worker ---------------

NGINX = "/usr/sbin/nginx"
RTMP_MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so"
MEDIA_START_SECONDS = 15


def require_media_server():
    """Skip a stage test where nginx, its RTMP module or ffmpeg is missing, but fail it where services are
    required: `make test` installs them (scripts/install-system-packages)."""
    missing = [path for path in (NGINX, RTMP_MODULE) if not os.path.exists(path)]
    missing += [tool for tool in ("ffmpeg", "ffprobe") if shutil.which(tool) is None]
    if not missing:
        return
    reason = f"missing {', '.join(missing)}: install nginx, libnginx-mod-rtmp and ffmpeg (make system-packages)"
    if services_required():
        pytest.fail(reason)
    pytest.skip(reason)


def start_media_server(config_path, rtmp_port, log_path):
    """nginx in the foreground from the configuration the platform rendered, once its RTMP port answers."""
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [NGINX, "-e", "stderr", "-p", str(Path(config_path).parent), "-c", str(config_path)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + MEDIA_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"nginx exited with {process.returncode}:\n{Path(log_path).read_text()[-3000:]}")
        if _answers(rtmp_port, None):
            return process
        time.sleep(0.1)
    stop(process)
    pytest.fail(f"nginx did not listen on {rtmp_port} within {MEDIA_START_SECONDS}s")


def start_media_script(env, rtmp_port, log_path):
    """scripts/media (what `make run` supervises) on `env`'s settings, once its RTMP port answers."""
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [str(ROOT / "scripts" / "media")],
            cwd=ROOT,
            env={**env, "PYTHON": sys.executable},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + MEDIA_START_SECONDS + 45  # it runs manage.py first
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"scripts/media exited with {process.returncode}:\n{Path(log_path).read_text()[-3000:]}")
        if _answers(rtmp_port, None):
            return process
        time.sleep(0.1)
    stop(process)
    pytest.fail(f"scripts/media did not listen on {rtmp_port}:\n{Path(log_path).read_text()[-3000:]}")


def start_celery_worker(env, log_path):
    """A real worker (solo pool: one process to stop), returned once it says it is ready."""
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "summit",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the Celery worker exited with {process.returncode}:\n{Path(log_path).read_text()[-3000:]}")
        if "ready." in Path(log_path).read_text():
            return process
        time.sleep(0.2)
    stop(process)
    pytest.fail(f"the Celery worker did not start:\n{Path(log_path).read_text()[-3000:]}")


def publish_test_pattern(url, log_path, *, seconds=60, audio_only=False):
    """ffmpeg pushing a test picture and tone to `url` in real time, as OBS would."""
    video = [] if audio_only else ["-f", "lavfi", "-i", "testsrc=size=320x240:rate=25"]
    codecs = (
        []
        if audio_only
        else ["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25", "-pix_fmt", "yuv420p"]
    )
    with open(log_path, "w") as log:
        return subprocess.Popen(
            [
                "ffmpeg",
                "-nostdin",
                "-v",
                "error",
                "-re",
                *video,
                "-f",
                "lavfi",
                "-i",
                "sine=frequency=440",
                "-t",
                str(seconds),
                *codecs,
                "-c:a",
                "aac",
                "-f",
                "flv",
                url,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
