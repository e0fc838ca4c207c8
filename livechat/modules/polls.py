"""Live polls: create, vote, close, and the coalesced `poll.results` each room gets once per tick.

A vote is stored at once and acknowledged to the voter (`poll.voted`); the
room only learns that the poll's counts moved. Once per hub tick (0.5 s) the
hub reads the counts of the polls that moved in this process, from the
ballots, and publishes one `poll.results` per poll to every process: never
one frame per vote, and a storm of votes costs each socket two frames a
second per poll per process that received votes.
"""

import logging
import weakref

from livechat import polls
from livechat.db import call, stream_call
from livechat.hub import DATABASE_DOWN
from livechat.modules.base import command, publish

log = logging.getLogger(__name__)

# Per room hub: the polls whose counts moved since its last tick.
_moved = weakref.WeakKeyDictionary()


@command("poll.create")
async def create(connection, frame):
    result = await call(
        polls.do_create_poll,
        connection.user_id,
        connection.room_id,
        connection.kind,
        frame.get("question"),
        frame.get("options"),
        multiple=frame.get("multiple", False),
        client_id=frame.get("client_id"),
    )
    await publish(connection, result)


@command("poll.vote")
async def vote(connection, frame):
    ballot = await call(
        polls.do_vote_in_poll, connection.user_id, connection.room_id, frame.get("poll_id"), frame.get("option_ids")
    )
    await connection.send_frame({"type": "poll.voted", **ballot})
    _moved.setdefault(connection.hub, set()).add(ballot["poll_id"])


@command("poll.close")
async def close(connection, frame):
    result = await call(
        polls.do_close_poll, connection.user_id, connection.room_id, connection.kind, frame.get("poll_id")
    )
    await publish(connection, result)


async def publish_results(hub, **signal):
    """Each tick (livechat.signals.room_tick): one `poll.results` per poll that moved since the last tick,
    counted from the ballots now."""
    moved = _moved.pop(hub, None)
    if not moved:
        return
    try:
        frames = await stream_call(polls.poll_results, hub.room_id, sorted(moved))
    except DATABASE_DOWN:
        _moved.setdefault(hub, set()).update(moved)  # counted on a later tick
        log.warning("room %s: poll results postponed, database unavailable", hub.room_id)
        return
    for frame in frames:
        await hub.hubs.publish_ephemeral(hub, frame)
