"""The shared cache for the hot paths (schedule documents, live access decisions): one backend per process,
and best effort, so an unreachable Redis costs a database read, never a failed request.

Django's `cache` is kept per thread and per asyncio context: code run by
`sync_to_async(thread_sensitive=False)`, or in the thread Daphne gives each
request, gets a fresh backend object almost every time, and the Redis backend
then opens a new connection for it (a join storm spent a third of its time
connecting to Redis). These paths share this one object instead; it reads and
writes the same store as `django.core.cache.cache`, and its connection pool is
thread-safe.

Everything kept here can be built again from the database. So while Redis
cannot be reached a read is a miss and a write is skipped (and says so by
returning False), and the caller builds the answer from the database: the
schedule, the room page and the live rooms' access decisions keep answering
(docs/operations.md). The throttles use Django's own `cache`, which raises:
an attempt that cannot be counted is refused (summit/throttling.py).
"""

import logging
import time
from functools import cache

from django.core.cache import caches
from redis.exceptions import RedisError

log = logging.getLogger(__name__)
WARN_EVERY_SECONDS = 10  # an outage under load would otherwise log once per request


class BestEffortCache:
    """A cache backend whose failures are misses (reads) and skipped writes, logged now and then."""

    def __init__(self, backend):
        self.backend = backend
        self._warned_at = None

    def _unreachable(self, error):
        now = time.monotonic()
        if self._warned_at is None or now - self._warned_at >= WARN_EVERY_SECONDS:
            self._warned_at = now
            log.warning("the shared cache is unreachable (%s): answering from the database", error)

    def get(self, key, default=None):
        try:
            return self.backend.get(key, default)
        except (RedisError, OSError) as error:
            self._unreachable(error)
            return default

    def get_many(self, keys):
        try:
            return self.backend.get_many(keys)
        except (RedisError, OSError) as error:
            self._unreachable(error)
            return {}

    def set(self, key, value, timeout):
        """Whether the value was stored."""
        try:
            self.backend.set(key, value, timeout)
        except (RedisError, OSError) as error:
            self._unreachable(error)
            return False
        return True

    def set_many(self, values, timeout):
        """Whether the values were stored."""
        try:
            self.backend.set_many(values, timeout)
        except (RedisError, OSError) as error:
            self._unreachable(error)
            return False
        return True

    def add(self, key, value, timeout):
        """Whether the value was stored (False too when the key was there already)."""
        try:
            return self.backend.add(key, value, timeout)
        except (RedisError, OSError) as error:
            self._unreachable(error)
            return False


@cache
def shared_cache():
    return BestEffortCache(caches.create_connection("default"))
