"""Two real Daphne processes behind one Redis: a room is one room, whichever process holds your socket."""

import asyncio
import json
import os
import socket as sockets
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from livechat.models import ChatMessage
from tests.conftest import services_required
from tests.live import orm

pytestmark = [pytest.mark.multiprocess, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with sockets.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url():
    """The test database, which both servers must see: only PostgreSQL is shared across processes here."""
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        if services_required():
            pytest.fail("the two-process test needs PostgreSQL (DATABASE_URL)")
        pytest.skip("the two-process test needs PostgreSQL (DATABASE_URL)")
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_daphne(port, env, log):
    process = subprocess.Popen(
        # The same options as scripts/run.
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "--websocket-max-message-size", "65536",
         "--websocket-max-frame-size", "65536", "summit.asgi:application"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne on {port} exited with {process.returncode}")
        try:
            sockets.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"daphne on {port} did not start")


@pytest.fixture
def two_servers(redis_url, tmp_path, main_stage):
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "SECRET_KEY": settings.SECRET_KEY,  # the session cookies made here must verify there
        "DEBUG": "0",
        "HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "VAR_DIR": str(tmp_path),
        "LOG_LEVEL": "WARNING",
    }
    servers = []
    try:
        for name in ("a", "b"):
            port = free_port()
            log = open(tmp_path / f"daphne-{name}.log", "w")
            servers.append((port, start_daphne(port, env, log), log))
        yield [port for port, _process, _log in servers]
    finally:
        for _port, process, log in servers:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()


async def open_room(port, cookie):
    socket = await connect(
        f"ws://127.0.0.1:{port}/ws/summits/roadshow/rooms/main-stage/",
        origin=f"http://127.0.0.1:{port}",
        additional_headers={"Cookie": f"sessionid={cookie}"},
        open_timeout=10,
    )
    state = await receive(socket)
    assert state["type"] == "room.state"
    return socket


async def receive(socket, kind=None, timeout=10):
    while True:
        frame = json.loads(await asyncio.wait_for(socket.recv(), timeout))
        if kind is None and frame["type"] not in ("presence", "reaction") or frame["type"] == kind:
            return frame


async def test_chat_sent_through_one_process_reaches_a_client_of_the_other(
    two_servers, attendee_paris, attendee_shanghai, cookies
):
    port_a, port_b = two_servers
    camille = await open_room(port_a, await cookies(attendee_paris))
    lina = await open_room(port_b, await cookies(attendee_shanghai))
    try:
        # Presence is counted across processes.
        while (await receive(lina, "presence", timeout=10))["count"] != 2:
            pass

        await camille.send(json.dumps({"type": "chat.send", "body": "from A", "client_id": "a1"}))
        heard = await receive(lina)
        assert heard["type"] == "chat.message" and heard["body"] == "from A" and heard["seq"] == 1
        assert (await receive(camille))["seq"] == 1

        # Both processes write at once; each side still sees every seq once, in order.
        for n in range(6):
            await (camille if n % 2 else lina).send(json.dumps({"type": "chat.send", "body": f"m{n}"}))
        for socket in (camille, lina):
            assert [(await receive(socket))["seq"] for _ in range(6)] == [2, 3, 4, 5, 6, 7]

        # Daphne itself refuses a message over 64 KiB before buffering it; its websocket library drops the
        # connection rather than sending 1009 (Daphne lets no application send 1009 either).
        await camille.send(json.dumps({"type": "chat.send", "body": "x" * 70_000}))
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await asyncio.wait_for(camille.recv(), 10)
        assert closed.value.rcvd is None or closed.value.rcvd.code == 1009
        assert not await orm(ChatMessage.objects.filter(body__startswith="xxx").exists)
    finally:
        await camille.close()
        await lina.close()
