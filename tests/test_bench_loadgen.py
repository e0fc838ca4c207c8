"""The load generator counts what the server sent, exactly: its short parsing paths and its C chat receiver.

A real client (bench/loadgen.py's Client on bench/rawsocket.py's RoomSocket) on one end of a socket pair,
the test writing the server's frames on the other.
"""

import asyncio
import json
import socket
import time

import pytest

from bench import chatreceiver, loadgen
from bench.rawsocket import RoomSocket
from livechat.wire import text_frame

HANDSHAKE = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"


def chat(seq, sent_ns=None, live=True):
    """A chat.message as the server writes it: seq last when live, PostgreSQL's jsonb key order when read back."""
    body = f"bench {sent_ns} 1-{seq}" if sent_ns else "Bonjour à tous"
    author = {"id": 7, "name": "Amélie Durand", "organisation": "Fair Vision"}
    if live:
        frame = {"type": "chat.message", "id": seq, "author": author, "body": body, "client_id": None, "seq": seq}
    else:
        frame = {"id": seq, "seq": seq, "body": body, "type": "chat.message", "author": author, "client_id": None}
    return server_text(frame)


def server_text(frame):
    return text_frame(json.dumps(frame, ensure_ascii=False, separators=(",", ":")))


def ping(payload):
    return bytes((0x89, len(payload))) + payload


async def connected_client(worker, index=1):
    """A client whose handshake and room.state (last seq 0) the test's end of the pair has answered."""
    ours, server = socket.socketpair()
    server.settimeout(5)
    client = loadgen.Client({"index": index, "url": "ws://127.0.0.1:1/ws/", "room": "pitch", "sessionid": "s"}, worker)
    loop = asyncio.get_running_loop()
    _transport, client.ws = await loop.create_connection(
        lambda: RoomSocket(client, b"GET / HTTP/1.1\r\n\r\n"), sock=ours
    )
    server.recv(4096)  # the client's request
    server.sendall(HANDSHAKE + server_text({"type": "room.state", "last_seq": 0}))
    await asyncio.wait_for(asyncio.shield(client.state), 5)
    return client, server


async def until(condition, timeout=5):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition never held")
        await asyncio.sleep(0.01)


async def test_python_parser_counts_every_frame_of_a_read_whether_one_split_or_many():
    worker = loadgen.Worker({"clients": []})
    client, server = await connected_client(worker)
    sent = time.time_ns()
    one, split, *several = (chat(seq, sent) for seq in range(1, 6))
    server.sendall(one)
    await until(lambda: len(client.arrivals) == 1)
    server.sendall(split[:40])
    await asyncio.sleep(0.05)
    server.sendall(split[40:] + b"".join(several) + chat(6, sent, live=False))
    await until(lambda: len(client.arrivals) == 6)
    assert list(client.arrivals) == [1, 2, 3, 4, 5, 6]
    assert len(worker.latencies) == 6
    assert min(worker.latencies) >= 0 and max(worker.latencies) < 5_000_000
    summary = client.summary()
    assert (summary["received"], summary["duplicates"], summary["out_of_order"]) == (6, 0, 0)
    client.ws.transport.close()
    server.close()


async def test_doubles_and_late_frames_are_counted_after_the_load():
    worker = loadgen.Worker({"clients": []})
    client, server = await connected_client(worker)
    server.sendall(b"".join(chat(seq) for seq in (1, 3, 2, 3)))
    await until(lambda: len(client.arrivals) == 4)
    summary = client.summary()
    assert (summary["received"], summary["duplicates"], summary["out_of_order"]) == (3, 1, 1)
    assert client.last_seq() == 3
    client.ws.transport.close()
    server.close()


@pytest.fixture
def receiver_library():
    if chatreceiver.library() is None:
        pytest.skip("no C compiler: the load generator measures with its Python receiver")


async def test_c_receiver_records_chat_in_either_key_order_skips_presence_and_answers_pings(receiver_library):
    worker = loadgen.Worker({"clients": []})
    client, server = await connected_client(worker)
    receiver = chatreceiver.ChatReceiver([client], worker.latencies).start()
    assert receiver.kind == chatreceiver.RECEIVER_C
    sent = time.time_ns()
    presence = server_text({"type": "presence", "count": 12})
    server.sendall(chat(1, sent) + presence + ping(b"keepalive") + chat(2, sent, live=False) + chat(3))
    pong = server.recv(64)
    assert pong == bytes((0x8A, 0x80 | 9)) + bytes(4) + b"keepalive"  # masked, with a zero key
    await asyncio.sleep(0.05)
    assert list(client.arrivals) == []  # C holds the records until the phase ends
    await receiver.finish()
    assert list(client.arrivals) == [1, 2, 3]
    assert len(worker.latencies) == 2  # the third body carries no send time
    client.ws.transport.close()
    server.close()


async def test_c_receiver_hands_a_frame_it_does_not_count_back_at_once_and_order_is_kept(receiver_library):
    worker = loadgen.Worker({"clients": []})
    client, server = await connected_client(worker)
    receiver = chatreceiver.ChatReceiver([client], worker.latencies).start()
    error = server_text({"type": "error", "code": "flood", "detail": "Slow down."})
    server.sendall(chat(1) + chat(2)[:30])  # the second frame split across reads
    await asyncio.sleep(0.05)
    server.sendall(chat(2)[30:] + error + chat(3))
    await until(lambda: client.errors == {"flood": 1})  # Python's parser has the socket back before the end
    server.sendall(chat(4))
    await until(lambda: list(client.arrivals) == [3, 4])
    await receiver.finish()
    assert list(client.arrivals) == [1, 2, 3, 4]  # C's records go before what Python read afterwards
    assert client.summary()["out_of_order"] == 0
    client.ws.transport.close()
    server.close()


async def test_c_receiver_gives_every_socket_back_with_what_it_has_not_parsed(receiver_library):
    worker = loadgen.Worker({"clients": []})
    client, server = await connected_client(worker)
    receiver = chatreceiver.ChatReceiver([client], worker.latencies).start()
    server.sendall(chat(1) + chat(2)[:25])
    await asyncio.sleep(0.05)
    await receiver.finish()
    server.sendall(chat(2)[25:])
    await until(lambda: len(client.arrivals) == 2)
    assert list(client.arrivals) == [1, 2]
    client.ws.transport.close()
    server.close()
