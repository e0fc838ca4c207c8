"""`python -m summit.serve`: Daphne, taking the same arguments, with websocket failures ending cleanly
and less held per open websocket.

Daphne's websocket library (autobahn) drops the TCP connection when it fails
a connection, for instance on a message over `--websocket-max-message-size`;
the client then sees 1006 and cannot tell why. With `failByDrop` off it sends
the close frame first: 1009 for a message too big, as docs/livechat.md says.

Per connection, autobahn copies its 29 protocol options from the factory onto
the protocol object and pretty-prints them for a debug line, whether or not
debug logging is on: about 100 µs of a join's server CPU (timeit) and a
larger attribute dict on every idle socket. Here the protocol reads each
option from its factory instead (`FactoryOption`), so nothing is copied, and
the debug line is still there, built only if it is logged (`LazyPformat`).
Nothing outside these classes is changed: autobahn's own `pformat` stays
autobahn's (its `Timings.__str__` needs it).

What an idle socket holds (issue 23, docs/benchmarks.md "Idle memory"), and
what is let go here once the socket is open:
- Daphne's upgrade leaves Twisted's HTTP channel registered as the TCP
  transport's producer, so the channel, the request it upgraded and its parsed
  headers live as long as the socket: the socket's protocol unregisters it.
- autobahn keeps the raw handshake and its parsed headers, Daphne the whole
  handshake request (for the path in its access log): both are dropped once
  the socket is open, the path kept.
- Daphne gives each connection an `asyncio.Queue` (three deques and an Event)
  for its few incoming messages: `ApplicationInbox` is a list and one future.
- autobahn gives each connection a send queue (a deque, almost always empty)
  and a traffic counter with an attribute dict: `SendQueue` is an empty list,
  `SlimTrafficStats` the same counters in slots.
"""

import asyncio
import functools
import random
from pprint import pformat

from autobahn.websocket.protocol import TrafficStats
from daphne.cli import CommandLineInterface
from daphne.server import Server
from twisted.web.http import HTTPChannel


class FactoryOption:
    """One autobahn protocol option, read from the protocol's factory unless set on the protocol itself.

    A non-data descriptor: autobahn (or anyone) assigning the option on a protocol still works and wins.
    """

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __get__(self, protocol, owner=None):
        if protocol is None:
            return self
        return getattr(protocol.factory, self.name)


class LazyPformat:
    """`pprint.pformat(value())` when formatted into a log line, and no work when the line is not logged."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __format__(self, spec):
        return format(pformat(self.value()), spec)


class RequestPath:
    """What Daphne reads of the handshake request once the socket is open: its path, for the access log."""

    __slots__ = ("path",)

    def __init__(self, path):
        self.path = path


class SendQueue(list):
    """autobahn's per-connection send queue, which it uses through `append`, `popleft` and `len`:
    a list costs a tenth of an empty deque, and it holds at most a close frame or two."""

    __slots__ = ()

    def popleft(self):
        return self.pop(0)


class SlimTrafficStats:
    """autobahn's TrafficStats (its methods, its counters) in slots instead of an attribute dict."""

    __slots__ = (
        "outgoingOctetsWireLevel",
        "outgoingOctetsWebSocketLevel",
        "outgoingOctetsAppLevel",
        "outgoingWebSocketFrames",
        "outgoingWebSocketMessages",
        "incomingOctetsWireLevel",
        "incomingOctetsWebSocketLevel",
        "incomingOctetsAppLevel",
        "incomingWebSocketFrames",
        "incomingWebSocketMessages",
        "preopenOutgoingOctetsWireLevel",
        "preopenIncomingOctetsWireLevel",
    )
    __init__ = TrafficStats.__init__
    reset = TrafficStats.reset
    __json__ = TrafficStats.__json__
    __str__ = TrafficStats.__str__


# autobahn's handshake state, read only while the handshake is processed.
HANDSHAKE_LEFTOVERS = ("http_request_data", "http_headers", "http_request_params", "http_status_line")


def spread_first_ping(protocol):
    """Moves the socket's first ping to a random moment of its first ping interval.

    Daphne pings a socket `ping_interval` after its last message, from a checker that runs every
    2 s over every socket. The sockets of a join storm (a keynote's audience, opened within a second
    or two) were then all pinged in one pass of that checker, and their pongs answered together,
    every 20 s for as long as they stayed: at 5,000 sockets a stall of the process long enough to
    lift a room's p99 from 60 ms to 480 ms (issue 23, 20 rooms × 500). Spread over the interval,
    each pass pings a tenth of them, and each socket keeps its own phase afterwards; a first ping
    sooner than Daphne's is only an earlier liveness check.
    """
    if getattr(protocol, "last_ping", None) is not None:  # set by Daphne's onConnect, before the socket opens
        protocol.last_ping -= random.uniform(0, protocol.server.ping_interval)


def protocol_reading_factory_options(protocol_class):
    """A subclass of Daphne's websocket protocol `protocol_class` that copies no option per connection
    and keeps nothing of the handshake once the socket is open."""
    options = tuple(protocol_class.CONFIG_ATTRS)

    def _connectionMade(self):
        protocol_class._connectionMade(self)  # its copy loop is empty: CONFIG_ATTRS is () below
        self.send_queue, self.trafficStats = SendQueue(), SlimTrafficStats()
        self.log.debug(
            "\n{attrs}",
            attrs=LazyPformat(lambda: [(name, getattr(self, name), type(self.factory).__name__) for name in options]),
        )
        if isinstance(getattr(self.transport, "producer", None), HTTPChannel):
            self.transport.unregisterProducer()  # the upgraded HTTP channel, its request and headers

    def onOpen(self):
        protocol_class.onOpen(self)
        spread_first_ping(self)
        for name in HANDSHAKE_LEFTOVERS:
            if name in self.__dict__:
                setattr(self, name, None)
        request = getattr(self, "request", None)
        if request is not None:
            self.request = RequestPath(request.path)

    namespace = {name: FactoryOption(name) for name in options}
    namespace.update(
        CONFIG_ATTRS=(), OPTIONS=options, _connectionMade=_connectionMade, onOpen=onOpen, __module__=__name__
    )
    return type(protocol_class.__name__, (protocol_class,), namespace)


class ApplicationInbox:
    """A connection's incoming ASGI messages, in order, for its one application: what Daphne asks of the
    `asyncio.Queue` it makes per connection (`put_nowait`, `await get()`), in a list and one future."""

    __slots__ = ("items", "waiter")

    def __init__(self):
        self.items = []
        self.waiter = None

    def put_nowait(self, message):
        self.items.append(message)
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    async def get(self):
        while not self.items:
            self.waiter = asyncio.get_running_loop().create_future()
            try:
                await self.waiter
            finally:
                self.waiter = None
        return self.items.pop(0)


class SummitServer(Server):
    @property
    def ws_factory(self):
        return self._ws_factory

    @ws_factory.setter
    def ws_factory(self, factory):
        # Daphne builds its factory inside run(); this is the one moment to add an option to it.
        factory.setProtocolOptions(failByDrop=False)
        factory.protocol = protocol_reading_factory_options(factory.protocol)
        self._ws_factory = factory

    def create_application(self, protocol, scope):
        """Daphne's own, with an ApplicationInbox for the connection instead of an asyncio.Queue."""
        assert "application_instance" not in self.connections[protocol]
        inbox = ApplicationInbox()
        scope.setdefault("asgi", {"version": "3.0"})
        instance = self.application(scope=scope, receive=inbox.get, send=functools.partial(self.handle_reply, protocol))
        if protocol not in self.connections:
            return None
        self.connections[protocol]["application_instance"] = asyncio.ensure_future(instance)
        return inbox


class SummitCommandLine(CommandLineInterface):
    server_class = SummitServer


if __name__ == "__main__":
    SummitCommandLine.entrypoint()
