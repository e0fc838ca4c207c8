"""The person's own socket, `/ws/me/`: their notifications, live, on every Daphne process.

A notice is stored first (by whoever tells the person: the scheduler's
notices and reminders), then `publish_to_person` sends its frame once to the
person's Redis channel. Each process holds ONE pattern subscription to every
person's channel (notices are a few per person per day, so every process
hearing all of them costs little) and writes a frame to the sockets it holds
for that person. Without Redis (the `make run` shape: SQLite, the Celery worker
in a process of its own) there is no shared channel, so a frame published in
this process goes straight to its sockets, and, while any socket is open, the
process also reads the notices table every POLL_SECONDS for rows stored by
other processes (the worker) and delivers them: the table is the shared
channel. The notice source (the scheduler) answers `livechat.signals.notice_feeds`;
each notice reaches a socket once, whichever path brings it first.

The socket is authenticated by the session cookie like the rooms (livechat/auth.py); the origin
is checked by summit.asgi's AllowedHostsOriginValidator for every websocket.
It only listens: a client frame gets an `error {code: "invalid"}`, except
`ping` (`pong`). Signing out closes, on every process, the sockets opened
with that session (4401); the person's other sessions keep theirs.
"""

import asyncio
import hashlib
import json
import logging
import threading
import weakref

import redis
import redis.asyncio as aioredis
from channels.exceptions import StopConsumer
from django.conf import settings
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from livechat import keys
from livechat.auth import session_key_of, user_of_session
from livechat.db import call, stream_call
from livechat.envelope import encode
from livechat.hub import BLOCK, DATABASE_DOWN, PING_EVERY, READY_TIMEOUT, SOCKET_TIMEOUT
from livechat.signals import notice_feeds
from livechat.sockets import LayerlessConsumer

log = logging.getLogger(__name__)

CLOSE_NOT_SIGNED_IN = 4401
CLOSE_TRY_AGAIN_LATER = 4503

POLL_SECONDS = 1.0
POLL_LOOKBACK = 100  # ids below the highest delivered one read again: a row may commit after a higher id
_hubs = weakref.WeakKeyDictionary()  # event loop -> PeopleHub
_hubs_lock = threading.Lock()
_publisher = None


def _notice_feed():
    """Where a process without Redis reads the notices other processes stored (livechat.signals.notice_feeds)."""
    return next(iter(notice_feeds.parts()), None)


class PeopleHub:
    """The person sockets of one event loop, and (with Redis) the one subscription that feeds them."""

    def __init__(self, loop):
        self.loop = loop
        self.sockets = {}
        self.task = None
        self.ready = asyncio.Event()
        self.delivered = set()  # without Redis: the notice ids already delivered, so none arrives twice
        if not settings.REDIS_URL:
            self.ready.set()

    async def join(self, user_id, socket):
        """Add a socket; returns once the subscription is live, so nothing published after is missed."""
        self.sockets.setdefault(user_id, set()).add(socket)
        if self.task is None:
            if settings.REDIS_URL:
                self.task = asyncio.create_task(self._listen())
            elif (feed := _notice_feed()) is not None:
                self.task = asyncio.create_task(self._poll(feed))
        await asyncio.wait_for(self.ready.wait(), READY_TIMEOUT)

    async def leave(self, user_id, socket):
        held = self.sockets.get(user_id)
        if held is not None:
            held.discard(socket)
            if not held:
                del self.sockets[user_id]
        if not self.sockets and self.task is not None:
            task, self.task = self.task, None
            if settings.REDIS_URL:
                self.ready.clear()
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def deliver(self, user_id, text, notice_id=None):
        if notice_id is not None:
            if notice_id in self.delivered:
                return
            self.delivered.add(notice_id)
        if text.startswith(SIGNED_OUT_PREFIX):  # a control frame for the sockets, never shown to the page
            ended = json.loads(text)["session"]
            for socket in list(self.sockets.get(user_id, ())):
                if socket.session_hash == ended:
                    await socket.base_send({"type": "websocket.close", "code": CLOSE_NOT_SIGNED_IN})
            return
        for socket in list(self.sockets.get(user_id, ())):
            try:
                await socket.send_text(text)
            except Exception:  # one broken socket must not keep the others from their notice
                log.exception("could not deliver a notice to a socket of person %s", user_id)

    async def _listen(self):
        prefix = keys.person_channel("")
        delay = 0.2
        while True:
            client = aioredis.Redis.from_url(
                settings.REDIS_URL, socket_timeout=SOCKET_TIMEOUT, socket_connect_timeout=5
            )
            pubsub = client.pubsub()
            try:
                await pubsub.psubscribe(keys.people_pattern())
                while True:  # live only once Redis confirms it
                    message = await pubsub.get_message(timeout=BLOCK)
                    if message is not None and message["type"] == "psubscribe":
                        break
                self.ready.set()
                delay = 0.2
                idle = 0.0
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=BLOCK)
                    if message is None or message["type"] != "pmessage":
                        idle += BLOCK
                        if idle > PING_EVERY:
                            await pubsub.ping()
                            idle = 0.0
                        continue
                    idle = 0.0
                    user_id = message["channel"].decode()[len(prefix) :]
                    if user_id.isdigit():
                        await self.deliver(int(user_id), message["data"].decode())
            except (RedisError, OSError) as error:
                log.warning("person notices: Redis subscription lost (%s), resubscribing", error)
                self.ready.clear()
            finally:
                try:
                    await asyncio.shield(pubsub.aclose())
                    await asyncio.shield(client.aclose())
                except (RedisError, OSError):
                    pass
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    async def _poll(self, feed):
        """Without Redis: deliver the notices that other processes store from now on, every POLL_SECONDS."""
        floor = None
        while True:
            try:
                if floor is None:
                    floor = await stream_call(feed.latest_id)
                else:
                    await self._deliver_stored(feed, floor)
            except DATABASE_DOWN as error:
                log.warning("person notices: could not read new notices (%s)", error)
            await asyncio.sleep(POLL_SECONDS)

    async def _deliver_stored(self, feed, floor):
        highest = max(self.delivered, default=floor)
        after = max(floor, highest - POLL_LOOKBACK)
        found = await stream_call(feed.frames_after, after, list(self.sockets), sorted(self.delivered))
        for notice_id, user_id, frame in found:
            await self.deliver(user_id, encode(frame), notice_id)
        highest = max(self.delivered, default=floor)
        self.delivered = {n for n in self.delivered if n > highest - POLL_LOOKBACK}


def _hub():
    loop = asyncio.get_running_loop()
    with _hubs_lock:
        found = _hubs.get(loop)
        if found is None:
            found = _hubs[loop] = PeopleHub(loop)
    return found


def publish_to_person(user_id, frame):
    """Send `frame` to every socket the person holds, on every process. Callable from sync code, any thread.

    Raises nothing when Redis is down: the notice is stored and shown on the
    next page; the live push is what is lost.
    """
    global _publisher
    text = encode(frame)
    if settings.REDIS_URL:
        try:
            if _publisher is None:
                _publisher = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5, socket_connect_timeout=2)
            _publisher.publish(keys.person_channel(user_id), text)
        except (RedisError, OSError) as error:
            log.warning("notice for person %s not pushed live (%s)", user_id, error)
        return
    with _hubs_lock:
        hubs = list(_hubs.values())
    notice_id = (frame.get("notification") or {}).get("id")
    for hub in hubs:
        if user_id in hub.sockets and not hub.loop.is_closed():
            asyncio.run_coroutine_threadsafe(hub.deliver(user_id, text, notice_id), hub.loop)


def signed_in_user_id(session_key):
    """The id of the session's signed-in user, or None (one database call, at connect)."""
    user = user_of_session(session_key)
    return user.pk if user.is_authenticated else None


def session_hash(session_key):
    """Names a session on the wire (Redis) without giving its key away."""
    return hashlib.sha256((session_key or "").encode()).hexdigest()[:32]


SIGNED_OUT_PREFIX = '{"type":"me.signed_out"'


def on_signed_out(sender, request, user, **kwargs):
    """user_logged_out (sent before the session is flushed): that session's sockets close, on every process."""
    session = getattr(request, "session", None)  # a signal sent without a request (a script) has none
    if user is not None and session is not None and session.session_key:
        publish_to_person(user.pk, {"type": "me.signed_out", "session": session_hash(session.session_key)})


class PersonConsumer(LayerlessConsumer):
    """`/ws/me/`: refused with 4401 when not signed in; then it only receives `notification` frames."""

    user_id = None
    hub = None
    session_hash = None

    async def dispatch(self, message):
        kind = message["type"]
        if kind == "websocket.connect":
            await self.on_connect()
        elif kind == "websocket.receive":
            await self.on_frame(message)
        elif kind == "websocket.disconnect":
            if self.hub is not None:
                await self.hub.leave(self.user_id, self)
            raise StopConsumer()

    async def send_text(self, text):
        await self.base_send({"type": "websocket.send", "text": text})

    async def on_connect(self):
        await self.base_send({"type": "websocket.accept"})
        session_key = session_key_of(self.scope)
        try:
            user_id = await call(signed_in_user_id, session_key)
        except DATABASE_DOWN:
            await self.base_send({"type": "websocket.close", "code": CLOSE_TRY_AGAIN_LATER})
            return
        if user_id is None:
            await self.base_send({"type": "websocket.close", "code": CLOSE_NOT_SIGNED_IN})
            return
        self.user_id = user_id
        self.session_hash = session_hash(session_key)
        hub = _hub()
        try:
            await hub.join(self.user_id, self)
        except TimeoutError:
            await hub.leave(self.user_id, self)
            log.warning("refused a person socket: Redis subscription not ready")
            await self.base_send({"type": "websocket.close", "code": CLOSE_TRY_AGAIN_LATER})
            return
        self.hub = hub
        await self.send_text(encode({"type": "me.ready", "you": {"id": self.user_id}}))

    async def on_frame(self, message):
        if self.hub is None:
            return
        try:
            frame = json.loads(message.get("text") or "")
        except ValueError:
            frame = None
        if isinstance(frame, dict) and frame.get("type") == "ping":
            await self.send_text(encode({"type": "pong"}))
            return
        await self.send_text(
            encode({"type": "error", "code": "invalid", "detail": _("This socket only sends you your notifications.")})
        )
