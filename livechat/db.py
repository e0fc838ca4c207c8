"""How consumers and hubs run service functions: one `database_sync_to_async` per call, in one place.

With LIVE_DB_THREADS above 1 (the default on PostgreSQL) the calls run on a
pool of that many threads, each borrowing a connection from the process's
connection pool, so the access checks and state reads of a join storm run
side by side instead of queueing on Channels' single database thread. Writers
of one room still queue on its RoomLog row lock, so `seq` order is unchanged.
With 1 (the default on SQLite, which takes one writer at a time) they keep
Channels' single thread. Either way Channels closes the thread's connection
after each call, also when the awaiting socket was cancelled mid-call.
"""

from concurrent.futures import ThreadPoolExecutor

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connections

_executor = None


def _threads():
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=settings.LIVE_DB_THREADS, thread_name_prefix="livechat-db")
    return _executor


def _closing(service, *args, **kwargs):
    """A pool thread hands its connection back after every call (to the connection pool, or closes it)."""
    try:
        return service(*args, **kwargs)
    finally:
        connections.close_all()


def call(service, *args, **kwargs):
    if settings.LIVE_DB_THREADS <= 1:
        return database_sync_to_async(service)(*args, **kwargs)
    return database_sync_to_async(_closing, thread_sensitive=False, executor=_threads())(service, *args, **kwargs)
