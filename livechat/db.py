"""How consumers and hubs run service functions: one `database_sync_to_async` per call, in one place.

Calls run on Channels' database thread, one at a time per process. That is
the place to give PostgreSQL a pool of workers if joins ever queue behind
each other (issue 7's join storm); the pool must then also close its
connections when a socket is cancelled mid-call.
"""

from channels.db import database_sync_to_async


def call(service, *args, **kwargs):
    return database_sync_to_async(service)(*args, **kwargs)
