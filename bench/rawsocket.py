"""The load generator's websocket client on a raw asyncio transport: handshake, masked client frames,
server frames parsed in bulk, and the few JSON fields it counts read without decoding the frame."""

import asyncio
import os


class RoomSocket(asyncio.Protocol):
    """One websocket client connection on a raw transport: the handshake, then server frames parsed in bulk.

    Why not a websocket library: at 10,000 attendees the generator receives 100,000 frames a
    second, and a library's per-frame objects, queues and task wake-ups cost more CPU than the
    server spends sending them. Here each `data_received` walks every whole frame in the buffer
    and hands text payloads (bytes) to the client; pings are answered, a close is recorded.
    Only unfragmented frames from the server are expected (Daphne sends no others); a fragment
    is joined with its continuations all the same.
    """

    def __init__(self, client, request):
        self.client = client
        self.request = request
        self.transport = None
        self.buffer = bytearray()
        self.handshaken = False
        self.fragments = None
        self.close_code = None
        self.opened = asyncio.get_running_loop().create_future()
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport):
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data):
        if self.handshaken and not self.buffer and len(data) > 2 and data[0] == 0x81:
            # The common case, kept to a few operations: exactly one whole final text frame, nothing buffered.
            length = data[1]
            if length == 126:
                if len(data) == 4 + (data[2] << 8 | data[3]):
                    self.client.on_text(data[4:])
                    return
            elif length < 126 and len(data) == 2 + length:
                self.client.on_text(data[2:])
                return
        buffer = self.buffer
        buffer += data
        if not self.handshaken:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(buffer[: buffer.find(b"\r\n")]).split(b" ", 2)
            if len(status) < 2 or status[1] != b"101":
                self.fail(f"refused: HTTP {status[1].decode() if len(status) > 1 else '?'}")
                return
            self.handshaken = True
            del buffer[: end + 4]
            if not self.opened.done():  # else the client gave up waiting, and counts this socket refused
                self.opened.set_result(None)
        position, size, on_text = 0, len(buffer), self.client.on_text
        while size - position >= 2:
            first, length = buffer[position], buffer[position + 1] & 0x7F
            header = 2
            if length == 126:
                if size - position < 4:
                    break
                length, header = int.from_bytes(buffer[position + 2 : position + 4], "big"), 4
            elif length == 127:
                if size - position < 10:
                    break
                length, header = int.from_bytes(buffer[position + 2 : position + 10], "big"), 10
            if size - position < header + length:
                break
            payload = bytes(buffer[position + header : position + header + length])
            position += header + length
            opcode = first & 0x0F
            if opcode == 0x1 and first & 0x80:
                on_text(payload)
            elif opcode in (0x0, 0x1):  # a fragmented text message
                self.fragments = (self.fragments or b"") + payload
                if first & 0x80:
                    text, self.fragments = self.fragments, None
                    on_text(text)
            elif opcode == 0x9:
                self.transport.write(client_frame(0xA, payload))
            elif opcode == 0x8:
                self.close_code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
                self.transport.write(client_frame(0x8, payload[:2]))
                self.transport.close()
                break
        del buffer[:position]

    def fail(self, reason):
        if not self.opened.done():
            self.opened.set_exception(ConnectionError(reason))
        self.transport.close()

    def connection_lost(self, exc):
        if not self.opened.done():
            self.opened.set_exception(ConnectionError("closed during the handshake"))
        if not self.closed.done():
            self.closed.set_result(self.close_code or 1006)
        self.client.on_closed(self.close_code or 1006)

    def send_text(self, text):
        if self.transport.is_closing():
            raise ConnectionError("the socket is closed")
        self.transport.write(client_frame(0x1, text.encode()))

    async def close(self):
        if not self.transport.is_closing():
            self.transport.write(client_frame(0x8, (1000).to_bytes(2, "big")))
        try:
            await asyncio.wait_for(asyncio.shield(self.closed), 5)
        except TimeoutError:
            self.transport.abort()


def client_frame(opcode, payload):
    """A final client frame, masked as RFC 6455 requires of clients."""
    size = len(payload)
    if size < 126:
        header = bytes((0x80 | opcode, 0x80 | size))
    elif size < 65536:
        header = bytes((0x80 | opcode, 0x80 | 126)) + size.to_bytes(2, "big")
    else:
        header = bytes((0x80 | opcode, 0x80 | 127)) + size.to_bytes(8, "big")
    key = os.urandom(4)
    mask = (key * (size // 4 + 1))[:size]
    return header + key + (int.from_bytes(payload, "big") ^ int.from_bytes(mask, "big")).to_bytes(size, "big")


def field(payload, name):
    """The raw text of a top-level string or integer field of a compact JSON object (the server's frames)."""
    start = payload.find(name)
    if start < 0:
        return None
    start += len(name)
    while payload[start : start + 1] == b" ":
        start += 1
    if payload[start : start + 1] == b'"':
        return payload[start + 1 : payload.find(b'"', start + 1)]
    end = start
    while payload[end : end + 1].isdigit():
        end += 1
    return payload[start:end]
