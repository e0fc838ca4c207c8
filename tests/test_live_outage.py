"""When Redis or the database is down: `unavailable`, the socket stays, and nothing acknowledged is lost."""

import asyncio
import shutil
import subprocess
import time

import pytest
import redis
from django.db import OperationalError

from livechat import services
from livechat.models import ChatMessage, QuestionVote
from tests.conftest import services_required
from tests.live import join, next_frame, orm, room_path, send
from tests.servers import free_port

pytestmark = pytest.mark.django_db(transaction=True)


class OwnRedis:
    """A redis-server of this test's own, on a free port, that the test may kill: never the shared one."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(self.url, socket_timeout=1).ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


@pytest.fixture
def own_redis():
    if shutil.which("redis-server") is None:
        if services_required():
            pytest.fail("redis-server is required for the outage tests")
        pytest.skip("redis-server not installed")
    server = OwnRedis()
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()


async def test_redis_down_acknowledges_what_was_stored_and_others_get_it_when_redis_returns(
    own_redis, settings, main_stage, attendee_paris, attendee_shanghai, cookies
):
    settings.REDIS_URL = own_redis.url
    camille, _ = await join(await cookies(attendee_paris))
    lina, _ = await join(await cookies(attendee_shanghai))
    own_redis.stop()
    await send(camille, {"type": "chat.send", "body": "while Redis is down", "client_id": "d1"})
    acked = await next_frame(camille, timeout=10)
    assert acked["type"] == "chat.message" and acked["client_id"] == "d1" and acked["seq"] == 1
    await send(camille, {"type": "ping"})
    assert await next_frame(camille) == {"type": "pong"}  # the socket stays open

    own_redis.start()
    # The hubs resubscribe and read what they missed from the database.
    caught_up = await next_frame(lina, timeout=15)
    assert caught_up["body"] == "while Redis is down" and caught_up["seq"] == 1
    # The resend with the same client_id creates nothing and answers with the original.
    await send(camille, {"type": "chat.send", "body": "while Redis is down", "client_id": "d1"})
    resent = await next_frame(camille)
    assert resent["seq"] == 1 and resent["id"] == caught_up["id"]
    assert await orm(ChatMessage.objects.count) == 1
    # And live traffic flows again through Redis.
    await send(lina, {"type": "chat.send", "body": "back"})
    assert (await next_frame(camille, timeout=10))["seq"] == 2
    await camille.disconnect()
    await lina.disconnect()


async def test_a_vote_applied_while_redis_is_down_is_acknowledged_not_unavailable(
    own_redis, settings, main_stage, attendee_paris, attendee_shanghai, cookies
):
    settings.REDIS_URL = own_redis.url
    camille, _ = await join(await cookies(attendee_paris))
    lina, _ = await join(await cookies(attendee_shanghai))
    await send(lina, {"type": "question.ask", "body": "Will it scale?"})
    question = await next_frame(camille)
    await next_frame(lina)
    own_redis.stop()
    await send(camille, {"type": "question.vote", "question_id": question["id"]})
    voted = await next_frame(camille, timeout=10)
    assert voted["type"] == "question.voted" and voted["voted"] is True and voted["votes"] == 1
    assert await orm(QuestionVote.objects.count) == 1
    own_redis.start()
    await lina.disconnect()
    lina, state = await join(await cookies(attendee_shanghai))  # what others see once the room recovers
    assert [question["votes"] for question in state["questions"]] == [1]
    await camille.disconnect()
    await lina.disconnect()


async def test_redis_down_at_reconnect_then_since_replays_everything(
    own_redis, settings, main_stage, attendee_paris, attendee_shanghai, cookies
):
    settings.REDIS_URL = own_redis.url
    camille, _ = await join(await cookies(attendee_paris))
    await send(camille, {"type": "chat.send", "body": "acknowledged"})
    acked = await next_frame(camille)
    await camille.disconnect()
    own_redis.stop()
    own_redis.start()
    lina, _ = await join(await cookies(attendee_shanghai), room_path(since=0))
    assert (await next_frame(lina))["id"] == acked["id"]
    await lina.disconnect()


async def test_database_down_answers_unavailable_and_the_resend_is_stored(
    main_stage, attendee_paris, cookies, monkeypatch
):
    camille, _ = await join(await cookies(attendee_paris))
    real = services.do_send_chat_message

    def database_down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(services, "do_send_chat_message", database_down)
    await send(camille, {"type": "chat.send", "body": "hello", "client_id": "k9"})
    assert await next_frame(camille) == {
        "type": "error",
        "code": "unavailable",
        "detail": "Try again in a moment: nothing was lost.",
        "client_id": "k9",
    }
    monkeypatch.setattr(services, "do_send_chat_message", real)
    await send(camille, {"type": "chat.send", "body": "hello", "client_id": "k9"})
    stored = await next_frame(camille)
    assert stored["type"] == "chat.message" and stored["client_id"] == "k9"
    await camille.disconnect()


@pytest.mark.multiprocess
async def test_postgresql_restarting_mid_chat_answers_unavailable_then_works_without_restarting_daphne(
    redis_url, tmp_path, settings, main_stage, attendee_paris, attendee_shanghai, cookies
):
    """PostgreSQL is reached through a proxy this test cuts: all connections drop and new ones are refused."""
    import json
    import os
    from urllib.parse import urlparse

    from django.db import connection
    from websockets.asyncio.client import connect

    from tests.breakable import TcpProxy
    from tests.servers import shared_database_url, start_daphne, stop

    url = shared_database_url(connection, "the PostgreSQL restart test's server")
    real = urlparse(url)
    proxy = TcpProxy(real.hostname, real.port)
    proxy.start()
    env = {
        **os.environ,
        "DATABASE_URL": real._replace(netloc=f"{real.netloc.rpartition('@')[0]}@127.0.0.1:{proxy.port}").geturl(),
        "REDIS_URL": redis_url,
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "0",
        "HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "VAR_DIR": str(tmp_path),
        "LOG_LEVEL": "WARNING",
        "DB_POOL_TIMEOUT": "2",
    }
    port = free_port()
    server = start_daphne(port, env, tmp_path / "daphne.log")

    async def room(cookie):
        socket = await connect(
            f"ws://127.0.0.1:{port}/ws/summits/roadshow/rooms/main-stage/",
            origin=f"http://127.0.0.1:{port}",
            additional_headers={"Cookie": f"sessionid={cookie}"},
            open_timeout=10,
        )
        assert json.loads(await socket.recv())["type"] == "room.state"
        return socket

    async def receive(socket):
        while True:
            frame = json.loads(await asyncio.wait_for(socket.recv(), 30))
            if frame["type"] not in ("presence", "reaction"):
                return frame

    try:
        camille, lina = await room(await cookies(attendee_paris)), await room(await cookies(attendee_shanghai))
        await camille.send(json.dumps({"type": "chat.send", "body": "before", "client_id": "p0"}))
        assert (await receive(lina))["body"] == "before"
        assert (await receive(camille))["body"] == "before"

        proxy.cut()
        await camille.send(json.dumps({"type": "chat.send", "body": "while it restarts", "client_id": "p1"}))
        refused = await receive(camille)
        assert refused["type"] == "error" and refused["code"] == "unavailable" and refused["client_id"] == "p1"

        proxy.restore()
        for _attempt in range(20):  # the page resends the same client_id every few seconds until it is stored
            await camille.send(json.dumps({"type": "chat.send", "body": "while it restarts", "client_id": "p1"}))
            resent = await receive(camille)
            if resent["type"] != "error":
                break
            await asyncio.sleep(0.5)
        assert resent["type"] == "chat.message" and resent["seq"] == 2
        assert (await receive(lina))["id"] == resent["id"]
        newcomer = await room(await cookies(attendee_paris))  # joining works again too
        assert await orm(ChatMessage.objects.count) == 2
        for socket in (camille, lina, newcomer):
            await socket.close()
    finally:
        stop(server)
        proxy.stop()
