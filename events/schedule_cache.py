"""One schedule document per summit, time zone and language, built once and dropped when the programme changes.

The schedule is what every visitor of a summit asks for at once (the API and
the page's grid), and it changes only when organisers edit the programme. So
each document is built on its first request and kept in Django's cache (Redis
in production: built once for all processes), under a programme version that
every change bumps: `session_changed` (events/signals.py) and saves or deletes
of the summits, rooms, tracks, speakers, companies and sessions it shows. A
process also keeps the few documents it served last in memory, under the same
version, so a hit costs one cache read (the version) and no copy of the document.
The cache is reached through summit/cache.py (one backend object per process).
Language is part of the key: the documents hold translated text.

While the cache cannot be reached the version is unknown: each document is
built from the database and kept nowhere, so nothing stale is served. A
programme change whose version bump did not reach the cache is owed: this
process bumps the version before it reads it next, so documents built before
the change are not served once the cache is back.
"""

import hashlib
import secrets
import time

from django.conf import settings
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.urls import Resolver404, resolve

from events.middleware import TZ_COOKIE
from events.models import Company, Room, Session, Speaker, Summit, Track
from events.signals import session_changed
from summit.cache import shared_cache

VERSION_KEY = "schedule:version"
DOCUMENT_TTL = 24 * 3600  # a version nobody bumps still ends some day
KEPT_IN_PROCESS = 64

_served = {}
_bump_owed = False


def document(kind, summit_slug, zone, language, build):
    """The cached document `build()` makes (str or bytes) for these key parts, built on the first request only."""
    version = _version()
    if version is None:  # the cache is unreachable: from the database, every time, until it is back
        return build()
    key = f"schedule:{version}:{kind}:{summit_slug}:{zone}:{language}"
    found = _served.get(key)
    if found is None:
        # The parts come from the URL (any text, an unknown summit's too): the shared cache gets a digest.
        shared_key = "schedule:" + hashlib.sha256(key.encode()).hexdigest()
        found = shared_cache().get(shared_key)
        if found is None:
            found = build()
            shared_cache().set(shared_key, found, DOCUMENT_TTL)
        if len(_served) >= KEPT_IN_PROCESS:
            _served.clear()
        _served[key] = found
    return found


def _version():
    """The programme version, or None while the cache cannot be reached."""
    global _bump_owed
    if _bump_owed and shared_cache().set(VERSION_KEY, secrets.token_hex(6), None):
        _bump_owed = False
    version = shared_cache().get(VERSION_KEY)
    if version is None:  # never set, or the cache was emptied: a new version, so nothing kept is reused
        shared_cache().add(VERSION_KEY, secrets.token_hex(6), None)
        version = shared_cache().get(VERSION_KEY)
    return None if _bump_owed else version


def forget_schedules(**kwargs):
    """The programme changed: every process builds its schedule documents afresh."""
    global _bump_owed
    if not shared_cache().set(VERSION_KEY, secrets.token_hex(6), None):
        _bump_owed = True


def connect():
    session_changed.connect(forget_schedules, dispatch_uid="events.schedule_cache.session_changed")
    for model in (Summit, Room, Track, Speaker, Company, Session):
        for signal in (post_save, post_delete):
            signal.connect(
                forget_schedules, sender=model, dispatch_uid=f"events.schedule_cache.{model.__name__}.{id(signal)}"
            )
    m2m_changed.connect(
        forget_schedules, sender=Session.speakers.through, dispatch_uid="events.schedule_cache.speakers"
    )


# The views whose anonymous answers are the same for everyone asking the same thing.
KEPT_VIEWS = {"api:get_schedule", "schedule"}
# Cookies an anonymous visitor's browser carries that only choose the zone and language: part of the key.
# The device cookie a past sign-in left changes no answer: ignored. Any other cookie (a session, a CSRF
# token, messages) sends the request through Django.
CHOICE_COOKIES = (TZ_COOKIE, settings.LANGUAGE_COOKIE_NAME)
IGNORED_COOKIES = (settings.DEVICE_COOKIE_NAME,)


def _choice_cookies(header):
    """The zone and language cookies of a Cookie header, or None when it carries any other cookie."""
    chosen = []
    for part in header.decode("latin-1").split(";"):
        name, _eq, value = part.strip().partition("=")
        if not name or name in IGNORED_COOKIES:
            continue
        if name not in CHOICE_COOKIES:
            return None
        chosen.append((name, value))
    return tuple(sorted(chosen))


class AnonymousScheduleResponses:
    """ASGI middleware: anonymous GETs of the schedule API and page answered from memory, before Django.

    Even a cached document costs a Django request under Daphne: the sync
    middleware and view run in a thread of their own per request, and that
    hand-off was most of the time left (docs/benchmarks.md). A GET with no
    credentials and no cookie but the zone and language choices gets the same
    answer for the same path, query, choices and Accept-Language (the page
    carries no per-visitor CSRF token for such a visitor: templates/base.html
    lets them choose a language by GET), so this middleware keeps the last
    complete 200 response Django gave for each (headers included) for
    RESPONSE_SECONDS and sends it again without entering Django. Anything else,
    and any response that sets a cookie, goes through Django as usual; a
    programme change shows within RESPONSE_SECONDS.
    """

    RESPONSE_SECONDS = 1.0
    KEPT = 256

    def __init__(self, inner):
        self.inner = inner
        self.responses = {}  # (path, query, choice cookies, accept-language) -> (expires, start message, body)
        self.paths = {}  # path -> whether its anonymous answers are kept

    def _is_kept(self, path):
        known = self.paths.get(path)
        if known is None:
            try:
                known = resolve(path).view_name in KEPT_VIEWS
            except Resolver404:
                known = False
            if len(self.paths) >= self.KEPT:
                self.paths.clear()
            self.paths[path] = known
        return known

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "GET" or not self._is_kept(scope["path"]):
            return await self.inner(scope, receive, send)
        headers = dict(scope.get("headers", ()))
        # Every Cookie header counts (a client may send several): one session cookie anywhere means Django.
        choices = _choice_cookies(b"; ".join(value for name, value in scope.get("headers", ()) if name == b"cookie"))
        if choices is None or b"authorization" in headers:
            return await self.inner(scope, receive, send)
        key = (scope["path"], scope.get("query_string", b""), choices, headers.get(b"accept-language", b""))
        kept = self.responses.get(key)
        if kept is not None and kept[0] > time.monotonic():
            await send(dict(kept[1]))  # a copy each time: a server may change the messages it is given
            await send({"type": "http.response.body", "body": kept[2]})
            return None
        start, body = None, []

        async def keeping(message):
            nonlocal start
            if message["type"] == "http.response.start":
                start = dict(message)
            elif message["type"] == "http.response.body":
                body.append(message.get("body", b""))
                if (
                    not message.get("more_body")
                    and start is not None
                    and start["status"] == 200
                    and not any(name.lower() == b"set-cookie" for name, _value in start.get("headers", ()))
                ):
                    if len(self.responses) >= self.KEPT:
                        self.responses.clear()
                    self.responses[key] = (time.monotonic() + self.RESPONSE_SECONDS, start, b"".join(body))
            await send(message)

        return await self.inner(scope, receive, keeping)
