"""Every Redis key and pub/sub channel name the live rooms use, built here and nowhere else.

Redis pub/sub channels are not scoped by database number, so the names carry
REDIS_KEY_PREFIX and the database number: two deployments (or two
test runs) sharing one Redis server never hear each other's rooms.
"""

import os
import secrets
import socket

from django.conf import settings

from summit.redis_connections import database_number

# Names the Daphne process holding a socket, for Attendance.server and presence.
SERVER_ID = f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


def _namespace():
    prefix = settings.REDIS_KEY_PREFIX
    database = database_number(settings.REDIS_URL)
    return f"{prefix}:{database}:live"


def room_channel(room_id):
    """Pub/sub channel carrying a room's events, already encoded, once per event."""
    return f"{_namespace()}:room:{room_id}"


def presence_key(room_id):
    """Hash of server id -> "count:expires_at" for the sockets each process holds in a room."""
    return f"{_namespace()}:presence:{room_id}"


def control_channel():
    """Pub/sub channel telling every process whose sockets must check their rights again."""
    return f"{_namespace()}:control"


def person_channel(user_id):
    """Pub/sub channel carrying one person's notifications to their own sockets (/ws/me/)."""
    return f"{_namespace()}:person:{user_id}"


def people_pattern():
    """The pattern each process subscribes to once for every person's channel; notices are few."""
    return f"{_namespace()}:person:*"
