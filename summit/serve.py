"""`python -m summit.serve`: Daphne, taking the same arguments, with websocket failures ending cleanly.

Daphne's websocket library (autobahn) drops the TCP connection when it fails
a connection, for instance on a message over `--websocket-max-message-size`;
the client then sees 1006 and cannot tell why. With `failByDrop` off it sends
the close frame first: 1009 for a message too big, as docs/livechat.md says.
"""

from daphne.cli import CommandLineInterface
from daphne.server import Server


class SummitServer(Server):
    @property
    def ws_factory(self):
        return self._ws_factory

    @ws_factory.setter
    def ws_factory(self, factory):
        # Daphne builds its factory inside run(); this is the one moment to add an option to it.
        factory.setProtocolOptions(failByDrop=False)
        self._ws_factory = factory


class SummitCommandLine(CommandLineInterface):
    server_class = SummitServer


if __name__ == "__main__":
    SummitCommandLine.entrypoint()
