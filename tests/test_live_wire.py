"""Frames written beneath Daphne keep Twisted's guarantees: order, a cap on what a slow reader holds, Twisted's closing.

Each test drives a real Twisted TCP transport and a real autobahn protocol over
a real socket pair, on a reactor that is never run: the test calls the
transport's `doWrite` itself where the reactor would.
"""

import functools
import logging
import socket
import struct
import time
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from autobahn.twisted.websocket import WebSocketServerFactory, WebSocketServerProtocol
from twisted.internet import tcp
from twisted.internet.error import ConnectionLost
from twisted.internet.selectreactor import SelectReactor
from twisted.internet.testing import StringTransport

from livechat import wire
from summit.serve import SummitServer


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


def test_the_rest_of_a_partial_send_waits_in_twisteds_buffer_and_arrives_whole_and_in_order(connection):
    writer, transport, _protocol, peer = connection
    transport.socket.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    frame = wire.text_frame("x" * 1_000_000)  # far more than the kernel takes at once
    assert writer.write(frame) is True
    left = transport._tempDataLen
    assert 0 < left < len(frame)  # the kernel took a part; Twisted holds exactly the rest
    later = wire.text_frame("after the big one")
    assert writer.write(later) is True
    assert transport._tempDataLen == left + len(later)  # queued behind the rest, not sent ahead of it
    data = b""
    peer.setblocking(False)
    for _ in range(100_000):
        if len(data) >= len(frame) + len(later):
            break
        try:
            data += peer.recv(1 << 20)
        except BlockingIOError:
            transport.doWrite()  # what the reactor does when the socket is writable again
    assert data == frame + later


def test_a_frame_waits_behind_what_autobahn_paces_out_of_its_send_queue(connection):
    writer, transport, protocol, peer = connection
    earlier = wire.text_frame("a close frame autobahn is pacing")
    protocol.send_queue.append((earlier, True))  # as sendData(sync=True) leaves it between two reactor turns
    protocol.triggered = True
    later = wire.text_frame("chat")
    assert writer.write(later) is True
    assert nothing_waiting(peer)  # not written ahead of what autobahn still holds
    assert [data for data, _sync in protocol.send_queue] == [earlier, later]
    while protocol.send_queue:  # autobahn's _send, one entry per reactor turn
        transport.write(protocol.send_queue.popleft()[0])
    transport.doWrite()
    assert received(peer, len(earlier) + len(later)) == earlier + later


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


def test_anything_but_daphnes_own_send_gets_no_writer_and_is_no_fallback(caplog):
    async def send(message):
        pass

    before = wire.fallback_counts()["fallbacks"]
    assert wire.writer_for(send) is None
    assert wire.fallback_counts()["fallbacks"] == before  # a test communicator is not a production fallback
    assert not [r for r in caplog.records if r.name == "livechat.wire"]


def daphne_send_over(transport):
    """Daphne's reply path to a websocket protocol whose transport is `transport`."""
    protocol = WebSocketServerProtocol()
    protocol.transport = transport
    server = SummitServer.__new__(SummitServer)
    return functools.partial(server.handle_reply, protocol)


def test_a_daphne_socket_that_is_not_plain_tcp_falls_back_counted_and_logged_once_then_by_tens(caplog, monkeypatch):
    """A TLS socket (here any transport but Twisted's plain TCP one) costs about 4x: the operator is told."""
    from collections import Counter

    monkeypatch.setattr(wire, "_fallbacks", Counter())  # a process that has seen no fallback yet
    caplog.set_level(logging.INFO, logger="livechat.wire")
    reason = "a twisted.internet.testing.StringTransport transport, not plain TCP"
    for _ in range(100):
        assert wire.writer_for(daphne_send_over(StringTransport())) is None
    assert wire.fallback_counts()["fallbacks"] == {reason: 100}
    warnings = [r.getMessage() for r in caplog.records if r.name == "livechat.wire" and r.levelname == "WARNING"]
    assert [w.rsplit("; ", 1)[1] for w in warnings] == ["1 so far", "10 so far", "100 so far"]
    assert all(reason in w for w in warnings)


def test_a_daphne_socket_on_twisted_without_the_internals_wire_reads_falls_back(connection, caplog):
    """What a Twisted release that renamed its transport buffer would look like: counted, named, no writer."""
    _writer, transport, protocol, _peer = connection
    del transport._tempDataLen
    server = SummitServer.__new__(SummitServer)
    assert wire.writer_for(functools.partial(server.handle_reply, protocol)) is None
    assert any("_tempDataLen" in reason for reason in wire.fallback_counts()["fallbacks"])


# --- the pins: what wire.py reaches beneath is exactly the version it was written against -----------


def pins():
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "constraints.txt").read_text()
    return dict(line.split("==") for line in text.splitlines() if line and not line.startswith("#"))


def test_daphne_twisted_and_autobahn_are_pinned_exactly_and_installed_at_those_versions():
    from importlib.metadata import version

    pinned = pins()
    assert set(pinned) == {"daphne", "Twisted", "autobahn"}
    assert {name: version(name) for name in pinned} == pinned


@pytest.mark.parametrize("path", ["Makefile", "Dockerfile"])
def test_every_install_uses_the_constraints_file(path):
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / path).read_text()
    installs = [line for line in text.splitlines() if "pip install" in line and "-r requirements" in line]
    assert installs and all("-c constraints.txt" in line for line in installs)


# --- autobahn's per-connection options (summit/serve.py) ---------------------------------------------


def summit_protocol():
    """A protocol as summit.serve's Daphne builds it, over a transport nothing reads."""
    from daphne.ws_protocol import WebSocketFactory

    server = SummitServer.__new__(SummitServer)
    factory = WebSocketFactory(server)
    server.ws_factory = factory
    factory.setProtocolOptions(openHandshakeTimeout=7)  # as Daphne does after building it
    protocol = factory.buildProtocol(None)
    protocol.makeConnection(StringTransport())
    return factory, protocol


def test_a_connection_reads_autobahns_options_from_the_factory_without_copying_them():
    factory, protocol = summit_protocol()
    assert protocol.openHandshakeTimeout == 7 and protocol.failByDrop is False
    assert {name: getattr(protocol, name) for name in protocol.OPTIONS} == {
        name: getattr(factory, name) for name in protocol.OPTIONS
    }
    assert not set(protocol.OPTIONS) & set(vars(protocol))  # nothing of the 29 options on each socket


def test_a_connections_lighter_send_queue_keeps_autobahns_order_and_wire_stays_behind_it():
    from summit.serve import SendQueue, SlimTrafficStats

    _factory, protocol = summit_protocol()
    assert isinstance(protocol.send_queue, SendQueue) and isinstance(protocol.trafficStats, SlimTrafficStats)
    assert not protocol.send_queue  # what wire.py reads: nothing queued
    protocol.send_queue.append((b"close frame", True))
    protocol.triggered = True  # autobahn is pacing it: its next _send is due on the reactor
    protocol.sendData(b"next")  # autobahn queues behind what it paces
    assert [protocol.send_queue.popleft()[0] for _ in range(2)] == [b"close frame", b"next"]
    assert not protocol.send_queue
    assert protocol.trafficStats.__json__()["outgoingOctetsWireLevel"] == 0


def test_sockets_opened_together_get_their_first_pings_spread_over_one_interval():
    from summit.serve import spread_first_ping

    server = SummitServer.__new__(SummitServer)
    server.ping_interval = 20
    opened_at = time.time()
    storm = [SimpleNamespace(server=server, last_ping=opened_at) for _ in range(200)]
    for protocol in storm:
        spread_first_ping(protocol)
    first_pings = sorted(protocol.last_ping + server.ping_interval - opened_at for protocol in storm)
    assert first_pings[0] >= 0 and first_pings[-1] <= server.ping_interval  # never later than Daphne's own
    checker_passes = {int(delay // 2) for delay in first_pings}  # Daphne checks every 2 s
    assert len(checker_passes) == 10  # not one pass pinging all 200


def test_autobahns_settings_dump_is_built_only_when_logged_and_its_pformat_is_left_alone(monkeypatch):
    import pprint

    from autobahn.websocket import protocol as autobahn_protocol

    assert autobahn_protocol.pformat is pprint.pformat  # no global replacement
    timings = autobahn_protocol.Timings()
    timings.track("onOpen")
    assert "onOpen" in str(timings)  # autobahn's own use of pformat works

    built = []
    monkeypatch.setattr("summit.serve.pformat", lambda value: built.append(value) or "dump")
    summit_protocol()
    assert built == []  # debug logging is off: the dump of the options is never built
    from summit.serve import LazyPformat

    assert f"{LazyPformat(lambda: [('failByDrop', False, 'WebSocketFactory')])}" == "dump"
    assert built == [[("failByDrop", False, "WebSocketFactory")]]


# --- through a real Daphne, in both test passes ----------------------------------------------------


@contextmanager
def daphne_seeing_this_database(tmp_path):
    """summit.serve on a free port, seeing this test's rows so far: PostgreSQL directly, SQLite as a copy.

    Not marked multiprocess, so the SQLite pass runs it too: its in-memory test database is copied
    (sqlite3's backup) to a file the server opens. Yields (port, log path).
    """
    import os

    from django.conf import settings
    from django.db import connection

    from tests.servers import database_url_for, free_port, start_daphne, stop

    url = database_url_for(connection)
    if url is None:
        import sqlite3

        connection.ensure_connection()
        copy = sqlite3.connect(tmp_path / "db.sqlite3")
        connection.connection.backup(copy)
        copy.close()
        url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "0",
        "HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "VAR_DIR": str(tmp_path),
        "LOG_LEVEL": "INFO",
    }
    port, log_path = free_port(), tmp_path / "daphne.log"
    process = start_daphne(port, env, log_path)
    try:
        yield port, log_path
    finally:
        stop(process)


@pytest.mark.django_db(transaction=True)
def test_room_frames_through_a_real_daphne_take_the_fast_path_in_order(
    tmp_path, main_stage, attendee_paris, attendee_shanghai
):
    import json

    from websockets.sync.client import connect

    from tests.conftest import session_cookie

    cookies = {user: session_cookie(user) for user in (attendee_paris, attendee_shanghai)}

    def open_room(user):
        room = connect(
            f"ws://127.0.0.1:{port}/ws/summits/roadshow/rooms/main-stage/",
            origin=f"http://127.0.0.1:{port}",
            additional_headers={"Cookie": f"sessionid={cookies[user]}"},
            open_timeout=20,
        )
        assert json.loads(room.recv(20))["type"] == "room.state"
        return room

    def chat_seqs(room, count):
        seqs = []
        while len(seqs) < count:
            frame = json.loads(room.recv(20))
            if frame["type"] == "chat.message":
                seqs.append((frame["seq"], frame["body"]))
        return seqs

    with daphne_seeing_this_database(tmp_path) as (port, log_path):
        camille, lina = open_room(attendee_paris), open_room(attendee_shanghai)
        try:
            for n in range(5):
                camille.send(json.dumps({"type": "chat.send", "body": f"m{n}", "client_id": f"c{n}"}))
            expected = [(n + 1, f"m{n}") for n in range(5)]
            assert chat_seqs(lina, 5) == expected
            assert chat_seqs(camille, 5) == expected
        finally:
            camille.close()
            lina.close()
        log = log_path.read_text()
    assert "room sockets are written beneath Daphne" in log
    assert "Daphne's own send path" not in log


def test_an_open_socket_lets_go_of_the_upgraded_http_channel_and_its_handshake():
    """What an idle socket holds counts (docs/benchmarks.md): nothing of its HTTP upgrade stays alive."""
    from types import SimpleNamespace

    from twisted.web.http import HTTPChannel

    _factory, protocol = summit_protocol()
    transport = StringTransport()
    transport.registerProducer(HTTPChannel(), True)  # what Daphne's upgrade leaves on the TCP transport
    protocol.makeConnection(transport)
    assert transport.producer is None

    logged = []
    protocol.server = SimpleNamespace(log_action=lambda *args: logged.append(args))
    protocol.client_addr = ["127.0.0.1", 5]
    protocol.request = SimpleNamespace(path="/ws/summits/roadshow/rooms/main-stage/", headers={"cookie": "x"})
    protocol.http_request_data, protocol.http_headers = b"GET / HTTP/1.1\r\n...", {"cookie": "x"}
    protocol.onOpen()
    assert logged[0][2]["path"] == "/ws/summits/roadshow/rooms/main-stage/"  # Daphne's access log still has it
    assert protocol.http_request_data is None and protocol.http_headers is None
    assert protocol.request.path == "/ws/summits/roadshow/rooms/main-stage/"
    assert not hasattr(protocol.request, "headers")


async def test_a_connections_inbox_hands_messages_to_its_application_in_order_and_wakes_it():
    import asyncio

    from summit.serve import ApplicationInbox

    inbox = ApplicationInbox()
    inbox.put_nowait({"type": "websocket.connect"})
    assert await inbox.get() == {"type": "websocket.connect"}
    waiting = asyncio.ensure_future(inbox.get())
    await asyncio.sleep(0)
    assert not waiting.done()  # nothing there yet: the application waits
    inbox.put_nowait({"type": "websocket.receive", "text": "1"})
    inbox.put_nowait({"type": "websocket.receive", "text": "2"})
    assert (await waiting)["text"] == "1"
    assert (await inbox.get())["text"] == "2"
