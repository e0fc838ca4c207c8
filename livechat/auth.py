"""Who opens a room socket: the session cookie is read once, at connect, and `send` is left alone.

Channels' `AuthMiddlewareStack` wraps every socket's `send` in a
session-saving wrapper that runs on each frame sent, and keeps a lazy session
and user per socket. A room socket never changes its session, so the consumer
reads the session cookie from the handshake's headers (`session_key_of`),
without a middleware layer and the copy of the scope it would hold for the
socket's life. It loads the session's user in the same database call that
decides its access to the room (`users_of_sessions`), after it accepted the
socket, and the sockets of a join storm that arrive together are looked up
together (see livechat/hub.py's `Hubs.access`), so no handshake waits on the
database.
Leaving `send` unwrapped is also what lets livechat/wire.py recognise
Daphne's own send and write frames beneath it.
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model, load_backend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends import db
from django.core.exceptions import ValidationError
from django.http.cookie import parse_cookie
from django.utils import timezone
from django.utils.crypto import constant_time_compare


def session_key_of(scope):
    """The Django session cookie of a websocket handshake, or None."""
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            return parse_cookie(value.decode("latin-1")).get(settings.SESSION_COOKIE_NAME) or None
    return None


def user_of_session(session_key):
    """The signed-in user of a session, or AnonymousUser (see users_of_sessions)."""
    return users_of_sessions([session_key])[session_key]


def users_of_sessions(session_keys):
    """{session key: its signed-in user, or AnonymousUser}, for the sockets of a join storm at once.

    Checked as Django's `get_user` checks a request's session: the session's
    backend must still be configured, the account active, and the session's
    hash must match the password's (or one made with a fallback secret), so
    signing out, a deactivated account or a changed password signs the socket
    out. Unlike `get_user` it never writes: a session that no longer verifies is
    refused, not flushed, and the next page the person opens flushes it. The
    sessions are read in one query (database sessions) and the users of
    ModelBackend and its subclasses (django-sesame's) in one query per backend,
    with their profiles.
    """
    sessions = _sessions(session_keys)
    wanted = {}  # backend path -> user ids
    signed_in = {}  # session key -> (backend path, user id, session hash)
    for key, data in sessions.items():
        try:
            user_id = get_user_model()._meta.pk.to_python(data[SESSION_KEY])
            backend_path = data[BACKEND_SESSION_KEY]
        except (KeyError, ValidationError):
            continue
        if backend_path in settings.AUTHENTICATION_BACKENDS:
            wanted.setdefault(backend_path, set()).add(user_id)
            signed_in[key] = (backend_path, user_id, data.get(HASH_SESSION_KEY))
    found = {path: _users_of(load_backend(path), ids) for path, ids in wanted.items()}
    users = {}
    for key in session_keys:
        backend_path, user_id, session_hash = signed_in.get(key, (None, None, None))
        user = found[backend_path].get(user_id) if backend_path else None
        users[key] = user if user is not None and _verified(user, session_hash) else AnonymousUser()
    return users


def _sessions(session_keys):
    """{session key: its data} of the sessions that exist and have not expired."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = {key for key in session_keys if key is not None}
    if issubclass(store, db.SessionStore) and store.load is db.SessionStore.load:
        rows = store.get_model_class().objects.filter(session_key__in=keys, expire_date__gt=timezone.now())
        return {key: store().decode(data) for key, data in rows.values_list("session_key", "session_data")}
    return {key: data for key in keys if (data := store(key).load())}


def _users_of(backend, user_ids):
    """{user id: the user `backend.get_user` finds}, in one query for ModelBackend's kind."""
    if not isinstance(backend, ModelBackend):
        return {user_id: backend.get_user(user_id) for user_id in user_ids}
    users = get_user_model()._default_manager.select_related("profile").filter(pk__in=user_ids)
    return {user.pk: user for user in users if backend.user_can_authenticate(user)}


def _verified(user, session_hash):
    if not hasattr(user, "get_session_auth_hash"):
        return True
    if not session_hash:
        return False
    return constant_time_compare(session_hash, user.get_session_auth_hash()) or any(
        constant_time_compare(session_hash, fallback) for fallback in user.get_session_auth_fallback_hash()
    )
