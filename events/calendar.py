"""ICS feeds that calendar apps accept: UTC times, stable UIDs, SEQUENCE bumped on every change.

Sessions come from here; other apps (1:1 meetings) add their own entries to a
person's agenda feed through the `events.signals.agenda_entries` signal, so the
programme does not depend on them.
"""

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from events.i18n import summit_fallback
from events.models import Session
from events.signals import agenda_entries


def calendar_uid(kind, pk):
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "summit"
    return f"{kind}-{pk}@{host}"


def site_url(path):
    return settings.SITE_URL.rstrip("/") + path


def new_calendar(name):
    cal = Calendar()
    cal.add("prodid", "-//Summit platform//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "UTC")
    return cal


def add_event(
    cal,
    *,
    uid,
    starts_at,
    ends_at,
    summary,
    url,
    updated_at,
    sequence=0,
    status="CONFIRMED",
    location="",
    description="",
):
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", timezone.now())
    event.add("last-modified", updated_at)
    event.add("sequence", sequence)
    event.add("dtstart", starts_at.astimezone(dt.UTC))
    event.add("dtend", ends_at.astimezone(dt.UTC))
    event.add("summary", summary)
    if location:
        event.add("location", location)
    event.add("url", url)
    event.add("description", f"{description}\n\n{url}".strip())
    event.add("status", status)
    cal.add_component(event)


def session_entry(session):
    """The session in the active language; untranslated text in its summit's main language."""
    with summit_fallback(session.summit):
        return {
            "uid": calendar_uid("session", session.pk),
            "starts_at": session.starts_at,
            "ends_at": session.ends_at,
            "summary": session.title,
            "location": session.room.name,
            "url": site_url(reverse("session-detail", args=[session.summit.slug, session.pk])),
            "description": session.description,
            "updated_at": session.updated_at,
            "sequence": session.sequence,
            "status": "CANCELLED" if session.status == Session.Status.CANCELLED else "CONFIRMED",
        }


def build_calendar(name, sessions, extra_entries=()):
    cal = new_calendar(name)
    for session in sessions:
        add_event(cal, **session_entry(session))
    for entry in extra_entries:
        add_event(cal, **entry)
    return cal.to_ical()


def agenda_calendar(name, user, sessions):
    """A person's feed: their bookmarked sessions and whatever other apps put in their agenda."""
    return build_calendar(name, sessions, [entry for part in agenda_entries.parts(user=user) for entry in part])
