"""A large summit's attendance history, for timing the attendance report (scenario 8).

The million join/leave intervals go in with COPY on PostgreSQL (executemany on
SQLite), chunk by chunk, from a seeded random generator, so every run times
the same data. A bulk load bypasses the live rooms' closing of intervals, so
the summit is then folded once with the same service a repair uses
(`fold_report_summit`, timed on its own).
"""

import datetime as dt
import random

from django.db import connection, transaction
from django.urls import Resolver404, resolve
from django.utils import timezone

from bench.attendees import do_make_attendees
from events.models import Registration, Room, Session, Summit
from livechat.attendance_totals import do_refold_summit
from livechat.models import Attendance

SUMMIT_SLUG = "bench-report"
ROOMS = 5
SESSION_MINUTES = 45
CHUNK = 50_000
COLUMNS = ("user_id", "room_id", "session_id", "joined_at", "left_at", "server")


def report_path(summit_slug):
    """The contract's CSV report URL, or None while no report route exists."""
    path = f"/api/summits/{summit_slug}/reports/attendance.csv"
    try:
        resolve(path)
    except Resolver404:
        return None
    return path


def delete_report_summit():
    summit = Summit.objects.filter(slug=SUMMIT_SLUG).first()
    if summit:
        Attendance.objects.filter(room__summit=summit).delete()
        Session.objects.filter(summit=summit).delete()
        summit.delete()


def make_report_summit(attendee_count, session_count, interval_count):
    """Returns (summit slug, an organiser's session cookie) for a summit with that much history, not yet folded."""
    delete_report_summit()
    start = timezone.now().replace(hour=8, minute=0, second=0, microsecond=0) - dt.timedelta(days=3)
    summit = Summit.objects.create(
        slug=SUMMIT_SLUG,
        name="Benchmark report summit",
        timezone="UTC",
        languages=["en"],
        starts_on=start.date(),
        ends_on=(start + dt.timedelta(days=3)).date(),
    )
    rooms = [Room.objects.create(summit=summit, slug=f"room-{i}", name=f"Room {i}", position=i) for i in range(ROOMS)]
    length = dt.timedelta(minutes=SESSION_MINUTES)
    sessions = Session.objects.bulk_create(
        [
            Session(
                summit=summit,
                room=rooms[i % ROOMS],
                title=f"Session {i}",
                starts_at=start + (i // ROOMS) * (length + dt.timedelta(minutes=15)),
                ends_at=start + (i // ROOMS) * (length + dt.timedelta(minutes=15)) + length,
            )
            for i in range(session_count)
        ]
    )
    attendees = do_make_attendees(summit, attendee_count)
    organiser = do_make_attendees(summit, 1)[0]
    Registration.objects.filter(summit=summit, user_id=organiser["id"]).update(role=Registration.Role.ORGANISER)
    insert_intervals([a["id"] for a in attendees], sessions, interval_count)
    return summit.slug, organiser["sessionid"]


def intervals(user_ids, sessions, count, seed=7):
    pick = random.Random(seed)
    seconds = SESSION_MINUTES * 60
    for _ in range(count):
        session = sessions[pick.randrange(len(sessions))]
        joined = session.starts_at + dt.timedelta(seconds=pick.uniform(-300, seconds - 60))
        left = joined + dt.timedelta(seconds=pick.uniform(30, seconds))
        yield (pick.choice(user_ids), session.room_id, session.pk, joined, left, "bench")


def insert_intervals(user_ids, sessions, count):
    table = Attendance._meta.db_table
    rows = intervals(user_ids, sessions, count)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            insert = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
            chunk = []
            for row in rows:
                chunk.append(row)
                if len(chunk) == CHUNK:
                    cursor.executemany(insert, chunk)
                    chunk = []
            cursor.executemany(insert, chunk)


def fold_report_summit(summit_slug):
    """Fold the bulk-loaded intervals into the report's totals, as the live rooms do when each one closes."""
    do_refold_summit(Summit.objects.get(slug=summit_slug).pk)
