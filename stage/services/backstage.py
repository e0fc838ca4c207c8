"""When a stream is a backstage preview: a rule of the programme's clock that the callbacks and the
ingest pages share (media.py and channels.py both ask it; it asks only the programme)."""

import datetime as dt

from django.utils import timezone

from events.services import live_session, next_session_in

# How long before their session a company's members may read the keys and publish into the backstage.
BACKSTAGE = dt.timedelta(hours=1)


def backstage_session(room, now=None):
    """The session a stream starting now waits for backstage: none is on in the room and this one starts
    within the hour. None when a stream goes straight on air."""
    now = now or timezone.now()
    if live_session(room, now) is not None:
        return None
    upcoming = next_session_in(room, now)
    return upcoming if upcoming is not None and upcoming.starts_at <= now + BACKSTAGE else None
