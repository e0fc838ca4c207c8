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
from websockets.exceptions import ConnectionClosed, InvalidStatus

from events.models import Registration
from livechat.models import Attendance, ChatMessage
from partnering import services
from tests.conftest import at_paris
from tests.live import orm
from tests.servers import free_port, shared_database_url, start_daphne, start_nginx, stop

pytestmark = [pytest.mark.multiprocess, pytest.mark.django_db(transaction=True)]


def database_url():
    """The test database, which both servers must see: only PostgreSQL is shared across processes here."""
    return shared_database_url(connection, "the two-process test's servers")


class Servers(list):
    """The servers' ports, in start order, and their processes (`processes`)."""

    def __init__(self, by_port):
        super().__init__(by_port)
        self.processes = list(by_port.values())


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
        yield Servers(servers)
    finally:
        for process in servers.values():
            stop(process)


async def open_room(port, cookie, since=None):
    query = "" if since is None else f"?since={since}"
    socket = await connect(
        f"ws://127.0.0.1:{port}/ws/summits/roadshow/rooms/main-stage/{query}",
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


async def test_a_socket_to_a_path_nothing_serves_is_refused_at_the_handshake_not_a_server_error(
    two_servers, attendee_paris, cookies
):
    port = two_servers[0]
    with pytest.raises(InvalidStatus) as refused:
        await connect(
            f"ws://127.0.0.1:{port}/ws/nothing/",
            origin=f"http://127.0.0.1:{port}",
            additional_headers={"Cookie": f"sessionid={await cookies(attendee_paris)}"},
            open_timeout=10,
        )
    assert refused.value.response.status_code == 403


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

        # The server itself refuses a message over 64 KiB before buffering it, and says so with 1009.
        await camille.send(json.dumps({"type": "chat.send", "body": "x" * 70_000}))
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await asyncio.wait_for(camille.recv(), 10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
        assert not await orm(ChatMessage.objects.filter(body__startswith="xxx").exists)
    finally:
        await camille.close()
        await lina.close()


async def test_a_revoked_registration_closes_the_persons_sockets_on_every_process(
    two_servers, attendee_paris, attendee_shanghai, cookies
):
    port_a, port_b = two_servers
    cookie = await cookies(attendee_paris)
    on_a, on_b = await open_room(port_a, cookie), await open_room(port_b, cookie)
    lina = await open_room(port_b, await cookies(attendee_shanghai))
    try:
        await orm(Registration.objects.filter(user=attendee_paris).delete)
        for socket in (on_a, on_b):
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    await asyncio.wait_for(socket.recv(), 10)
            assert closed.value.rcvd.code == 4403
        await lina.send(json.dumps({"type": "ping"}))
        assert (await receive(lina))["type"] == "pong"
    finally:
        for socket in (on_a, on_b, lina):
            await socket.close()


async def test_behind_nginx_the_clients_of_a_killed_daphne_resume_on_the_other_and_lose_nothing(
    two_servers, tmp_path, attendee_paris, attendee_shanghai, cookies
):
    """The shipped deploy/nginx.conf in front of both servers; one of them is SIGKILLed mid-chat."""
    port_a, port_b = two_servers
    processes = two_servers.processes
    proxy, port = start_nginx(tmp_path, [port_a, port_b])
    try:
        camille_cookie = await cookies(attendee_paris)
        camille = await open_room(port, camille_cookie)
        camille_pid = await holder_of(attendee_paris)
        for _attempt in range(4):  # round robin: the next socket lands on the other server
            lina = await open_room(port, await cookies(attendee_shanghai))
            if await holder_of(attendee_shanghai) != camille_pid:
                break
            await lina.close()
        await camille.send(json.dumps({"type": "chat.send", "body": "before the crash", "client_id": "n1"}))
        acked = await receive(camille)
        assert acked["type"] == "chat.message" and (await receive(lina))["id"] == acked["id"]

        next(process for process in processes if process.pid == camille_pid).kill()
        with pytest.raises(ConnectionClosed):
            while True:
                await asyncio.wait_for(camille.recv(), 10)
        await lina.send(json.dumps({"type": "chat.send", "body": "while you were away", "client_id": "n2"}))
        missed = await receive(lina)
        assert missed["type"] == "chat.message"

        # The page reconnects through nginx, which now reaches the other server, and resumes.
        camille = await open_room(port, camille_cookie, since=acked["seq"])
        assert await holder_of(attendee_paris) != camille_pid
        assert (await receive(camille))["id"] == missed["id"]
        everything = await open_room(port, camille_cookie, since=0)
        assert [(await receive(everything))["id"] for _ in range(2)] == [acked["id"], missed["id"]]
        for socket in (camille, lina, everything):
            await socket.close()
    finally:
        stop(proxy)


async def holder_of(person):
    """The pid of the Daphne holding `person`'s newest open socket (Attendance.server names it)."""
    for _attempt in range(50):
        attendance = await orm(Attendance.objects.filter(user=person, left_at=None).order_by("-joined_at").first)
        if attendance is not None:
            return int(attendance.server.split(":")[1])
        await asyncio.sleep(0.1)
    raise AssertionError(f"no open attendance for {person}")


async def open_person_socket(port, cookie):
    socket = await connect(
        f"ws://127.0.0.1:{port}/ws/me/",
        origin=f"http://127.0.0.1:{port}",
        additional_headers={"Cookie": f"sessionid={cookie}"},
        open_timeout=10,
    )
    assert (await receive(socket))["type"] == "me.ready"
    return socket


def _request_meeting(summit, requester, invitee):
    card = services.my_profile(invitee, summit)
    return services.do_request_meeting(
        requester, summit, services.MeetingRequest(card.pk, at_paris(dt.date(2027, 3, 29), "10:00"), 30)
    )


async def test_a_notice_reaches_the_persons_sockets_on_every_process(
    two_servers, summit, attendee_paris, attendee_shanghai, cookies
):
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
