"""Frames written beneath Daphne keep Twisted's guarantees: order, a cap on what a slow reader holds, Twisted's closing.

Each test drives a real Twisted TCP transport and a real autobahn protocol over
a real socket pair, on a reactor that is never run: the test calls the
transport's `doWrite` itself where the reactor would.
"""

import socket
import struct

import pytest
from autobahn.twisted.websocket import WebSocketServerFactory, WebSocketServerProtocol
from twisted.internet import tcp
from twisted.internet.error import ConnectionLost
from twisted.internet.selectreactor import SelectReactor

from livechat import wire


@pytest.fixture
def connection():
    """(writer, transport, protocol, the peer's socket) of one open websocket."""
    ours, peer = socket.socketpair()
    ours.setblocking(False)
    peer.settimeout(2)
    factory = WebSocketServerFactory()
    factory.protocol = WebSocketServerProtocol
    protocol = factory.buildProtocol(None)
    transport = tcp.Server(ours, protocol, ("127.0.0.1", 1), None, 1, SelectReactor())
    protocol.makeConnection(transport)
    protocol.state = protocol.STATE_OPEN  # as after the handshake
    yield wire.SocketWriter(protocol, transport), transport, protocol, peer
    peer.close()
    ours.close()


def received(peer, size):
    data = b""
    while len(data) < size:
        data += peer.recv(size - len(data))
    return data


def nothing_waiting(peer):
    peer.setblocking(False)
    try:
        return peer.recv(1) == b""
    except BlockingIOError:
        return True
    finally:
        peer.settimeout(2)


def test_a_frame_goes_straight_to_the_socket_when_nothing_is_buffered(connection):
    writer, transport, _protocol, peer = connection
    frame = wire.text_frame('{"type":"chat.message"}')
    assert writer.write(frame) is True
    assert received(peer, len(frame)) == frame
    assert transport._tempDataLen == 0  # nothing went through Twisted's buffer


def test_a_frame_waits_behind_bytes_twisted_still_buffers(connection):
    writer, transport, _protocol, peer = connection
    earlier = wire.text_frame("room.state")
    transport.write(earlier)  # what Daphne's path wrote and the reactor has not flushed yet
    later = wire.text_frame("chat")
    assert writer.write(later) is True
    assert nothing_waiting(peer)  # not written ahead of the earlier frame
    transport.doWrite()
    assert received(peer, len(earlier) + len(later)) == earlier + later


def test_a_reader_too_far_behind_is_aborted_and_holds_no_more(connection):
    writer, transport, _protocol, _peer = connection
    transport.write(b"x" * wire.MAX_BUFFERED)  # a reader that stopped reading
    held = transport._tempDataLen
    assert writer.write(wire.text_frame("one more")) is True
    assert transport._tempDataLen == held
    assert transport._aborting  # Twisted closes it and tells Daphne, which tells the consumer


def test_a_socket_that_is_not_open_is_left_to_daphne(connection):
    writer, _transport, protocol, peer = connection
    protocol.state = protocol.STATE_CLOSING
    assert writer.write(wire.text_frame("late")) is False
    assert nothing_waiting(peer)


def test_a_send_error_is_left_to_twisted(connection):
    writer, transport, _protocol, peer = connection
    peer.close()
    frame = wire.text_frame("to nobody")
    assert writer.write(frame) is True
    assert transport._tempDataLen == len(frame)  # handed to Twisted, not dropped
    assert isinstance(transport.doWrite(), ConnectionLost)  # Twisted meets the error and closes the connection


@pytest.mark.parametrize("size", [0, 125, 126, 65535, 65536])
def test_text_frames_carry_the_length_in_the_form_websocket_readers_expect(size):
    frame = wire.text_frame("a" * size)
    assert frame[0] == 0x81  # a final text frame, unmasked
    if size < 126:
        assert frame[1] == size and len(frame) == 2 + size
    elif size < 65536:
        assert frame[1] == 126 and struct.unpack("!H", frame[2:4])[0] == size and len(frame) == 4 + size
    else:
        assert frame[1] == 127 and struct.unpack("!Q", frame[2:10])[0] == size and len(frame) == 10 + size


@pytest.mark.parametrize("server_class", ["daphne.server.Server", "summit.serve.SummitServer"])
def test_daphnes_reply_path_gets_a_writer_whichever_server_class_runs_it(connection, server_class):
    """scripts/run serves with summit.serve's subclass of Daphne's Server: its sockets take the fast path too."""
    import functools
    import importlib

    module, name = server_class.rsplit(".", 1)
    cls = getattr(importlib.import_module(module), name)
    server = cls.__new__(cls)  # its reply path only; nothing of it runs
    _writer, transport, protocol, _peer = connection
    writer = wire.writer_for(functools.partial(server.handle_reply, protocol))
    assert isinstance(writer, wire.SocketWriter)


def test_anything_but_daphnes_own_send_gets_no_writer():
    async def send(message):
        pass

    assert wire.writer_for(send) is None


def test_autobahns_per_connection_settings_log_is_built_only_when_logged():
    from pprint import pformat

    from autobahn.websocket import protocol

    settings = [("openHandshakeTimeout", 5, "WebSocketServerFactory")]
    deferred = protocol.pformat(settings)
    assert protocol.pformat is wire.LazyPformat and not isinstance(deferred, str)
    assert "\n{attrs}".format(attrs=deferred) == "\n" + pformat(settings)
