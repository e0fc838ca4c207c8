"""Demo data for reminders and reports, added to the demo summit by `seed_demo`.

`make run` should show a reminder arriving within a minute or two and a report
with charts, whatever the time of day it is started:

- "Live demo: your reminder is on its way" starts 16 minutes after seeding
  (rounded down to the minute), in every demo attendee's agenda, so its
  15-minute reminder falls due within the next minute; seeding again once it has begun moves it forward
  again (and forgets its reminders: demo data only).
- Two rehearsals ended an hour before the first seeding, on the main stage and
  in Fair Vision's pitch room, and every session already over gets attendance
  intervals (joins, leaves, reconnects) once, so the report has something to draw.
"""

import datetime as dt
import hashlib

from django.db import transaction
from django.utils import timezone

from events.models import Bookmark, Registration, Room, Session
from livechat.models import Attendance, ReactionTally
from scheduler.models import Reminder

SOON_TITLE = "Live demo: your reminder is on its way"
SOON_LEAD = dt.timedelta(minutes=16)
REHEARSALS = [
    ("main-stage", "Rehearsal: the roadshow's technical run-through", 180, 60),
    ("fair-vision", "Fair Vision pitch rehearsal", 120, 45),
]


def _unit(*parts):
    """A stable pseudo-random number in [0, 1) so seeding twice draws the same demo."""
    digest = hashlib.sha256("/".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32


@transaction.atomic
def seed_scheduler_demo(summit, now=None):
    # Whole minutes read better on the schedule; the reminder then falls due within the next minute.
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    rooms = {room.slug: room for room in Room.objects.filter(summit=summit)}
    attendees = list(
        Registration.objects.filter(summit=summit, role=Registration.Role.ATTENDEE).values_list("user_id", flat=True)
    )
    soon, created = Session.objects.get_or_create(
        summit=summit, title=SOON_TITLE,
        defaults={"room": rooms["main-stage"], "starts_at": now + SOON_LEAD,
                  "ends_at": now + SOON_LEAD + dt.timedelta(minutes=30),
                  "description": "Bookmarked by every demo attendee: watch the worker's console for the mail."},
    )
    if not created and soon.starts_at <= now + dt.timedelta(minutes=15):
        soon.starts_at, soon.ends_at = now + SOON_LEAD, now + SOON_LEAD + dt.timedelta(minutes=30)
        soon.save(update_fields=["starts_at", "ends_at"])
        Reminder.objects.filter(source="session", target_id=soon.pk).delete()
    for user_id in attendees:
        Bookmark.objects.get_or_create(user_id=user_id, session=soon)

    for room_slug, title, minutes_ago, length in REHEARSALS:
        starts_at = now - dt.timedelta(minutes=minutes_ago)
        Session.objects.get_or_create(
            summit=summit, title=title,
            defaults={"room": rooms[room_slug], "starts_at": starts_at,
                      "ends_at": starts_at + dt.timedelta(minutes=length),
                      "company": rooms[room_slug].company},
        )
    people = attendees + list(
        Registration.objects.filter(summit=summit, role=Registration.Role.ORGANISER).values_list("user_id", flat=True)
    )
    over = Session.objects.filter(summit=summit, status=Session.Status.PUBLISHED, ends_at__lte=now)
    for session in over.exclude(attendances__isnull=False).select_related("room"):
        _attend(session, people)


def _attend(session, people):
    """Joins, early leaves and reconnects, plus a reactions tally, for one past session."""
    length = (session.ends_at - session.starts_at).total_seconds() / 60
    rows = []
    for user_id in people:
        if _unit(session.pk, user_id, "comes") < 0.2:
            continue
        joined = session.starts_at + dt.timedelta(minutes=int(length * 0.3 * _unit(session.pk, user_id, "join")))
        left = session.ends_at - dt.timedelta(minutes=int(length * 0.3 * _unit(session.pk, user_id, "leave")))
        if _unit(session.pk, user_id, "reconnect") < 0.3:
            gap = joined + (left - joined) / 2
            rows.append(Attendance(user_id=user_id, room=session.room, session=session, joined_at=joined,
                                   left_at=gap, server="demo"))
            joined = gap + dt.timedelta(minutes=2)
        rows.append(Attendance(user_id=user_id, room=session.room, session=session, joined_at=joined, left_at=left,
                               server="demo"))
    Attendance.objects.bulk_create(rows)
    for emoji, share in (("👏", 4), ("❤️", 2), ("💡", 1)):
        ReactionTally.objects.get_or_create(room=session.room, session=session, emoji=emoji,
                                            defaults={"count": share * len(rows)})
