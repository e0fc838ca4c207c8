"""How consumers and hubs run service functions: one `database_sync_to_async` per call, in one place.

With LIVE_DB_THREADS above 1 (the default on PostgreSQL) the calls run on a
pool of that many threads, each borrowing a connection from the process's
connection pool, so the calls of different rooms and sockets run side by side
instead of queueing on Channels' single database thread. A join storm's
sockets do not each make a call: those connecting to one room together share
one access check (`call`) and one entry (`enter_call`), batched by
livechat/together.py's `Together`. Writers
of one room still queue on its RoomLog row lock, so `seq` order is unchanged.
With 1 (the default on SQLite, which takes one writer at a time) they keep
Channels' single thread. Either way Channels closes the thread's connection
after each call, also when the awaiting socket was cancelled mid-call.

The hubs' own calls (a room's last seq when its stream starts, gaps, the
heartbeat, reaction and vote totals) go through `stream_call`, and batches of
joins through `enter_call`, each on a thread of its own: the access checks of
a join storm (and of every other room) must not stand between a room's stream
and its first read, nor between the sockets already admitted and their
room.state, or every socket waits for all the others.
"""

from concurrent.futures import ThreadPoolExecutor

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connections

_executors = {}


def _threads(lane, count):
    executor = _executors.get(lane)
    if executor is None:
        executor = _executors[lane] = ThreadPoolExecutor(max_workers=count, thread_name_prefix=f"livechat-{lane}")
    return executor


def _closing(service, *args, **kwargs):
    """A pool thread hands its connection back after every call (to the connection pool, or closes it)."""
    try:
        return service(*args, **kwargs)
    finally:
        connections.close_all()


def call(service, *args, **kwargs):
    """A socket's call (its command, its recheck) or a batch of connecting sockets' access check."""
    if settings.LIVE_DB_THREADS <= 1:
        return database_sync_to_async(service)(*args, **kwargs)
    executor = _threads("db", settings.LIVE_DB_THREADS)
    return database_sync_to_async(_closing, thread_sensitive=False, executor=executor)(service, *args, **kwargs)


def stream_call(service, *args, **kwargs):
    """A hub's call, never queued behind sockets' calls (on SQLite, Channels' one thread as every call)."""
    return _lane_call("stream", service, *args, **kwargs)


def enter_call(service, *args, **kwargs):
    """A batch of joins (hub.enter): it runs while the next sockets' access checks are still queued."""
    return _lane_call("enter", service, *args, **kwargs)


def _lane_call(lane, service, *args, **kwargs):
    if settings.LIVE_DB_THREADS <= 1:
        return database_sync_to_async(service)(*args, **kwargs)
    executor = _threads(lane, 1)
    return database_sync_to_async(_closing, thread_sensitive=False, executor=executor)(service, *args, **kwargs)
