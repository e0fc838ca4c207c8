"""ICS feeds that calendar apps accept: UTC times, stable UIDs, SEQUENCE bumped on every change."""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from events.models import Session


def session_uid(session):
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "summit"
    return f"session-{session.pk}@{host}"


def build_calendar(name, sessions):
    cal = Calendar()
    cal.add("prodid", "-//Summit platform//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "UTC")
    now = timezone.now()
    for session in sessions:
        event = Event()
        event.add("uid", session_uid(session))
        event.add("dtstamp", now)
        event.add("last-modified", session.updated_at)
        event.add("sequence", session.sequence)
        event.add("dtstart", session.starts_at.astimezone(dt.UTC))
        event.add("dtend", session.ends_at.astimezone(dt.UTC))
        event.add("summary", session.title)
        event.add("location", session.room.name)
        url = f"{settings.SITE_URL.rstrip('/')}/summits/{session.summit.slug}/sessions/{session.pk}/"
        event.add("url", url)
        event.add("description", f"{session.description}\n\n{url}".strip())
        event.add("status", "CANCELLED" if session.status == Session.Status.CANCELLED else "CONFIRMED")
        cal.add_component(event)
    return cal.to_ical()
