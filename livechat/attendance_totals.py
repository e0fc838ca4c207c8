"""Attendance folded into two narrow tables as intervals close, so reports never join every interval.

- `WatchTime`: per (session, person), the seconds of their closed intervals in
  that room clipped to the session's window (uncapped; the report caps a
  person's total at the session's length).
- `PresenceChange`: per (room, whole second), how many more people were
  connected from that second on: +1 at a closed interval's join second, -1 at
  its leave second. Summed up to a second, it is the number of people connected
  during it (an interval counts in the seconds from its join's to before its
  leave's, so a reconnect within one second is never counted twice).

A closed interval is folded exactly once, in the transaction that closes it:
every place that sets `left_at` calls `do_fold_closed_attendance` with the ids
its own UPDATE closed (the row locks decide who closed a row). Still-open
intervals are not folded; the report adds them live.

What the intervals are clipped to changes when a session is moved, resized or
created (re-folded from the intervals by `do_refold_sessions`, a task queued
on commit) and when intervals are deleted (`do_forget_attendance` unfolds a
person's first). Re-folding deletes and recomputes with an upsert that adds
rather than overwrites, so that an interval closed while a re-fold runs adds to
the recomputed row (reasoned from PostgreSQL's upsert under READ COMMITTED; no
test races the two yet).

The SQL the ORM cannot say (upserts that add, INSERT … SELECT, seconds of a
timestamp) is spelled once per backend in VENDOR_SQL.
"""

from django.db import connection, transaction

from events.models import Room, Session
from livechat.models import Attendance, PresenceChange, WatchTime

# SQLite stores a datetime as 'YYYY-MM-DD HH:MM:SS[.ffffff]' (UTC); its own date functions round to
# milliseconds, so a timestamp's seconds are read from the text: exact whole seconds plus the fraction.
# ('%%' because every query here passes named parameters.)
_SQLITE_EPOCH = "(CAST(strftime('%%s', substr({0}, 1, 19)) AS INTEGER) + CAST('0' || substr({0}, 20) AS REAL))"

VENDOR_SQL = {
    "postgresql": {
        "greatest": "GREATEST({}, {})",
        "least": "LEAST({}, {})",
        "seconds": "CAST(EXTRACT(EPOCH FROM ({} - {})) AS DOUBLE PRECISION)",
        "second": "CAST(FLOOR(EXTRACT(EPOCH FROM {})) AS BIGINT)",
    },
    "sqlite": {
        "greatest": "MAX({}, {})",
        "least": "MIN({}, {})",
        "seconds": f"({_SQLITE_EPOCH.format('{0}')} - {_SQLITE_EPOCH.format('{1}')})",
        "second": "CAST(strftime('%%s', substr({}, 1, 19)) AS INTEGER)",
    },
}
# Folding by ids goes in batches of this many: one statement per table per batch, on either backend.
FOLD_BATCH = 5000
TABLES = {
    "a": Attendance._meta.db_table,
    "s": Session._meta.db_table,
    "r": Room._meta.db_table,
    "w": WatchTime._meta.db_table,
    "p": PresenceChange._meta.db_table,
}


def sql_parts():
    """The running backend's spelling of greatest/least, seconds between two timestamps, whole second of one."""
    return VENDOR_SQL[connection.vendor]


def at(value):
    """A datetime as the backend compares it in raw SQL."""
    return connection.ops.adapt_datetimefield_value(value)


def _add_watch_time(where, params):
    """Adds to WatchTime the clipped seconds of the closed intervals matching `where` (over `a` and `s`)."""
    p = sql_parts()
    start = p["greatest"].format("a.joined_at", "s.starts_at")
    end = p["least"].format("a.left_at", "s.ends_at")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO {w} (session_id, user_id, seconds) "
            f"SELECT s.id, a.user_id, SUM({p['seconds'].format(end, start)}) "
            "FROM {a} a JOIN {s} s ON s.room_id = a.room_id AND a.joined_at < s.ends_at AND a.left_at > s.starts_at "
            f"WHERE a.left_at IS NOT NULL AND {where} GROUP BY s.id, a.user_id "
            "ON CONFLICT (session_id, user_id) DO UPDATE SET seconds = {w}.seconds + excluded.seconds".format(**TABLES),
            params,
        )


def _add_presence_changes(where, params, sign=1):
    """Adds (sign 1) or takes back (sign -1) the join and leave seconds of the closed intervals matching `where`."""
    second = sql_parts()["second"]
    edges = (
        f"SELECT a.room_id, {second.format(edge)} AS second, {change} AS change FROM {{a}} a "
        f"WHERE a.left_at IS NOT NULL AND {where}"
        for edge, change in (("a.joined_at", sign), ("a.left_at", -sign))
    )
    with connection.cursor() as cursor:
        cursor.execute(
            (
                "INSERT INTO {p} (room_id, second, change) "
                f"SELECT e.room_id, e.second, SUM(e.change) FROM ({' UNION ALL '.join(edges)}) e "
                # SQLite needs a WHERE in an upsert's SELECT (else ON CONFLICT is read as a join's ON).
                "WHERE 1 = 1 GROUP BY e.room_id, e.second HAVING SUM(e.change) <> 0 "
                "ON CONFLICT (room_id, second) DO UPDATE SET change = {p}.change + excluded.change"
            ).format(**TABLES),
            params,
        )


def do_fold_closed_attendance(attendance_ids):
    """Fold these just-closed intervals into WatchTime and PresenceChange (call in the transaction that closed them).

    The caller passes only the rows its own UPDATE closed, so each interval is folded once.
    """
    ids = list(attendance_ids)
    with transaction.atomic():
        for first in range(0, len(ids), FOLD_BATCH):
            batch = ids[first : first + FOLD_BATCH]
            params = {f"id{n}": pk for n, pk in enumerate(batch)}
            where = f"a.id IN ({', '.join(f'%({name})s' for name in params)})"
            _add_watch_time(where, params)
            _add_presence_changes(where, params)


def do_refold_sessions(session_ids):
    """Recompute these sessions' WatchTime from the intervals (they moved, were resized or created). Idempotent."""
    session_ids = list(session_ids)
    with transaction.atomic():
        WatchTime.objects.filter(session_id__in=session_ids).delete()
        for session_id in session_ids:
            _add_watch_time("s.id = %(session)s", {"session": session_id})


def do_refold_summit(summit_id):
    """Recompute both tables for a whole summit from its intervals: after a bulk load, or to repair. Idempotent."""
    rooms = "a.room_id IN (SELECT id FROM {r} WHERE summit_id = %(summit)s)".format(**TABLES)
    params = {"summit": summit_id}
    with transaction.atomic():
        WatchTime.objects.filter(session__summit_id=summit_id).delete()
        PresenceChange.objects.filter(room__summit_id=summit_id).delete()
        _add_watch_time(rooms, params)
        _add_presence_changes(rooms, params)
    _tidy()


def do_refold_everything():
    """Both tables recomputed from every interval (the data migration that introduced them)."""
    with transaction.atomic():
        WatchTime.objects.all().delete()
        PresenceChange.objects.all().delete()
        _add_watch_time("1 = 1", {})
        _add_presence_changes("1 = 1", {})
    _tidy()


def _tidy():
    """After rewriting many rows at once: fresh planner statistics for the next report and, on PostgreSQL
    outside a transaction, a vacuum too, so its index-only scans need not visit the table for rows
    not yet marked all-visible (autovacuum does the same for a table that grew, a while later)."""
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        for table in (TABLES["w"], TABLES["p"]):
            cursor.execute(f"{'VACUUM ANALYZE' if vacuum else 'ANALYZE'} {table}")


def do_forget_attendance(user_id):
    """Delete a person's intervals and take them out of the totals first (account deletion)."""
    with transaction.atomic():
        # Their open intervals were never folded; `left_at IS NOT NULL` skips them.
        _add_presence_changes("a.user_id = %(user)s", {"user": user_id}, sign=-1)
        WatchTime.objects.filter(user_id=user_id).delete()
        Attendance.objects.filter(user_id=user_id).delete()
