"""Redis clients from `REDIS_URL`, which names either one server or a Redis Sentinel set.

    redis://[:password@]host:6379/0                  one server (rediss:// for TLS)
    sentinel://[:password@]h1:26379,h2:26379,h3:26379/mymaster/0
                                                     the Sentinel set watching master `mymaster`, database 0

With a Sentinel URL every client asks the sentinels where the master is and
asks again after a connection fails, so a failover is one reconnect: the
cache (Django's RedisCache with `SentinelPool`), the live rooms' pub/sub hubs
and the Celery broker (kombu's `sentinel://` transport). The password, if any, is the Redis
servers' password; the sentinels themselves are reached without one.
"""

from dataclasses import dataclass
from urllib.parse import unquote, urlparse

import redis
import redis.asyncio as aioredis
from django.core.exceptions import ImproperlyConfigured
from redis.asyncio.sentinel import Sentinel as AsyncSentinel
from redis.sentinel import Sentinel, SentinelConnectionPool

SENTINEL_SCHEME = "sentinel"


@dataclass(frozen=True)
class SentinelSet:
    sentinels: tuple
    master_name: str
    db: int
    password: str | None


def sentinel_set(url):
    """The SentinelSet a `sentinel://` URL names, None for any other URL; ImproperlyConfigured if malformed."""
    parsed = urlparse(url or "")
    if parsed.scheme != SENTINEL_SCHEME:
        return None
    hosts = parsed.netloc.rpartition("@")[2]
    parts = [part for part in parsed.path.split("/") if part]
    try:
        sentinels = tuple((host, int(port)) for host, _sep, port in (item.rpartition(":") for item in hosts.split(",")))
        db = int(parts[1]) if len(parts) > 1 else 0
    except ValueError:
        sentinels = db = None
    if not sentinels or any(not host for host, _port in sentinels) or not parts or len(parts) > 2 or db is None:
        raise ImproperlyConfigured(
            f"REDIS_URL {url!r}: a Sentinel set is sentinel://[:password@]host:port,host:port,.../master_name/db"
        )
    return SentinelSet(sentinels, parts[0], db, unquote(parsed.password) if parsed.password else None)


def database_number(url):
    """The Redis database a URL selects, as a string: names of pub/sub channels carry it."""
    found = sentinel_set(url)
    if found is not None:
        return str(found.db)
    return (urlparse(url or "").path or "/0").strip("/") or "0"


def sync_client(url, **options):
    """A redis.Redis for `url`; with a Sentinel set it follows the master through failovers."""
    found = sentinel_set(url)
    if found is None:
        return redis.Redis.from_url(url, **options)
    sentinel = Sentinel(found.sentinels, socket_timeout=options.get("socket_connect_timeout", 2))
    return sentinel.master_for(found.master_name, db=found.db, password=found.password, **options)


def async_client(url, **options):
    """A redis.asyncio.Redis for `url`; with a Sentinel set it follows the master through failovers."""
    found = sentinel_set(url)
    if found is None:
        return aioredis.Redis.from_url(url, **options)
    sentinel = AsyncSentinel(found.sentinels, socket_timeout=options.get("socket_connect_timeout", 2))
    return sentinel.master_for(found.master_name, db=found.db, password=found.password, **options)


def celery_broker(url):
    """(broker URL, extra transport options) for kombu: its Sentinel transport wants one URL per sentinel."""
    found = sentinel_set(url)
    if found is None:
        return url, {}
    auth = f":{found.password}@" if found.password else ""
    broker = ";".join(f"sentinel://{auth}{host}:{port}/{found.db}" for host, port in found.sentinels)
    return broker, {"master_name": found.master_name, "sentinel_kwargs": {"socket_timeout": 2}}


class SentinelPool(SentinelConnectionPool):
    """Django's RedisCache builds its pools with `pool_class.from_url(LOCATION, **OPTIONS)`: this one reads a
    Sentinel URL there, so the cache needs no other Redis library."""

    @classmethod
    def from_url(cls, url, **options):
        found = sentinel_set(url)
        if found is None:
            raise ImproperlyConfigured(f"SentinelPool needs a sentinel:// URL, got {url!r}")
        sentinel = Sentinel(found.sentinels, socket_timeout=options.get("socket_connect_timeout", 2))
        return cls(found.master_name, sentinel, db=found.db, password=found.password, **options)
