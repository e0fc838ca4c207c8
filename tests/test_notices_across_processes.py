"""A notice the Celery worker stores reaches the person's open `/ws/me/` socket on a real Daphne within seconds,
in the embedded default of `make run` (SQLite, no Redis: the web process reads the notices table) and with Redis.

The notice is a real one: a person presses "Interested" on Fair Vision in a process of its own, the change
is queued to the worker through the broker, the worker stores and tells, and the member's page hears it.
"""

import asyncio
import json
import subprocess
import sys
import time

import pytest
from websockets.asyncio.client import connect

from tests.servers import (
    DEMO_SESSIONS_SCRIPT,
    ROOT,
    free_port,
    server_database,
    server_env,
    start_celery_worker,
    start_daphne,
    stop,
)

pytestmark = pytest.mark.multiprocess

# Run in the server's database after seed_demo: a member of Fair Vision and a registered visitor.
PEOPLE_SCRIPT = """
import django
django.setup()
from django.contrib.auth import get_user_model
from events.models import Company, Profile, Registration, Summit

summit = Summit.objects.get(slug="sophia-qingdao-ai-ict-roadshow")
for username, name in (("fv-member", "Fatou Member"), ("visitor", "Victor Visitor")):
    user = get_user_model().objects.create_user(username=username, email=f"{username}@example.org")
    Profile.objects.create(user=user, name=name, timezone="Europe/Paris", language="fr")
    Registration.objects.create(summit=summit, user=user)
Company.objects.get(summit=summit, slug="fair-vision").members.add(get_user_model().objects.get(username="fv-member"))
"""

INTEREST_SCRIPT = """
import django
django.setup()
from django.contrib.auth import get_user_model
from events.models import Summit
from partnering import services

summit = Summit.objects.get(slug="sophia-qingdao-ai-ict-roadshow")
services.do_express_interest(get_user_model().objects.get(username="visitor"), summit, "fair-vision")
"""


def run(script, env, *args):
    done = subprocess.run(
        [sys.executable, "-c", script, *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


@pytest.fixture(params=["embedded", "redis"])
def servers(request, tmp_path):
    """A Daphne and a Celery worker over one database: the embedded default (SQLite file, filesystem broker,
    no Redis) or the Redis set-up."""
    if request.param == "embedded":
        database_url, drop = f"sqlite:///{tmp_path / 'embedded.sqlite3'}", lambda: None
        extra = {}
    else:
        database_url, drop = server_database(tmp_path, "notices")
        extra = {"REDIS_URL": request.getfixturevalue("redis_url")}
    env = server_env(
        tmp_path,
        database_url,
        DEMO_PASSWORD="demo-password-for-tests",
        LOG_LEVEL="WARNING",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
        **extra,
    )
    if request.param == "embedded":
        for name in ("REDIS_URL", "CELERY_BROKER_URL", "TEST_REDIS_URL"):
            env.pop(name, None)
    processes = []
    try:
        if request.param == "embedded":  # server_database's are migrated already
            subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run([sys.executable, "manage.py", "seed_demo"], cwd=ROOT, env=env, check=True, capture_output=True)
        run(PEOPLE_SCRIPT, env)
        cookies = json.loads(run(DEMO_SESSIONS_SCRIPT, env, "fv-member"))
        port = free_port()
        processes.append(start_daphne(port, env, tmp_path / "daphne.log", ready_path="/"))
        processes.append(start_celery_worker(env, tmp_path / "worker.log"))
        yield {"port": port, "cookie": cookies["fv-member"], "env": env, "tmp": tmp_path}
    finally:
        for process in processes:
            stop(process)
        drop()


async def notice_on_socket(port, cookie, trigger, timeout):
    async with connect(
        f"ws://127.0.0.1:{port}/ws/me/",
        origin=f"http://127.0.0.1:{port}",
        additional_headers={"Cookie": f"sessionid={cookie}"},
        open_timeout=10,
    ) as socket:
        assert json.loads(await asyncio.wait_for(socket.recv(), 10))["type"] == "me.ready"
        await asyncio.to_thread(trigger)
        started = time.monotonic()
        while True:
            frame = json.loads(await asyncio.wait_for(socket.recv(), timeout))
            # The demo's own notices (its meeting requests, queued by seed_demo) may come first.
            if frame["type"] == "notification" and frame["notification"]["kind"] == "interested":
                return frame, time.monotonic() - started


def test_a_notice_stored_by_the_worker_reaches_the_open_page_within_seconds(servers):
    frame, seconds = asyncio.run(
        notice_on_socket(servers["port"], servers["cookie"], lambda: run(INTEREST_SCRIPT, servers["env"]), timeout=30)
    )
    assert frame["notification"]["kind"] == "interested"
    assert frame["notification"]["title"] == "Quelqu’un s’intéresse à Fair Vision", frame
    assert frame["unread"] >= 1
    # The subprocess that pressed "Interested" starts Django itself (a few seconds on a loaded machine):
    # what is measured is its start, the worker's run and the delivery together.
    assert seconds < 20, (seconds, (servers["tmp"] / "worker.log").read_text()[-2000:])
