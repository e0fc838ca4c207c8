"""One cache backend object per process for the hot paths (schedule documents, live access decisions).

Django's `cache` is kept per thread and per asyncio context: code run by
`sync_to_async(thread_sensitive=False)`, or in the thread Daphne gives each
request, gets a fresh backend object almost every time, and the Redis backend
then opens a new connection for it (a join storm spent a third of its time
connecting to Redis). These paths share this one object instead; it reads and
writes the same store as `django.core.cache.cache`, and its connection pool is
thread-safe.
"""

from functools import lru_cache

from django.core.cache import caches


@lru_cache(maxsize=None)
def shared_cache():
    return caches.create_connection("default")
