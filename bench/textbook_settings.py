"""The platform's settings plus the channel layer the textbook design needs (the platform has none)."""

from summit.settings import *  # noqa: F403
from summit.settings import REDIS_KEY_PREFIX, REDIS_URL

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            # Explicit timeouts: the layer's blocking reads last up to 5 s (channels_redis#422).
            "hosts": [{"address": REDIS_URL, "socket_timeout": 30, "socket_connect_timeout": 5}],
            "prefix": REDIS_KEY_PREFIX,
            "capacity": 1000,
            "expiry": 60,
        },
    }
}
