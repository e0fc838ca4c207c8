"""Opening room sockets in tests, the way the page does: cookie, allowed origin, then `room.state`."""

import json
import secrets
import threading

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import close_old_connections

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
    time to guess, as `nothing_more` must. The marker is a real message: use it where one more is harmless.
    """
    body = f"barrier {secrets.token_hex(4)}"
    await send(sender, {"type": "chat.send", "body": body})

    def is_marker(frame):
        return frame["type"] == "chat.message" and frame["body"] == body

    before = [(await frames_until(socket, is_marker, skip))[:-1] for socket in receivers]
    if sender not in receivers:
        await frames_until(sender, is_marker, skip)
    return before


async def nothing_more(socket, skip=EPHEMERAL, timeout=0.3):
    """True when no non-ephemeral frame arrives within `timeout` (without cancelling the app, as a timeout would)."""
    while not await socket.receive_nothing(timeout=timeout):
        frame = await socket.receive_json_from()
        if frame["type"] not in skip:
            return False
    return True


async def orm(function, *args, **kwargs):
    """Run ORM code in the pool that closes its connections, so the test database can be dropped."""
    return await database_sync_to_async(function)(*args, **kwargs)


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
