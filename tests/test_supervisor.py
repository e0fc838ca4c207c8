"""`make run`'s supervisor (scripts/run): a process that dies comes back, Ctrl-C stops them all."""

import os
import re
import signal
import subprocess
import time

import pytest

from tests.servers import ROOT, free_port

pytestmark = pytest.mark.multiprocess

STARTED = re.compile(r"supervise: started (\w+) \(pid (\d+)\)")
WAIT_SECONDS = 60


def started(log_path):
    """{name: [pids in start order]} as the supervisor printed them."""
    pids = {}
    for name, pid in STARTED.findall(log_path.read_text()):
        pids.setdefault(name, []).append(int(pid))
    return pids


def wait_for(condition, what):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    pytest.fail(f"gave up waiting for {what}")


def alive(pid):
    try:
        os.killpg(pid, 0)  # each supervised process leads its own group: this covers its children too
    except ProcessLookupError:
        return False
    return True


def answers(port):
    import socket

    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.fixture
def running(tmp_path):
    """scripts/run as `make run` starts it, on its own port, files and broker (no Redis, no PostgreSQL)."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        PORT=str(port),
        VAR_DIR=str(tmp_path / "var"),
        DEBUG="1",
        CELERY_CONCURRENCY="1",
        LOG_LEVEL="WARNING",
        RTMP_PORT=str(free_port()),
        MEDIA_HTTP_PORT=str(free_port()),
    )
    log_path = tmp_path / "run.log"
    with open(log_path, "w") as log:
        supervisor = subprocess.Popen(
            [str(ROOT / "scripts" / "run")],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(lambda: {"web", "worker", "beat"} <= set(started(log_path)) and answers(port), "everything up")
        yield supervisor, port, log_path
    finally:
        if supervisor.poll() is None:
            os.killpg(supervisor.pid, signal.SIGKILL)
        for pids in started(log_path).values():
            for pid in pids:
                if alive(pid):
                    os.killpg(pid, signal.SIGKILL)


def test_a_killed_process_is_reported_and_restarted_and_ctrl_c_stops_them_all(running):
    supervisor, port, log_path = running
    for name in ("web", "worker"):
        first = started(log_path)[name][0]
        os.kill(first, signal.SIGKILL)
        restarted = wait_for(lambda name=name: started(log_path)[name][1:], f"{name} to come back")
        assert restarted[0] != first
        assert f"{name} (pid {first}) killed by SIGKILL; restarting" in log_path.read_text()
    wait_for(lambda: answers(port), "the restarted web server to answer")
    assert supervisor.poll() is None  # one death stops nothing else

    supervisor.send_signal(signal.SIGINT)
    supervisor.wait(WAIT_SECONDS)
    everyone = [pid for pids in started(log_path).values() for pid in pids]
    assert len(everyone) >= 5  # the media server too, if any
    # A grandchild (the media server's nginx) may need a moment after the supervisor returned.
    wait_for(lambda: not [pid for pid in everyone if alive(pid)], "every supervised process to be gone")
    assert "supervise: all stopped" in log_path.read_text()
