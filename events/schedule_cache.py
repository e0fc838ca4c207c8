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
"""

import secrets

from django.db.models.signals import m2m_changed, post_delete, post_save

from events.models import Company, Room, Session, Speaker, Summit, Track
from events.signals import session_changed
from summit.cache import shared_cache

VERSION_KEY = "schedule:version"
DOCUMENT_TTL = 24 * 3600  # a version nobody bumps still ends some day
KEPT_IN_PROCESS = 64

_served = {}


def document(kind, summit_slug, zone, language, build):
    """The cached document `build()` makes (str or bytes) for these key parts, built on the first request only."""
    key = f"schedule:{_version()}:{kind}:{summit_slug}:{zone}:{language}"
    found = _served.get(key)
    if found is None:
        found = shared_cache().get(key)
        if found is None:
            found = build()
            shared_cache().set(key, found, DOCUMENT_TTL)
        if len(_served) >= KEPT_IN_PROCESS:
            _served.clear()
        _served[key] = found
    return found


def _version():
    version = shared_cache().get(VERSION_KEY)
    if version is None:  # never set, or the cache was emptied: a new version, so nothing kept is reused
        shared_cache().add(VERSION_KEY, secrets.token_hex(6), None)
        version = shared_cache().get(VERSION_KEY)
    return version


def forget_schedules(**kwargs):
    """The programme changed: every process builds its schedule documents afresh."""
    shared_cache().set(VERSION_KEY, secrets.token_hex(6), None)


def connect():
    session_changed.connect(forget_schedules, dispatch_uid="events.schedule_cache.session_changed")
    for model in (Summit, Room, Track, Speaker, Company, Session):
        for signal in (post_save, post_delete):
            signal.connect(forget_schedules, sender=model,
                           dispatch_uid=f"events.schedule_cache.{model.__name__}.{id(signal)}")
    m2m_changed.connect(forget_schedules, sender=Session.speakers.through,
                        dispatch_uid="events.schedule_cache.speakers")
