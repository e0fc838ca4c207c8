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

Like the programme, these sessions obey the API's rule of one session at a time per room: when
the programme already uses the preferred room then, the session goes to the first free one of
SPARE_ROOMS (or is left out). They are found again by slug, never by title.
"""

import datetime as dt
import hashlib

from django.db import transaction
from django.utils import timezone

from events.demo import demo_session, fill_translations, free_room
from events.demo_content import T
from events.models import Bookmark, Registration, Room, Session
from livechat.attendance_totals import do_fold_closed_attendance
from livechat.models import Attendance, ReactionTally
from scheduler.models import Reminder

SOON_SLUG = "live-demo-reminder"
SOON_TITLE = "Live demo: your reminder is on its way"
SOON_TEXTS = {
    "title": T(SOON_TITLE, "Démo en direct : votre rappel arrive", "现场演示：您的提醒即将送达"),
    "description": T(
        "Bookmarked by every demo attendee: watch the worker's console for the mail.",
        "Dans l’agenda de chaque participant de la démo : le mail apparaît dans la console du worker.",
        "每位演示参会者的日程里都有这一场：请留意 worker 控制台中的邮件。",
    ),
}
SOON_LEAD = dt.timedelta(minutes=16)
# slug, preferred room, minutes ago, length, title
REHEARSALS = [
    (
        "rehearsal-main-stage",
        "main-stage",
        180,
        60,
        T(
            "Rehearsal: the roadshow's technical run-through",
            "Répétition : le filage technique du roadshow",
            "彩排：路演技术走场",
        ),
    ),
    (
        "rehearsal-fair-vision",
        "fair-vision",
        120,
        45,
        T("Fair Vision pitch rehearsal", "Répétition du pitch Fair Vision", "Fair Vision 路演彩排"),
    ),
]
# Where a demo session goes when its preferred room is taken at that time (the API refuses overlaps).
SPARE_ROOMS = ["main-stage", "fair-vision", "epicnpoc", "finwedge"]


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
    soon = _live_demo(summit, rooms, now)
    if soon is not None:
        for user_id in attendees:
            Bookmark.objects.get_or_create(user_id=user_id, session=soon)

    for slug, room_slug, minutes_ago, length, title in REHEARSALS:
        if demo_session(summit, slug, title["en"]) is not None:
            continue
        starts_at = now - dt.timedelta(minutes=minutes_ago)
        ends_at = starts_at + dt.timedelta(minutes=length)
        room = _free_room(rooms, room_slug, starts_at, ends_at)
        if room is None:
            continue
        rehearsal = Session(
            summit=summit, slug=slug, room=room, starts_at=starts_at, ends_at=ends_at, company=room.company
        )
        fill_translations(rehearsal, {"title": title})
        rehearsal.save()
    people = attendees + list(
        Registration.objects.filter(summit=summit, role=Registration.Role.ORGANISER).values_list("user_id", flat=True)
    )
    over = Session.objects.filter(summit=summit, status=Session.Status.PUBLISHED, ends_at__lte=now)
    for session in over.exclude(attendances__isnull=False).select_related("room"):
        _attend(session, people)


def _live_demo(summit, rooms, now):
    """The session whose reminder falls due a minute after seeding, moved forward once it has begun."""
    soon = demo_session(summit, SOON_SLUG, SOON_TITLE)
    if soon is not None and soon.starts_at > now + dt.timedelta(minutes=15):
        return soon
    starts_at = now + SOON_LEAD
    room = _free_room(rooms, "main-stage", starts_at, starts_at + dt.timedelta(minutes=30), soon)
    if room is None:
        return soon
    if soon is None:
        soon = Session(summit=summit, slug=SOON_SLUG)
        fill_translations(soon, SOON_TEXTS)
    else:
        Reminder.objects.filter(source="session", target_id=soon.pk).delete()
    soon.room, soon.starts_at, soon.ends_at = room, starts_at, starts_at + dt.timedelta(minutes=30)
    soon.save()
    return soon


def _free_room(rooms, preferred, starts_at, ends_at, moving=None):
    """`preferred` if nothing else is on there at that time, else the first spare room that is free, else None."""
    for slug in [preferred, *SPARE_ROOMS]:
        if free_room(rooms[slug], starts_at, ends_at, moving):
            return rooms[slug]
    return None


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
            rows.append(
                Attendance(
                    user_id=user_id, room=session.room, session=session, joined_at=joined, left_at=gap, server="demo"
                )
            )
            joined = gap + dt.timedelta(minutes=2)
        rows.append(
            Attendance(
                user_id=user_id, room=session.room, session=session, joined_at=joined, left_at=left, server="demo"
            )
        )
    do_fold_closed_attendance(row.pk for row in Attendance.objects.bulk_create(rows))
    for emoji, share in (("👏", 4), ("❤️", 2), ("💡", 1)):
        ReactionTally.objects.get_or_create(
            room=session.room, session=session, emoji=emoji, defaults={"count": share * len(rows)}
        )
