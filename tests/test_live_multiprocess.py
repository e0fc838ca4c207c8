"""Two real Daphne processes behind one Redis: a room is one room, and a person's notices reach them,
whichever process holds the socket."""

import asyncio
import datetime as dt
import json
import os

import pytest
from django.conf import settings
from django.db import connection
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from livechat.models import ChatMessage
from partnering import services
from tests.conftest import at_paris, services_required
from tests.live import orm
from tests.servers import database_url_for, free_port, start_daphne, stop

pytestmark = [pytest.mark.multiprocess, pytest.mark.django_db(transaction=True)]


def database_url():
    """The test database, which both servers must see: only PostgreSQL is shared across processes here."""
    url = database_url_for(connection)
    if url is None:
        if services_required():
            pytest.fail("the two-process test needs PostgreSQL (DATABASE_URL)")
        pytest.skip("the two-process test needs PostgreSQL (DATABASE_URL)")
    return url


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
    servers = {}
    try:
        for name in ("a", "b"):
            port = free_port()
            servers[port] = start_daphne(port, env, tmp_path / f"daphne-{name}.log")
        yield list(servers)
    finally:
        for process in servers.values():
            stop(process)


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


async def open_person_socket(port, cookie):
    socket = await connect(f"ws://127.0.0.1:{port}/ws/me/", origin=f"http://127.0.0.1:{port}",
                           additional_headers={"Cookie": f"sessionid={cookie}"}, open_timeout=10)
    assert (await receive(socket))["type"] == "me.ready"
    return socket


def _request_meeting(summit, requester, invitee):
    card = services.my_profile(invitee, summit)
    return services.do_request_meeting(requester, summit, services.MeetingRequest(
        card.pk, at_paris(dt.date(2027, 3, 29), "10:00"), 30))


async def test_a_notice_reaches_the_persons_sockets_on_every_process(two_servers, summit, attendee_paris,
                                                                   attendee_shanghai, cookies):
    port_a, port_b = two_servers
    cookie = await cookies(attendee_shanghai)
    on_a, on_b = await open_person_socket(port_a, cookie), await open_person_socket(port_b, cookie)
    try:
        # Stored and published by this third process (as a Celery worker would), heard by both servers.
        meeting = await orm(_request_meeting, summit, attendee_paris, attendee_shanghai)
        for socket in (on_a, on_b):
            frame = await receive(socket, "notification")
            assert frame["notification"]["kind"] == "requested" and frame["unread"] == 1
            assert f"/meetings/{meeting.pk}/" in frame["notification"]["url"]
    finally:
        await on_a.close()
        await on_b.close()
