"""Who opens a room socket: the session cookie is read once, at connect, and `send` is left alone.

Channels' `AuthMiddlewareStack` wraps every socket's `send` in a
session-saving wrapper that runs on each frame sent, and keeps a lazy session
and user per socket. A room socket never changes its session, so this
middleware only puts the session cookie in the scope (`session_key`); the
consumer loads the session's user in the same database call that decides its
access to the room (`user_of_session`), after it accepted the socket, so a
join storm costs one database call per socket and no handshake waits on the
database. Leaving `send` unwrapped is also what lets livechat/wire.py
recognise Daphne's own send and write frames beneath it.
"""

from importlib import import_module
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth import get_user
from django.contrib.auth.models import AnonymousUser
from django.http.cookie import parse_cookie


def session_key_of(scope):
    """The Django session cookie of a websocket handshake, or None."""
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            return parse_cookie(value.decode("latin-1")).get(settings.SESSION_COOKIE_NAME) or None
    return None


def user_of_session(session_key):
    """The signed-in user of a session, checked as Django checks a request's (backend, session hash)."""
    if session_key is None:
        return AnonymousUser()
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    return get_user(SimpleNamespace(session=store))


class SessionKeyMiddleware:
    """Puts the websocket's `session_key` in its scope; the consumer looks its user up once, at connect."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        return await self.inner({**scope, "session_key": session_key_of(scope)}, receive, send)
