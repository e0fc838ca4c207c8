"""Real servers and a real browser for tests: free ports, Daphne as production runs it, Chromium.

One copy of this plumbing, so every test that starts a process starts it the same way: on a port
nobody else holds, with the flags of scripts/run, logging to a file, and stopped even when it hangs.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
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
            stdout=log, stderr=subprocess.STDOUT,
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


def start_celery_worker(env, log_path):
    """A real worker (solo pool: one process to stop), returned once it says it is ready."""
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "summit", "worker", "--pool=solo", "--loglevel=INFO",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
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
    codecs = [] if audio_only else ["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25",
                                    "-pix_fmt", "yuv420p"]
    with open(log_path, "w") as log:
        return subprocess.Popen(
            ["ffmpeg", "-nostdin", "-v", "error", "-re", *video, "-f", "lavfi", "-i", "sine=frequency=440",
             "-t", str(seconds), *codecs, "-c:a", "aac", "-f", "flv", url],
            stdout=log, stderr=subprocess.STDOUT,
        )
