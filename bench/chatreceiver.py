"""The chat phase's receiving, off the event loop: bench/chatreceiver.c, built with gcc on first use, on a thread.

For the length of a chat phase the load generator hands the sockets of its listening clients (every
one but the senders, whose acknowledgements Python reads) to the C loop: each socket's reading is
paused on the event loop and its file descriptor read by C instead, which records each chat
message's seq and latency. When the phase ends, the records are added to each client in the order
they arrived, whatever C left unread (a frame it does not count, and everything after it) goes
through the client's own parser, and the event loop reads the socket again.

Without gcc, the clients stay on the event loop (`RECEIVER_PYTHON`), which costs about twice the
CPU per frame; the result says which receiver measured it.
"""

import asyncio
import ctypes
import hashlib
import os
import shutil
import struct
import subprocess
from array import array
from pathlib import Path

SOURCE = Path(__file__).with_name("chatreceiver.c")
BUILD_DIR = Path(__file__).resolve().parent.parent / "var" / "build"
BUFFER_SIZE = 8192  # per socket: a chat frame is a few hundred bytes, and a full buffer is only read on later
RECORDS_PER_CLIENT = 1024
MAX_RECORDS = 4_000_000  # 96 MB of records; a full array hands every socket back to the event loop
# After a read of fewer sockets than one epoll_wait returns at most, the loop sleeps this long: then the
# server's sends find the reader asleep in nanosleep, not in epoll_wait, and wake nobody (a wakeup a frame
# cost both sides about 2 µs), and the next epoll_wait returns dozens of sockets. It adds at most 1 ms to a
# measured latency, against the server.
PAUSE_US = 1000
RECEIVER_C = "c"
RECEIVER_PYTHON = "python (no gcc to build bench/chatreceiver.c)"

_library = None


def library():
    """The built receive loop, or None without a C compiler. Built once per version of the source."""
    global _library  # noqa: PLW0603  (one build and one load per process)
    if _library is None:
        compiler = shutil.which("gcc") or shutil.which("cc")
        if compiler is None:
            return None
        digest = hashlib.sha256(SOURCE.read_bytes()).hexdigest()[:16]
        target = BUILD_DIR / f"chatreceiver-{digest}.so"
        if not target.exists():
            BUILD_DIR.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f"{target.name}.{os.getpid()}")
            subprocess.run([compiler, "-O2", "-shared", "-fPIC", "-o", str(partial), str(SOURCE)], check=True)
            partial.replace(target)  # several load generators may build at once: each renames a whole file
        built = ctypes.CDLL(str(target))
        built.receive_chat.restype = ctypes.c_long
        built.receive_chat.argtypes = [
            ctypes.c_int,
            ctypes.POINTER(ctypes.c_int),
            ctypes.c_int,
            ctypes.c_int,
            ctypes.c_char_p,
            ctypes.c_int,
            ctypes.POINTER(ctypes.c_int),
            ctypes.POINTER(ctypes.c_int),
            ctypes.POINTER(ctypes.c_longlong),
            ctypes.c_long,
            ctypes.c_int,
        ]
        _library = built
    return _library


class ChatReceiver:
    """One chat phase's C receive loop over some clients' sockets: `start()`, then `await finish()`.

    A socket C hands back during the phase (a frame it does not count) is Python's again at once;
    every other one when the loop ends. Each client's C records go in before anything Python read
    on that socket afterwards, so arrival order is kept.
    """

    def __init__(self, clients, latencies):
        self.latencies = latencies
        self.lib = library()
        # A client with a partial frame buffered in Python stays there: C must start at a frame's first byte.
        self.clients = [c for c in clients if not c.ws.buffer and not c.ws.transport.is_closing()] if self.lib else []
        self.kind = RECEIVER_C if self.lib else RECEIVER_PYTHON
        self.running = None
        self.returned = set()

    def start(self):
        if not self.clients:
            return self
        count = len(self.clients)
        self.marks = [len(c.arrivals) for c in self.clients]
        for client in self.clients:
            client.ws.transport.pause_reading()
        self.fds = (ctypes.c_int * count)(*(c.ws.transport.get_extra_info("socket").fileno() for c in self.clients))
        self.buffers = ctypes.create_string_buffer(count * BUFFER_SIZE)
        self.unread = memoryview(self.buffers)
        self.used = (ctypes.c_int * count)()
        self.status = (ctypes.c_int * count)()
        self.capacity = min(MAX_RECORDS, count * RECORDS_PER_CLIENT)
        self.records = (ctypes.c_longlong * (3 * self.capacity))()
        self.stop_read, self.stop_write = os.pipe()
        self.handback_read, self.handback_write = os.pipe()
        os.set_blocking(self.handback_read, False)
        loop = asyncio.get_running_loop()
        loop.add_reader(self.handback_read, self._handed_back)
        arguments = (count, self.fds, self.stop_read, self.handback_write, self.buffers, BUFFER_SIZE, self.used)
        self.running = loop.run_in_executor(
            None, self.lib.receive_chat, *arguments, self.status, self.records, self.capacity, PAUSE_US
        )
        self.running.add_done_callback(self._loop_ended)
        return self

    def _loop_ended(self, _running):
        """Stopped, or its record array full: every socket goes back to the event loop now, not at the end."""
        self._handed_back()
        for number in range(len(self.clients)):
            self._take_back(number)

    def _handed_back(self):
        try:
            numbers = os.read(self.handback_read, 4096)
        except BlockingIOError:
            return
        for (number,) in struct.iter_unpack("i", numbers):
            self._take_back(number)

    def _take_back(self, number):
        """The socket is Python's again: what C left unread first, then the event loop's reading."""
        if number in self.returned:
            return
        self.returned.add(number)
        client, used = self.clients[number], self.used[number]
        if used:
            client.ws.data_received(bytes(self.unread[number * BUFFER_SIZE : number * BUFFER_SIZE + used]))
        client.ws.transport.resume_reading()

    async def finish(self):
        """Stops the loop, gives each client what C recorded, and takes every socket back."""
        if self.running is None:
            return
        os.write(self.stop_write, b"x")
        try:
            count = await self.running  # and _loop_ended has taken every socket back
        finally:
            asyncio.get_running_loop().remove_reader(self.handback_read)
            for fd in (self.stop_read, self.stop_write, self.handback_read, self.handback_write):
                os.close(fd)
        if count < 0:
            raise OSError(-count, os.strerror(-count))
        records = memoryview(self.records).cast("B").cast("q")[: 3 * count]
        received = [array("q") for _ in self.clients]
        latencies = self.latencies
        for k in range(0, 3 * count, 3):
            received[records[k]].append(records[k + 1])
            if records[k + 2] >= 0:
                latencies.append(records[k + 2])
        for client, mark, seqs in zip(self.clients, self.marks, received, strict=True):
            client.arrivals[mark:mark] = seqs
