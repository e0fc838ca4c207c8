"""Opening room sockets in tests, the way the page does: cookie, allowed origin, then `room.state`."""

import asyncio
import json
import secrets
import threading
import time

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import close_old_connections

from livechat.hub import hubs
from livechat.people import publish_to_person
from summit.asgi import application

EPHEMERAL = ("presence", "reaction")


def room_path(room="main-stage", summit="roadshow", since=None):
    path = f"/ws/summits/{summit}/rooms/{room}/"
    return path if since is None else f"{path}?since={since}"


async def open_socket(cookie=None, path=None, origin=b"http://127.0.0.1"):
    headers = [(b"host", b"127.0.0.1"), (b"origin", origin)]
    if cookie:
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    socket = WebsocketCommunicator(application, path or room_path(), headers=headers)
    connected, _subprotocol = await socket.connect(timeout=5)
    return socket, connected


async def join(cookie, path=None):
    """A socket that got in, and its `room.state`."""
    socket, connected = await open_socket(cookie, path)
    assert connected
    state = await next_frame(socket)
    assert state["type"] == "room.state", state
    return socket, state


async def next_frame(socket, skip=EPHEMERAL, timeout=5):
    while True:
        frame = await socket.receive_json_from(timeout=timeout)
        if frame["type"] not in skip:
            return frame


async def frames_until(socket, predicate, skip=EPHEMERAL, timeout=5):
    seen = []
    while True:
        frame = await next_frame(socket, skip, timeout)
        seen.append(frame)
        if predicate(frame):
            return seen


async def send(socket, frame):
    await socket.send_to(text_data=json.dumps(frame))


async def barrier(sender, *receivers, skip=EPHEMERAL):
    """[the frames each receiver got before a chat message `sender` sends now], to prove nothing else came.

    Each process hears a room's events in `seq` order through one subscription and writes them to its
    sockets in that order, so whatever the room sent a socket before this marker reaches it first: no
    time to guess. The marker is a real message: use it where one more is harmless.
    """
    body = f"barrier {secrets.token_hex(4)}"
    await send(sender, {"type": "chat.send", "body": body})

    def is_marker(frame):
        return frame["type"] == "chat.message" and frame["body"] == body

    before = [(await frames_until(socket, is_marker, skip))[:-1] for socket in receivers]
    if sender not in receivers:
        await frames_until(sender, is_marker, skip)
    return before


async def room_barrier(room_id, *receivers, skip=EPHEMERAL):
    """[the frames each receiver got before a marker sent now], for frames that never reach the database.

    `barrier`'s chat message enters this process's room stream at once, while an ephemeral frame (a
    call's signalling, a reaction) makes a round trip through Redis first, so a chat marker could
    overtake one. This marker takes the ephemeral frames' own path (`Hubs.broadcast`): sent after
    whatever the room was sent before it, it reaches each socket after all of that, and nothing is stored.
    """
    token = secrets.token_hex(4)
    await hubs().broadcast(room_id, {"type": "test.barrier", "token": token})

    def is_marker(frame):
        return frame["type"] == "test.barrier" and frame["token"] == token

    return [(await frames_until(socket, is_marker, skip))[:-1] for socket in receivers]


async def person_barrier(user_id, *sockets):
    """[the frames each of the person's `/ws/me/` sockets got before a marker published to them now].

    The marker takes the notices' own path (`publish_to_person`: one Redis channel per person, or this
    process's loop without Redis), so a notice published before it reaches each socket before it.
    """
    token = secrets.token_hex(4)
    await orm(publish_to_person, user_id, {"type": "test.barrier", "token": token})

    def is_marker(frame):
        return frame["type"] == "test.barrier" and frame["token"] == token

    return [(await frames_until(socket, is_marker, skip=()))[:-1] for socket in sockets]


async def orm(function, *args, **kwargs):
    """Run ORM code in the pool that closes its connections, so the test database can be dropped."""
    return await database_sync_to_async(function)(*args, **kwargs)


async def eventually(read, timeout=15, every=0.1):
    """What `read()` (ORM code, run through `orm`) returns once it is truthy; fails after `timeout` seconds.

    For work the room does on its own clock (the tick that stores reaction totals, the heartbeat): the
    test waits for the outcome itself, as long as a busy machine needs, never a fixed time.
    """
    deadline = time.monotonic() + timeout
    while not (found := await orm(read)):
        assert time.monotonic() < deadline, f"{read.__name__} still false after {timeout}s"
        await asyncio.sleep(every)
    return found


def run_in_threads(work, count):
    """`work(n)` for n in range(count), each in its own thread and database connection, all released at once."""
    errors = []
    start = threading.Barrier(count)

    def run(n):
        try:
            start.wait()
            work(n)
        except Exception as error:  # reported below, so the test fails with the cause
            errors.append(error)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
