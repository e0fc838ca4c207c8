"""REDIS_URL naming a Sentinel set: the cache, Celery broker and live rooms outlive a failover.

Each test starts its own primary, replica and three sentinels (tests/servers.py: SentinelSet) and
SIGKILLs the primary; never the shared Redis.
"""

import asyncio
import json
import os
import shutil

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from websockets.asyncio.client import connect

from livechat.models import ChatMessage
from summit.redis_connections import celery_broker, database_number, sentinel_set
from tests.breakable import SentinelSet
from tests.conftest import services_required
from tests.live import orm
from tests.servers import free_port, shared_database_url, start_daphne, stop


def test_a_sentinel_url_names_the_sentinels_the_master_and_the_database():
    found = sentinel_set("sentinel://:s3cret@10.0.0.1:26379,10.0.0.2:26380,redis-c:26379/summit/2")
    assert found.sentinels == (("10.0.0.1", 26379), ("10.0.0.2", 26380), ("redis-c", 26379))
    assert (found.master_name, found.db, found.password) == ("summit", 2, "s3cret")
    assert sentinel_set("sentinel://h1:26379/summit").db == 0
    assert sentinel_set("redis://127.0.0.1:6379/0") is None
    assert database_number("sentinel://h1:26379/summit/3") == "3" and database_number("redis://h:1/4") == "4"


@pytest.mark.parametrize(
    "url",
    [
        "sentinel://h1:26379",
        "sentinel://h1/summit/0",
        "sentinel://h1:x/summit/0",
        "sentinel://h1:26379/summit/zero",
        "sentinel://:26379/summit/0",
        "sentinel://h1:26379/summit/0/extra",
    ],
)
def test_a_malformed_sentinel_url_stops_start_up_showing_the_format(url):
    with pytest.raises(ImproperlyConfigured, match="sentinel://"):
        sentinel_set(url)


def test_each_client_gets_the_sentinel_set_in_its_own_terms():
    url = "sentinel://:pw@h1:26379,h2:26379/summit/1"
    broker, options = celery_broker(url)
    assert broker == "sentinel://:pw@h1:26379/1;sentinel://:pw@h2:26379/1"
    assert options["master_name"] == "summit"
    assert celery_broker("redis://h:6379/0") == ("redis://h:6379/0", {})


@pytest.fixture
def own_sentinels(tmp_path):
    if shutil.which("redis-server") is None:
        if services_required():
            pytest.fail("redis-server is required for the failover tests")
        pytest.skip("redis-server not installed")
    found = SentinelSet(tmp_path)
    try:
        found.start()
        yield found
    finally:
        found.stop()


@pytest.mark.multiprocess
async def test_cache_and_broker_carry_on_after_the_primary_dies(own_sentinels):
    from django.core.cache.backends.redis import RedisCache
    from kombu import Connection

    cache = RedisCache([own_sentinels.url], {"OPTIONS": {"pool_class": "summit.redis_connections.SentinelPool"}})
    broker_url, options = celery_broker(own_sentinels.url)

    async def round_trip(n):
        await asyncio.to_thread(cache.set, f"key-{n}", n)
        assert await asyncio.to_thread(cache.get, f"key-{n}") == n

        def through_the_broker():
            # A new connection, as a Celery worker or producer makes after losing one: it asks the sentinels.
            with Connection(broker_url, transport_options=options) as broker:
                queue = broker.SimpleQueue(f"failover-{n}")
                queue.put({"n": n})
                assert queue.get(timeout=10).payload == {"n": n}
                queue.close()

        await asyncio.to_thread(through_the_broker)

    await round_trip(1)
    assert own_sentinels.master_port() == own_sentinels.primary_port
    await asyncio.to_thread(own_sentinels.kill_primary)
    await round_trip(2)  # the clients asked the sentinels where the new primary is
    assert await asyncio.to_thread(cache.get, "key-1") == 1  # replicated before the primary died


async def open_room(port, cookie, since=None):
    query = "" if since is None else f"?since={since}"
    socket = await connect(
        f"ws://127.0.0.1:{port}/ws/summits/roadshow/rooms/main-stage/{query}",
        origin=f"http://127.0.0.1:{port}",
        additional_headers={"Cookie": f"sessionid={cookie}"},
        open_timeout=10,
    )
    assert json.loads(await socket.recv())["type"] == "room.state"
    return socket


async def receive(socket, timeout=20):
    while True:
        frame = json.loads(await asyncio.wait_for(socket.recv(), timeout))
        if frame["type"] not in ("presence", "reaction"):
            return frame


@pytest.mark.multiprocess
@pytest.mark.django_db(transaction=True)
async def test_a_room_carries_on_through_a_failover_and_loses_nothing_acknowledged(
    own_sentinels, tmp_path, main_stage, attendee_paris, attendee_shanghai, cookies
):
    from django.db import connection

    env = {
        **os.environ,
        "DATABASE_URL": shared_database_url(connection, "the failover room test's servers"),
        "REDIS_URL": own_sentinels.url,
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "0",
        "HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "VAR_DIR": str(tmp_path),
        "LOG_LEVEL": "WARNING",
    }
    ports = [free_port(), free_port()]
    servers = [start_daphne(port, env, tmp_path / f"daphne-{port}.log") for port in ports]
    try:
        camille = await open_room(ports[0], await cookies(attendee_paris))
        lina = await open_room(ports[1], await cookies(attendee_shanghai))
        await camille.send(json.dumps({"type": "chat.send", "body": "before", "client_id": "b"}))
        assert (await receive(lina))["body"] == "before"
        assert (await receive(camille))["body"] == "before"

        killed = asyncio.create_task(asyncio.to_thread(own_sentinels.kill_primary))
        acknowledged = []
        for n in range(5):  # while the sentinels notice and promote the replica
            await camille.send(json.dumps({"type": "chat.send", "body": f"during {n}", "client_id": f"d{n}"}))
            frame = await receive(camille)
            if frame["type"] == "chat.message":
                acknowledged.append(frame["body"])
            else:
                assert frame["code"] == "unavailable", frame  # told to resend: fine, never a lie
            await asyncio.sleep(0.3)
        await killed
        await camille.send(json.dumps({"type": "chat.send", "body": "after", "client_id": "a"}))
        while (await receive(camille))["type"] != "chat.message":
            pass
        heard = []
        while "after" not in heard:  # the other process catches up, then hears new events live again
            heard.append((await receive(lina))["body"])
        assert set(acknowledged) <= set(heard)

        replayed = await open_room(ports[1], await cookies(attendee_shanghai), since=0)
        bodies = [(await receive(replayed))["body"] for _ in range(len(acknowledged) + 2)]
        assert bodies == ["before", *acknowledged, "after"]
        assert await orm(ChatMessage.objects.count) == len(acknowledged) + 2
        for socket in (camille, lina, replayed):
            await socket.close()
    finally:
        for server in servers:
            stop(server)
