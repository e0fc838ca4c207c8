"""`python -m summit.serve`: Daphne, taking the same arguments, with websocket failures ending cleanly
and a lighter set-up per websocket.

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
Nothing outside this class is changed: autobahn's own `pformat` stays
autobahn's (its `Timings.__str__` needs it).
"""

from pprint import pformat

from daphne.cli import CommandLineInterface
from daphne.server import Server


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


def protocol_reading_factory_options(protocol_class):
    """A subclass of autobahn's server protocol `protocol_class` that copies no option per connection."""
    options = tuple(protocol_class.CONFIG_ATTRS)

    def _connectionMade(self):
        protocol_class._connectionMade(self)  # its copy loop is empty: CONFIG_ATTRS is () below
        self.log.debug(
            "\n{attrs}",
            attrs=LazyPformat(lambda: [(name, getattr(self, name), type(self.factory).__name__) for name in options]),
        )

    namespace = {name: FactoryOption(name) for name in options}
    namespace.update(CONFIG_ATTRS=(), OPTIONS=options, _connectionMade=_connectionMade, __module__=__name__)
    return type(protocol_class.__name__, (protocol_class,), namespace)


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


class SummitCommandLine(CommandLineInterface):
    server_class = SummitServer


if __name__ == "__main__":
    SummitCommandLine.entrypoint()
