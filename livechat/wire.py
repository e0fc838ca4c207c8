"""Broadcast frames written beneath Channels' and Daphne's per-send path, keeping Twisted's guarantees.

Why: through `websocket.send`, one delivery costs about 50 µs of server CPU
(Daphne's reply coroutine, autobahn framing the same text once per socket,
Twisted buffering every write until the next writable event). The floor on
this machine is about 8 µs: one websocket frame built once per event and
handed to the kernel with `socket.send` (issue 15, measured in
docs/benchmarks.md). This module is that floor for room broadcasts, and the
only place that knows Daphne's and Twisted's insides.

What it keeps from Twisted:
- Order: it never writes to the socket while earlier bytes of that socket
  wait in Twisted's transport buffer or in autobahn's send queue; the frame
  then goes behind them with `transport.write`, and the rest of a partial
  `socket.send` likewise.
- Memory: a socket that has more than MAX_BUFFERED bytes waiting (a reader
  that stopped reading) is aborted rather than allowed to grow without end.
  Twisted closes it, Daphne then tells the consumer `websocket.disconnect`.
- Closing and errors: a socket that is not open yet, closing, or already
  gone is left to Daphne (`write` returns False and the caller sends through
  `websocket.send`, which knows what to do then); any send error other than "would block" hands the frame to
  `transport.write`, whose next write meets the same error and closes the
  connection the Twisted way. This module never closes a socket itself
  except through `abortConnection`.

Only plain TCP under Daphne takes this path. `writer_for(send)` returns None
for anything else (Channels' in-memory test communicator, TLS transports,
another ASGI server, a middleware that wraps `send`), and the consumer then
sends through the ordinary `websocket.send`.

When a socket served by Daphne cannot take this path (a TLS transport, or a
Twisted or autobahn release whose insides differ from the pinned ones in
constraints.txt), it falls back to Daphne's path, about 4x the server CPU per
delivery: `writer_for` logs that once per reason, with the count so far, and
again at 10, 100, 1,000... of them (`fallback_counts()` has the numbers).
"""

import functools
import logging
import struct
from collections import Counter

from daphne.server import Server as DaphneServer
from twisted.internet import tcp

# A slow reader may have this much waiting before its socket is aborted: about 3,000 chat frames.
MAX_BUFFERED = 1024 * 1024
_TEXT = 0x81  # FIN + text opcode; a server's frames are never masked
_TRANSPORT_INTERNALS = ("dataBuffer", "offset", "_tempDataLen", "socket")

log = logging.getLogger(__name__)
_fallbacks = Counter()  # reason -> sockets of this process that fell back to Daphne's path for it
_fast = Counter()


def text_frame(text):
    """The whole websocket frame of one text message, built once and written to every socket."""
    payload = text.encode()
    size = len(payload)
    if size < 126:
        header = bytes((_TEXT, size))
    elif size < 65536:
        header = struct.pack("!BBH", _TEXT, 126, size)
    else:
        header = struct.pack("!BBQ", _TEXT, 127, size)
    return header + payload


class SocketWriter:
    """Writes prebuilt frames to one Daphne websocket: straight to the socket when nothing of it is buffered."""

    __slots__ = ("protocol", "transport", "send")

    def __init__(self, protocol, transport):
        self.protocol = protocol
        self.transport = transport
        self.send = transport.socket.send

    def write(self, frame):
        """True once the frame is sent or queued behind this socket's earlier bytes (or the socket aborted);
        False when the socket is not open, and the caller should use `websocket.send` instead."""
        protocol, transport = self.protocol, self.transport
        if protocol.state != protocol.STATE_OPEN or not transport.connected or transport.disconnecting:
            return False
        if protocol.send_queue:
            protocol.sendData(frame)  # autobahn is pacing this socket: stay behind what it queued
            return True
        buffered = len(transport.dataBuffer) - transport.offset + transport._tempDataLen
        if buffered:
            if buffered + len(frame) > MAX_BUFFERED:
                transport.abortConnection()
            else:
                transport.write(frame)
            return True
        try:
            sent = self.send(frame)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            transport.write(frame)  # Twisted's next write meets the error and closes the connection
            return True
        if sent < len(frame):
            transport.write(frame[sent:])
        return True


def writer_for(send):
    """A SocketWriter when `send` is Daphne's own reply path to a websocket over plain TCP, else None.

    None and silence for anything that is not Daphne's reply path (a test communicator, another
    server); None, a count and a log line for a Daphne socket this module cannot write to.
    """
    if not isinstance(send, functools.partial) or len(send.args) != 1 or send.keywords:
        return None
    server = getattr(send.func, "__self__", None)
    # isinstance, not the class's module: production serves with summit.serve's subclass of Daphne's Server.
    if not isinstance(server, DaphneServer) or getattr(send.func, "__name__", "") != "handle_reply":
        return None
    protocol = send.args[0]
    transport = getattr(protocol, "transport", None)
    if type(transport) is not tcp.Server:
        return _fall_back(f"a {type(transport).__module__}.{type(transport).__qualname__} transport, not plain TCP")
    missing = [name for name in _TRANSPORT_INTERNALS if not hasattr(transport, name)]
    missing += [] if hasattr(protocol, "send_queue") else ["autobahn's send_queue"]
    if missing:
        return _fall_back(f"Twisted or autobahn without {', '.join(missing)} (see constraints.txt)")
    if not _fast["sockets"]:
        log.info("room sockets are written beneath Daphne (livechat/wire.py)")
    _fast["sockets"] += 1
    return SocketWriter(protocol, transport)


def _fall_back(reason):
    _fallbacks[reason] += 1
    count = _fallbacks[reason]
    if count == 1 or count in (10, 100, 1_000, 10_000, 100_000):
        log.warning(
            "room socket on Daphne's own send path (about 4x the server CPU per delivery): %s; %d so far",
            reason,
            count,
        )
    return None


def fallback_counts():
    """{reason: sockets} of this process that fell back to Daphne's path, and how many took this one."""
    return {"fast_path": _fast["sockets"], "fallbacks": dict(_fallbacks)}
