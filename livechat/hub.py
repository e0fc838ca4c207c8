"""Fan-out of room events: one subscription per room per process, frames encoded once.

A persisted event is JSON-encoded once by the process that stored it (one
text per kind of viewer, usually one text for all), published once to the
room's Redis channel, and every process writes those texts straight to its
own sockets. There is no channel-layer message per listener, no ORM per
delivery, and no per-socket task waiting on a channel layer.

Each RoomHub delivers a room's events in `seq` order. Two processes may
publish seq 10 and 11 in either order, so a later seq waits briefly for the
earlier one, then the hub reads the gap from RoomEvent. After a lost Redis
connection the hub resubscribes and reads from RoomEvent whatever it missed.

Hubs live per event loop (Daphne has one; each test has its own), start with
the first socket of a room and stop with the last one.

What travels is an Envelope (livechat/envelope.py); joins arriving together share
one database call (livechat/together.py). Ordering, gap filling, outage recovery,
presence and the coalesced vote and poll ticks stay here: they all run on the one
subscription loop per room and share its state.
"""

import asyncio
import contextlib
import contextvars
import json
import logging
import time
import weakref
from collections import Counter

from django.conf import settings
from django.db import InterfaceError, OperationalError
from redis.exceptions import RedisError

from livechat import keys, services
from livechat.db import call, enter_call, stream_call
from livechat.envelope import Envelope
from livechat.signals import room_tick
from livechat.together import Together
from summit.redis_connections import async_client

log = logging.getLogger(__name__)

TICK = 0.5  # seconds: the reaction and vote-count window, and how often presence is refreshed
GAP_WAIT = 0.3  # how long a later seq waits for an earlier one before reading the gap from the database
QUIET_CHECK = 10.0  # a room with no event for this long reads its last seq, in case a publish was lost
BLOCK = 5.0  # the longest blocking pub/sub read ...
SOCKET_TIMEOUT = 15.0  # ... so the socket's own timeout is longer, and a dead connection still ends
PING_EVERY = 15.0  # a quiet subscription pings Redis to notice a connection that went silent
PRESENCE_TTL = 30  # a process that stops refreshing its count drops out of the total
HEARTBEAT_EVERY = 30.0  # Attendance.last_seen_at refresh, and stale-interval cleanup
READY_TIMEOUT = 10.0
ENTER_WINDOW = 0.02  # joins of one room arriving this close together share one database call ...
ENTER_BATCH = 200  # ... of at most this many
RATE_PER_SECOND = 5.0
RATE_BURST = 10.0
SOCKETS_PER_PERSON = 5  # in one room, per process: more tabs than anyone reads, fewer than a flood

DATABASE_DOWN = (OperationalError, InterfaceError)
_RESYNC = object()


class Unavailable(Exception):
    """The room cannot be followed right now: Redis or the database is down."""


class TooManySockets(Exception):
    """The person already holds SOCKETS_PER_PERSON sockets in this room on this process."""


class RoomHub:
    """The sockets this process holds in one room, and the one stream of the room's events they share."""

    def __init__(self, hubs, room_id):
        self.hubs = hubs
        self.room_id = room_id
        self.channel = keys.room_channel(room_id)
        self.listeners = set()
        self.people = Counter()  # user id -> sockets: presence counts people, not sockets
        self.inbox = asyncio.Queue()
        self.next_seq = None
        self.held = {}
        self.held_since = None
        self.ready = asyncio.Event()
        self.reactions = Counter()
        self.voted_questions = set()
        self.entering = Together(self._enter_together, window=ENTER_WINDOW, batch=ENTER_BATCH)
        self.presence = 0
        self.remote_presence = 0
        self.tasks = [asyncio.create_task(self._dispatch())]
        if hubs.redis_url:
            self.tasks.append(asyncio.create_task(self._listen()))
        else:
            self.inbox.put_nowait(_RESYNC)

    # --- sockets ---

    async def join(self, listener):
        """Add a socket, which buffers what arrives until it has sent the room's state."""
        if self.people[listener.user_id] >= SOCKETS_PER_PERSON:
            raise TooManySockets()
        self.listeners.add(listener)
        self.people[listener.user_id] += 1
        try:
            await asyncio.wait_for(self.ready.wait(), READY_TIMEOUT)
        except TimeoutError:
            await self.leave(listener)
            raise Unavailable("room stream not ready") from None

    async def enter(self, user_id, kind, session_id, since, language=None):
        """Record a join and read its room.state, batched with the joins arriving within ENTER_WINDOW.

        Returns what services.do_enter_room_together answers for this join.
        """
        return await self.entering.ask((user_id, kind, session_id, since, language))

    def _enter_together(self, joins):
        return enter_call(services.do_enter_room_together, self.room_id, keys.SERVER_ID, joins)

    async def leave(self, listener):
        if listener in self.listeners:
            self.listeners.discard(listener)
            self.people[listener.user_id] -= 1
            if not self.people[listener.user_id]:
                del self.people[listener.user_id]
        if not self.listeners:
            await self.hubs.close_room(self)

    def presence_count(self):
        return self.remote_presence + len(self.people)

    async def _fan_out(self, envelope):
        """Every local socket gets the event: the frame built once, written beneath Daphne (livechat/wire.py)."""
        texts = envelope.texts
        shared = texts.get("all")  # one text for everybody: its frame once, and a lean loop
        frame = envelope.frame_of(shared) if shared is not None else None
        for listener in tuple(self.listeners):
            try:
                if shared is None:
                    text = envelope.text_for(listener)
                    if text is None:
                        continue
                    frame_now = envelope.frame_of(text)
                else:
                    text, frame_now = shared, frame
                if listener.buffer is not None:
                    listener.buffer.append((envelope.seq, text))
                    continue
                writer = listener.writer
                if writer is None or not writer.write(frame_now):
                    await listener.send_base(text)
            except Exception:  # one broken socket must not starve the others
                log.exception("could not deliver to a socket in room %s", self.room_id)

    # --- the ordered stream ---

    async def _dispatch(self):
        while True:
            timeout = QUIET_CHECK if self.ready.is_set() else None
            if self.held:
                timeout = max(0.0, self.held_since + GAP_WAIT - time.monotonic())
            try:
                item = await asyncio.wait_for(self.inbox.get(), timeout)
            except TimeoutError:
                if self.held:
                    await self._fill_gap()
                else:
                    await self._catch_up()
                continue
            try:
                if item is _RESYNC:
                    await self._resync()
                else:
                    await self._accept(item)
            except Exception:  # the room's stream must outlive one bad event
                log.exception("room %s: event not delivered", self.room_id)

    async def _accept(self, envelope):
        if envelope.seq is None:
            await self._fan_out(envelope)
            return
        if self.next_seq is not None and envelope.seq < self.next_seq:
            return  # already delivered: our own publish echoed back, or a backfilled event
        self.held[envelope.seq] = envelope
        if self.held_since is None:
            self.held_since = time.monotonic()
        await self._drain()

    async def _drain(self):
        if self.next_seq is None:
            return
        while self.next_seq in self.held:
            await self._fan_out(self.held.pop(self.next_seq))
            self.next_seq += 1
        for seq in [seq for seq in self.held if seq < self.next_seq]:
            del self.held[seq]
        self.held_since = time.monotonic() if self.held else None

    async def _backfill(self, upto):
        payloads = await stream_call(services.events_between, self.room_id, self.next_seq - 1, upto)
        for payload in payloads:
            self.held.setdefault(payload["seq"], Envelope.of_event(payload))

    async def _fill_gap(self):
        """A later seq waited long enough: the earlier ones are committed, read them."""
        if self.next_seq is None:
            self.held_since = time.monotonic()
            return
        try:
            await self._backfill(max(self.held))
        except DATABASE_DOWN:
            log.warning("room %s: cannot read a gap from the database yet", self.room_id)
            self.held_since = time.monotonic()
            return
        if self.held and self.next_seq not in self.held:
            self.next_seq = min(self.held)  # cannot happen with gapless seqs; never stall the room on it
        await self._drain()

    async def _catch_up(self):
        """A quiet room checks once in a while that no stored event went unpublished (Redis hiccup)."""
        try:
            last = await stream_call(services.room_last_seq, self.room_id)
            if last >= self.next_seq:
                await self._backfill(last)
                await self._drain()
        except DATABASE_DOWN:
            log.warning("room %s: database unavailable for the quiet-room check", self.room_id)

    async def _resync(self):
        """Learn the room's last seq (first start) or catch up on what a lost subscription missed."""
        delay = 0.2
        while True:
            try:
                last = await stream_call(services.room_last_seq, self.room_id)
                if self.next_seq is None:
                    self.next_seq = last + 1
                elif last >= self.next_seq:
                    await self._backfill(last)
                break
            except DATABASE_DOWN:
                log.warning("room %s: database unavailable, retrying", self.room_id)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
        await self._drain()
        self.ready.set()

    async def _listen(self):
        """The one Redis subscription of this room in this process; reconnects and resyncs on failure."""
        delay = 0.2
        while True:
            client = async_client(self.hubs.redis_url, socket_timeout=SOCKET_TIMEOUT, socket_connect_timeout=5)
            pubsub = client.pubsub()
            try:
                await pubsub.subscribe(self.channel)
                while True:  # the subscription is live only once Redis confirms it
                    message = await pubsub.get_message(timeout=BLOCK)
                    if message is not None and message["type"] == "subscribe":
                        break
                self.inbox.put_nowait(_RESYNC)
                delay = 0.2
                quiet_since = time.monotonic()
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=BLOCK)
                    if message is not None and message["type"] == "message":
                        try:
                            self.inbox.put_nowait(Envelope.from_wire(message["data"]))
                        except (ValueError, KeyError, TypeError):
                            log.warning("room %s: ignored a malformed message on %s", self.room_id, self.channel)
                        quiet_since = time.monotonic()
                    elif time.monotonic() - quiet_since > PING_EVERY:
                        await pubsub.ping()
                        quiet_since = time.monotonic()
            except (RedisError, OSError) as error:
                log.warning("room %s: Redis subscription lost (%s), resubscribing", self.room_id, error)
            finally:
                await asyncio.shield(_close_quietly(pubsub, client))
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    # --- ephemeral ---

    def add_reaction(self, emoji):
        self.reactions[emoji] += 1

    async def flush_reactions(self):
        """One `reaction {emoji, count}` per emoji per window, whatever the number of clicks."""
        if not self.reactions:
            return
        counts = dict(self.reactions)
        self.reactions.clear()
        for emoji, count in counts.items():
            await self.hubs.publish_ephemeral(self, {"type": "reaction", "emoji": emoji, "count": count})
        try:
            await stream_call(services.do_count_reactions, self.room_id, counts)
        except DATABASE_DOWN:
            log.warning("room %s: reaction totals not stored, database unavailable", self.room_id)

    def add_vote(self, question_id):
        self.voted_questions.add(question_id)

    async def flush_votes(self):
        """One `question.votes` per window for the questions voted on here, with their stored counts.

        The counts are read when the window closes, not taken from each vote,
        so whichever process sends last sends what is committed.
        """
        if not self.voted_questions:
            return
        ids, self.voted_questions = sorted(self.voted_questions), set()
        try:
            counts = await stream_call(services.question_votes, self.room_id, ids)
        except DATABASE_DOWN:
            self.voted_questions.update(ids)  # sent with the next window
            log.warning("room %s: vote counts not sent, database unavailable", self.room_id)
            return
        frame = {"type": "question.votes", "questions": [{"id": pk, "votes": counts[pk]} for pk in ids if pk in counts]}
        await self.hubs.publish_ephemeral(self, frame)

    async def refresh_presence(self):
        """Publish this process's count, read everyone's, and tell local sockets when the total moved."""
        local = len(self.people)
        remote = 0
        if self.hubs.redis is not None:
            key = keys.presence_key(self.room_id)
            now = time.time()
            async with self.hubs.redis.pipeline(transaction=False) as pipe:
                pipe.hset(key, keys.SERVER_ID, f"{local}:{now + PRESENCE_TTL}")
                pipe.expire(key, PRESENCE_TTL * 2)
                pipe.hgetall(key)
                _set, _expire, counts = await pipe.execute()
            for server, value in counts.items():
                count, expires_at = value.decode().split(":")
                if server.decode() != keys.SERVER_ID and float(expires_at) > now:
                    remote += int(count)
        self.remote_presence = remote
        total = remote + local
        if total != self.presence:
            self.presence = total
            await self._fan_out(Envelope.ephemeral({"type": "presence", "count": total}))

    async def stop(self):
        tasks = [*self.tasks, *([self.entering.task] if self.entering.task else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self.hubs.redis is not None:
            with contextlib.suppress(RedisError, OSError):  # the entry expires on its own
                await self.hubs.redis.hdel(keys.presence_key(self.room_id), keys.SERVER_ID)


async def _close_quietly(pubsub, client):
    try:
        await pubsub.aclose()
        await client.aclose()
    except (RedisError, OSError):
        pass


class Hubs:
    """This event loop's room hubs, its Redis client for publishing, and its per-person rate limits."""

    def __init__(self):
        self.redis_url = settings.REDIS_URL or None
        self.redis = None
        self.rooms = {}
        self.buckets = {}
        self.ticker = None
        self.control = None
        self.rechecks = set()
        self.arriving = {}  # (summit slug, room slug) -> Together: access checks of sockets connecting now

    async def access(self, session_key, summit_slug, room_slug):
        """(user, access) of a connecting socket, or its refusal raised: the sockets connecting to one room
        within ENTER_WINDOW share one services.access_live_room_of_sessions call."""
        room = (summit_slug, room_slug)
        together = self.arriving.get(room)
        if together is None:
            together = self.arriving[room] = Together(
                lambda session_keys: call(services.access_live_room_of_sessions, session_keys, summit_slug, room_slug),
                window=ENTER_WINDOW,
                batch=ENTER_BATCH,
                when_done=lambda: self.arriving.pop(room, None),
            )
        user, answer = await together.ask(session_key)
        if isinstance(answer, Exception):
            raise answer
        return user, answer

    def room(self, room_id):
        hub = self.rooms.get(room_id)
        if hub is None:
            if self.redis_url and self.redis is None:
                self.redis = async_client(self.redis_url, socket_timeout=5, socket_connect_timeout=2)
            hub = self.rooms[room_id] = RoomHub(self, room_id)
            if self.ticker is None:
                self.ticker = asyncio.create_task(self._tick())
            if self.redis_url and self.control is None:
                self.control = asyncio.create_task(self._follow_control())
        return hub

    async def close_room(self, hub):
        if self.rooms.get(hub.room_id) is hub:
            del self.rooms[hub.room_id]
        stopping = []
        if not self.rooms:
            stopping = [task for task in (self.ticker, self.control) if task is not None]
            self.ticker = self.control = None
            for task in stopping:
                task.cancel()
        await hub.stop()
        await asyncio.gather(*stopping, return_exceptions=True)
        if not self.rooms and self.redis is not None:
            client, self.redis = self.redis, None
            await client.aclose()

    async def publish(self, room_id, payload):
        """Send a stored event to every socket of the room, in every process; encoded here, once.

        The event is stored, so it is done: this process's sockets (the
        sender's among them) get it even when Redis is down, and the other
        processes read it from RoomEvent when they resubscribe or see the gap.
        Telling the sender "unavailable" would make them resend, and a resent
        vote withdraws the vote.
        """
        envelope = Envelope.of_event(payload)
        hub = self.rooms.get(room_id)
        if hub is not None:
            hub.inbox.put_nowait(envelope)
        if self.redis is not None:
            try:
                await self.redis.publish(keys.room_channel(room_id), envelope.wire())
            except (RedisError, OSError) as error:
                log.warning(
                    "room %s: seq %s stored but not published (%s); others catch up", room_id, payload["seq"], error
                )

    async def broadcast(self, room_id, frame):
        """An ephemeral frame to every socket of a room, in every process, from anything running in this
        loop (an HTTP view, such as the media server's callbacks): the same path as `publish_ephemeral`,
        whether or not this process holds a socket of the room."""
        await self._send_everywhere(room_id, Envelope.ephemeral(frame))

    async def send_to_person(self, room_id, user_id, frame):
        """An ephemeral frame to one person's sockets in a room, in every process (a call's signalling)."""
        await self._send_everywhere(room_id, Envelope.for_person(user_id, frame))

    async def _send_everywhere(self, room_id, envelope):
        if not self.redis_url:
            hub = self.rooms.get(room_id)
            if hub is not None:
                hub.inbox.put_nowait(envelope)
            return
        client = self.redis or async_client(self.redis_url, socket_timeout=5, socket_connect_timeout=2)
        try:
            await client.publish(keys.room_channel(room_id), envelope.wire())
        except (RedisError, OSError) as error:
            # Ephemeral: the sockets see the change at their next room.state; the caller's request stands.
            log.warning("room %s: ephemeral frame dropped (%s)", room_id, error)
        finally:
            if client is not self.redis:
                await client.aclose()

    async def publish_ephemeral(self, hub, frame):
        envelope = Envelope.ephemeral(frame)
        if self.redis is None:
            hub.inbox.put_nowait(envelope)
            return
        try:
            await self.redis.publish(hub.channel, envelope.wire())
        except (RedisError, OSError) as error:
            log.warning("room %s: ephemeral frame dropped (%s)", hub.room_id, error)

    def recheck_person(self, user_id, ended_session=None):
        """Have every socket of this person in this loop run its access decision again (see livechat/rights.py)."""
        for hub in list(self.rooms.values()):
            for listener in [listener for listener in hub.listeners if listener.user_id == user_id]:
                task = asyncio.create_task(listener.recheck(ended_session))
                self.rechecks.add(task)
                task.add_done_callback(self.rechecks.discard)

    async def _follow_control(self):
        """This process's one subscription to the control channel: whose rights changed elsewhere."""
        delay = 0.2
        while True:
            client = async_client(self.redis_url, socket_timeout=SOCKET_TIMEOUT, socket_connect_timeout=5)
            pubsub = client.pubsub()
            try:
                await pubsub.subscribe(keys.control_channel())
                delay = 0.2
                quiet_since = time.monotonic()
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=BLOCK)
                    if message is not None and message["type"] == "message":
                        try:
                            order = json.loads(message["data"])
                            if order["server"] != keys.SERVER_ID:  # this process's own were delivered directly
                                self.recheck_person(order["user_id"], order.get("session"))
                        except (ValueError, KeyError, TypeError):
                            log.warning("ignored a malformed message on %s", keys.control_channel())
                        quiet_since = time.monotonic()
                    elif time.monotonic() - quiet_since > PING_EVERY:
                        await pubsub.ping()
                        quiet_since = time.monotonic()
            except (RedisError, OSError) as error:
                log.warning("control subscription lost (%s), resubscribing", error)
            finally:
                await asyncio.shield(_close_quietly(pubsub, client))
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    def allow(self, user_id):
        """A token bucket per person: RATE_PER_SECOND sustained, RATE_BURST at once."""
        now = time.monotonic()
        tokens, last = self.buckets.get(user_id, (RATE_BURST, now))
        tokens = min(RATE_BURST, tokens + (now - last) * RATE_PER_SECOND)
        if tokens < 1:
            self.buckets[user_id] = (tokens, now)
            return False
        self.buckets[user_id] = (tokens - 1, now)
        return True

    async def _tick(self):
        next_heartbeat = time.monotonic() + HEARTBEAT_EVERY
        while True:
            await asyncio.sleep(TICK)
            for hub in list(self.rooms.values()):
                try:
                    await hub.flush_reactions()
                    await hub.flush_votes()
                    await room_tick.aparts(hub=hub)
                    await hub.refresh_presence()
                except (RedisError, OSError) as error:
                    log.warning("room %s: presence not refreshed (%s)", hub.room_id, error)
            if time.monotonic() >= next_heartbeat:
                next_heartbeat = time.monotonic() + HEARTBEAT_EVERY
                await self._heartbeat()

    async def _heartbeat(self):
        held = [
            listener.attendance_id
            for hub in self.rooms.values()
            for listener in hub.listeners
            if listener.attendance_id
        ]
        try:
            await stream_call(services.do_heartbeat, held)
        except DATABASE_DOWN:
            log.warning("attendance heartbeat skipped, database unavailable")
        idle = time.monotonic() - 60
        self.buckets = {user: bucket for user, bucket in self.buckets.items() if bucket[1] > idle}


_hubs = weakref.WeakKeyDictionary()


def recheck_in_this_process(user_id, ended_session=None):
    """From any thread: every event loop of this process rechecks the person's sockets."""
    for loop, found in list(_hubs.items()):
        # A fresh context: the caller's may be a sync_to_async thread's, which the rechecks must not inherit.
        with contextlib.suppress(RuntimeError):  # that loop has closed
            loop.call_soon_threadsafe(found.recheck_person, user_id, ended_session, context=contextvars.Context())


def broadcast_in_this_process(room_id, frame):
    """From any thread: an ephemeral frame to the room's sockets held by every event loop of this process."""
    envelope = Envelope.ephemeral(frame)
    for loop, found in list(_hubs.items()):
        hub = found.rooms.get(room_id)
        if hub is None:
            continue
        with contextlib.suppress(RuntimeError):  # that loop has closed
            loop.call_soon_threadsafe(hub.inbox.put_nowait, envelope, context=contextvars.Context())


def hubs():
    """The running event loop's Hubs."""
    loop = asyncio.get_running_loop()
    found = _hubs.get(loop)
    if found is None:
        found = _hubs[loop] = Hubs()
    return found
