"""The room socket: authenticate, send the room's state, then route frames to the modules.

The consumer holds no channel-layer channel: its room's hub writes events
straight to it (see livechat/hub.py), which keeps an idle socket small and a
delivery free of thread-pool hops. Under Daphne, once accepted, every text
frame it sends is written beneath Daphne's per-send path (livechat/wire.py);
elsewhere it uses `websocket.send`. It never touches the ORM; every database
call is one service call through `database_sync_to_async`, and its access
check and entry at connect are each shared with the sockets connecting to the
same room at the same moment (livechat/together.py).
"""

import logging
from urllib.parse import parse_qs

from channels.exceptions import StopConsumer
from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from livechat import rights, services
from livechat.auth import session_key_of
from livechat.db import call
from livechat.envelope import encode
from livechat.frames import client_id_of, parse_frame
from livechat.hub import DATABASE_DOWN, TooManySockets, Unavailable, hubs
from livechat.modules import COMMANDS
from livechat.signals import room_socket_closed
from livechat.sockets import LayerlessConsumer
from livechat.wire import text_frame, writer_for
from summit.errors import NotFound, NotSignedIn, ServiceError

log = logging.getLogger(__name__)

MAX_FRAME_BYTES = 64 * 1024
CLOSE_NOT_SIGNED_IN = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_TOO_BIG = 1009
CLOSE_TOO_MANY_SOCKETS = 4429  # the person already holds hub.SOCKETS_PER_PERSON sockets in this room
CLOSE_TRY_AGAIN_LATER = 4503  # Daphne sends only 1000 and 3000-4999
UNAVAILABLE = (*DATABASE_DOWN, RedisError, OSError, TimeoutError, Unavailable)


def _close_code(error):
    if isinstance(error, NotSignedIn):
        return CLOSE_NOT_SIGNED_IN
    if isinstance(error, NotFound):
        return CLOSE_NOT_FOUND
    return CLOSE_FORBIDDEN


def _since(scope):
    """The `?since=SEQ` of a resuming client: None when absent, False when malformed."""
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("since")
    if not values:
        return None
    try:
        since = int(values[0])
    except ValueError:
        return False
    return since if since >= 0 else False


class RoomConsumer(LayerlessConsumer):
    async def dispatch(self, message):
        """Route the three websocket messages; services close their own DB connections."""
        kind = message["type"]
        if kind == "websocket.receive":
            await self.on_frame(message)
        elif kind == "websocket.connect":
            await self.on_connect()
        elif kind == "websocket.disconnect":
            await self.on_disconnect()
            raise StopConsumer()

    # --- the hub's view of a socket ---

    hub = None
    attendance_id = None
    user_id = None
    kind = services.ATTENDEE
    language = None  # what the person reads (their saved language): poll texts come in it
    you = None
    lapse = None  # the timer that rechecks a speaker's rights when their session ends
    # Frames the hub delivered while the room's state was being read; None once live.
    buffer = None
    # Writes frames beneath Daphne once the socket is accepted; None under other servers and in tests.
    writer = None

    async def send_text(self, text):
        if self.writer is None or not self.writer.write(text_frame(text)):
            await self.send_base(text)

    async def send_base(self, text):
        """Daphne's (or any server's) ordinary path: for sockets not open yet, closing, or not under Daphne."""
        await self.base_send({"type": "websocket.send", "text": text})

    async def send_frame(self, frame):
        await self.send_text(encode(frame))

    async def send_event(self, payload):
        """A stored event as this socket's person may see it."""
        view = services.view_for(payload, self.user_id, self.kind, self.language)
        if view is not None:
            await self.send_frame(view)

    async def send_error(self, code, detail, client_id=None):
        frame = {"type": "error", "code": code, "detail": str(detail)}
        if client_id is not None:
            frame["client_id"] = client_id
        await self.send_frame(frame)

    async def close(self, code):
        await self.base_send({"type": "websocket.close", "code": code})

    # --- following the person's rights (livechat/rights.py decides) ---

    async def recheck(self, ended_session=None):
        if self.hub is not None:
            await rights.recheck_socket(self, ended_session)

    async def refuse(self, error):
        """Rights gone: out of the room at once, then closed with the code of the refusal."""
        hub, self.hub = self.hub, None
        if hub is not None:
            await hub.leave(self)
        await self.close(_close_code(error))

    async def restate(self, access):
        """Rights changed: a fresh `room.state` for what this person may see now, then live again."""
        self.kind, self.you, self.language = access["kind"], access["you"], access.get("language")
        self.buffer = []
        last_seq = None
        try:
            state = await call(
                services.room_state, self.room_id, access["session_id"], self.user_id, self.kind, self.language
            )
            last_seq = state["last_seq"]
            await self.send_frame(
                {
                    "type": "room.state",
                    "room": access["room"],
                    "you": access["you"],
                    **state,
                    "presence": {"count": self.hub.presence_count() if self.hub else 0},
                }
            )
        finally:
            await self._go_live(last_seq)

    async def _go_live(self, last_seq):
        """Drop what the state or replay already covered, keep order, then stop buffering."""
        while self.buffer:
            seq, text = self.buffer.pop(0)
            if seq is None or last_seq is None or seq > last_seq:
                await self.send_text(text)
        self.buffer = None

    # --- lifecycle ---

    async def on_connect(self):
        # Accept first: refusals are close codes the page can read, not a bare HTTP 403.
        await self.base_send({"type": "websocket.accept"})
        self.writer = writer_for(self.base_send)
        route = self.scope["url_route"]["kwargs"]
        self.hubs = hubs()
        try:
            self.session_key = session_key_of(self.scope)
            _user, access = await self.hubs.access(self.session_key, route["summit_slug"], route["room_slug"])
        except ServiceError as error:
            await self.close(_close_code(error))
            return
        except UNAVAILABLE:
            log.warning("refused a room socket: database unavailable")
            await self.close(CLOSE_TRY_AGAIN_LATER)
            return
        # The socket keeps the person's id and rights, not their User row: an idle socket's memory counts.
        self.user_id, self.room_id, self.kind, self.you = (
            access["user_id"],
            access["room_id"],
            access["kind"],
            access["you"],
        )
        self.language = access.get("language")  # absent from a decision reused from before it was kept
        since = _since(self.scope)
        self.buffer = []
        hub = self.hubs.room(self.room_id)
        try:
            # Subscribe first, read second: whatever commits in between lands in the buffer.
            await hub.join(self)
            self.hub = hub
            entered = await hub.enter(
                self.user_id, self.kind, access["session_id"], None if since is False else since, self.language
            )
        except TooManySockets:
            await self.close(CLOSE_TOO_MANY_SOCKETS)
            return
        except UNAVAILABLE:
            log.warning("refused a room socket: room stream unavailable")
            await self.close(CLOSE_TRY_AGAIN_LATER)
            return
        self.attendance_id = entered["attendance_id"]
        state = {
            "type": "room.state",
            "room": access["room"],
            "you": access["you"],
            **entered["state"],
            "presence": {"count": hub.presence_count()},
        }
        await self.send_frame(state)
        last_seq = state["last_seq"]
        for frame in entered["replay"]:
            await self.send_frame(frame)
        if since is False:
            await self.send_error("invalid", _("since must be a sequence number; nothing was replayed."))
        await self._go_live(last_seq)
        self.lapse = rights.recheck_when_rights_lapse(self, access)

    async def on_disconnect(self):
        if self.lapse is not None:
            self.lapse.cancel()
        if self.hub is not None:
            await self.hub.leave(self)
        # One app's cleanup failing must not keep the attendance row open: robust, and logged.
        for receiver, outcome in await room_socket_closed.asend_robust(sender=None, connection=self):
            if isinstance(outcome, Exception):
                log.error("room %s: %r failed on a closed socket", self.room_id, receiver, exc_info=outcome)
        if self.attendance_id is not None:
            try:
                await call(services.do_leave_room, self.attendance_id)
            except DATABASE_DOWN:
                log.warning("attendance %s left open; stale cleanup will close it", self.attendance_id)

    # --- frames ---

    async def on_frame(self, message):
        if self.hub is None or self.buffer is not None:
            return  # refused or closing: nothing to answer
        text = message.get("text")
        if text is None:
            await self.send_error("invalid", _("Send JSON text frames."))
            return
        if len(text) * 4 > MAX_FRAME_BYTES and len(text.encode()) > MAX_FRAME_BYTES:
            await self.close(CLOSE_TOO_BIG)
            return
        allowed = self.hubs.allow(self.user_id)  # every frame counts, malformed ones too
        try:
            frame = parse_frame(text)
        except ServiceError as error:
            frame, refusal = None, error
        client_id = None if frame is None else client_id_of(frame)
        if not allowed:  # with its client_id, so the client resends exactly those
            await self.send_error("rate_limited", _("Slow down: too many messages."), client_id)
            return
        if frame is None:
            await self.send_error(refusal.code, refusal.detail)
            return
        handler = COMMANDS.get(frame["type"])
        if handler is None:
            await self.send_error(
                "invalid", _("Unknown frame type “%(type)s”.") % {"type": frame["type"][:40]}, client_id
            )
            return
        try:
            await handler(self, frame)
        except ServiceError as error:
            await self.send_error(error.code, error.detail, client_id)
        except ObjectDoesNotExist:
            await self.send_error("not_found", _("That no longer exists."), client_id)
        except UNAVAILABLE as error:
            log.warning("room %s: %s unavailable (%r)", self.room_id, frame["type"], error)
            await self.send_error("unavailable", _("Try again in a moment: nothing was lost."), client_id)
