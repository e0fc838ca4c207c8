"""The call's frames on the meeting room's socket, registered with livechat's command registry.

From the client: `call.join {}`, `call.signal {to, data}`, `call.leave {}`. To it:
`call.peers {peers, at, left?}` (`at` orders lists that race: the page keeps the newest),
`call.signal {from, data}`, `call.waiting {user_id, name}` and `call.ended {reason}`.
Frames of a call go only to the people of the meeting (`Hubs.send_to_person`), never to the
whole room: an organiser in the room hears none. The rules are in calls/services.py; this
module only parses, calls and sends.
"""

import secrets

from calls import services
from livechat.db import call
from livechat.modules.base import command


def _socket_id(connection):
    """The name of this socket in its person's call seat, made on first use."""
    found = getattr(connection, "call_socket", None)
    if found is None:
        found = connection.call_socket = secrets.token_hex(8)
    return found


async def _tell_peers(connection, joined, left=None):
    frame = {"type": "call.peers", "peers": joined["peers"], "at": joined["at"]}
    if left is not None:
        frame["left"] = left
    for user_id in joined["people"]:
        await connection.hubs.send_to_person(connection.room_id, user_id, frame)


@command("call.join")
async def join(connection, frame):
    services.check_fields(frame, ())
    joined = await call(services.do_join_call, connection.user_id, connection.room_id, _socket_id(connection))
    await _tell_peers(connection, joined)
    waiting = joined["waiting"]
    if waiting is not None:
        told = {"type": "call.waiting", **waiting}
        for user_id in joined["people"]:
            if user_id != connection.user_id:
                await connection.hubs.send_to_person(connection.room_id, user_id, told)


@command("call.signal")
async def signal(connection, frame):
    to = await call(services.check_signal, connection.user_id, connection.room_id, frame)
    relayed = {"type": "call.signal", "from": connection.user_id, "data": frame["data"]}
    await connection.hubs.send_to_person(connection.room_id, to, relayed)


@command("call.leave")
async def leave(connection, frame):
    services.check_fields(frame, ())
    await call(services.access_call_room, connection.user_id, connection.room_id)
    await _leave(connection, left=connection.user_id)


async def _leave(connection, left=None):
    socket_id = getattr(connection, "call_socket", None)
    if socket_id is None:
        return
    gone = await call(services.do_leave_call, connection.user_id, connection.room_id, socket_id)
    if gone is not None:
        await _tell_peers(connection, gone, left)


async def leave_on_close(connection, **signal):
    """livechat.signals.room_socket_closed: the socket closed (a drop, a sign-out, a lost seat), so its seat
    is free and the others are told."""
    if getattr(connection, "room_id", None) is not None:
        await _leave(connection)
