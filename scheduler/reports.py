"""Attendance reports: what the live rooms recorded, summed up with set-based queries.

A report is a fixed number of queries whatever the summit's size (pinned in
tests/test_reports.py) and never joins every attendance interval: closed
intervals were folded as they closed into WatchTime (per session and person)
and PresenceChange (per room and second), livechat/attendance_totals.py. The
report reads those plus the few still-open intervals, clipped live: grouped
counts for registrations, one query for watch time, one sweep for peak
concurrency, two for the attendance-over-time chart. Python only folds the
grouped rows. The SQL the ORM cannot say is spelled once per backend
(livechat.attendance_totals.VENDOR_SQL) with named parameters.

This module only reads; storing and mailing reports is scheduler/stored_reports.py.
"""

import datetime as dt
import math
import statistics
from collections import Counter

from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from events.i18n import LANGUAGE_CODES, column, translations
from events.models import Registration, Room, Session
from livechat.attendance_totals import TABLES, at, sql_parts
from livechat.models import ChatMessage, Question, ReactionTally
from livechat.polls import summit_poll_results
from scheduler.signals import company_leads
from summit.csvfile import csv_text

SESSION_COLUMNS = [
    "session_id",
    "title",
    "room",
    "starts_at",
    "ends_at",
    "unique_attendees",
    "peak_concurrent",
    "avg_watch_minutes",
    "median_watch_minutes",
    "questions_asked",
    "questions_answered",
    "chat_messages",
    "reactions",
    "polls",
]
BUCKETS = [5, 15, 30, 60, 120, 240, 480, 1440]
MAX_POINTS = 120

# --- what the live rooms recorded, from the folded totals --------------------------------------
#
# Closed intervals are read only through their folded totals (livechat/attendance_totals.py);
# the still-open ones (few: the open_attendance partial index) are clipped here, live, until
# `last_seen_at`, else until the report time.

# Earlier than any second a room has a change at: the lower bound of a room's first segment.
NEVER = -(2**62)


def _common(summit, now):
    """The CTEs every attendance query starts with, and their named parameters.

    `sess`: the report's sessions with their length and first/end seconds. `live`: the summit's
    open intervals with where they end for now. `edges`: those intervals' join (+1) and leave (-1) seconds.
    """
    p, t = sql_parts(), TABLES
    sql = (
        f"sess AS (SELECT id, room_id, starts_at, ends_at, {p['seconds'].format('ends_at', 'starts_at')} AS length, "
        f"{p['second'].format('starts_at')} AS st, {p['second'].format('ends_at')} AS en "
        f"FROM {t['s']} WHERE summit_id = %(summit)s AND status = %(published)s), "
        f"live AS (SELECT a.room_id, a.user_id, a.joined_at, COALESCE(a.last_seen_at, %(now)s) AS until "
        f"FROM {t['a']} a WHERE a.left_at IS NULL "
        f"AND a.room_id IN (SELECT id FROM {t['r']} WHERE summit_id = %(summit)s)), "
        f"turns AS (SELECT room_id, {p['second'].format('joined_at')} AS came, {p['second'].format('until')} AS went "
        "FROM live), "
        # An interval within one second changes no second's count (nor the chart's span), as when folded.
        "edges AS (SELECT room_id, came AS second, 1 AS change FROM turns WHERE came <> went "
        "UNION ALL SELECT room_id, went, -1 FROM turns WHERE came <> went)"
    )
    return sql, {"summit": summit.pk, "published": Session.Status.PUBLISHED, "now": at(now)}


def _watch_minutes(summit, now):
    """{session_id: (unique attendees, average minutes, median minutes)}, one query.

    A person's time in a session is their folded WatchTime plus their open intervals clipped to
    the window, capped at the session's length (two tabs overlap). PostgreSQL answers per session
    the count and capped sum of the people without open intervals, and just the rows around the
    median in watch-time order (read from the `watch_time_in_order` index, never sorted): with m
    people whose time is still growing, the median of all is among the 2m + 2 middle ones of the
    others. SQLite, which has neither arrays nor LATERAL, streams every person's time (small summits).
    """
    p, t = sql_parts(), TABLES
    common, params = _common(summit, now)
    seconds = p["seconds"].format(
        p["least"].format("o.until", "s.ends_at"), p["greatest"].format("o.joined_at", "s.starts_at")
    )
    people = (
        f"WITH {common}, "
        f"open AS (SELECT s.id AS sid, o.user_id, SUM({seconds}) AS seconds FROM live o "
        f"JOIN sess s ON s.room_id = o.room_id AND o.joined_at < s.ends_at AND o.until > s.starts_at "
        f"GROUP BY s.id, o.user_id), "
        f"person AS (SELECT o.sid, o.seconds + COALESCE(w.seconds, 0) AS seconds FROM open o "
        f"LEFT JOIN {t['w']} w ON w.session_id = o.sid AND w.user_id = o.user_id) "
    )
    folded = "NOT EXISTS (SELECT 1 FROM open o WHERE o.sid = w.session_id AND o.user_id = w.user_id)"
    figures = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                people + "SELECT s.id, s.length, f.n, f.total, g.values, "
                "(SELECT ARRAY_AGG(x.seconds ORDER BY x.seconds) FROM ("
                f" SELECT w.seconds FROM {t['w']} w WHERE w.session_id = s.id AND {folded} ORDER BY w.seconds"
                f" OFFSET GREATEST(0, (f.n + g.m - 1) / 2 - g.m) LIMIT 2 * g.m + 2) x) "
                "FROM sess s "
                "CROSS JOIN LATERAL (SELECT COUNT(*) AS n, SUM(LEAST(w.seconds, s.length)) AS total "
                f" FROM {t['w']} w WHERE w.session_id = s.id AND {folded}) f "
                "CROSS JOIN LATERAL (SELECT COUNT(*) AS m, ARRAY_AGG(seconds) AS values "
                " FROM person WHERE sid = s.id) g",
                params,
            )
            for sid, length, n, total, growing, middle in cursor.fetchall():
                if n + len(growing or []):
                    figures[sid] = _figures(length, n, total or 0, middle or [], growing or [])
            return figures
        cursor.execute(
            people + f"SELECT w.session_id, w.seconds, s.length FROM {t['w']} w JOIN sess s ON s.id = w.session_id "
            f"WHERE {folded} UNION ALL SELECT o.sid, o.seconds, s.length FROM person o JOIN sess s ON s.id = o.sid",
            params,
        )
        watched = {}
        while rows := cursor.fetchmany(5000):
            for sid, seconds, length in rows:
                watched.setdefault(sid, []).append(min(seconds, length) / 60)
    return {sid: (len(m), statistics.fmean(m), statistics.median(m)) for sid, m in watched.items()}


def _figures(length, n, total, middle, growing):
    """(count, average, median) in minutes from the folded people's count, capped sum and middle rows
    (`middle`: theirs from rank max(0, (n + m - 1) // 2 - m) on, in order) and the m growing times."""
    m = len(growing)
    count = n + m
    offset = max(0, (count - 1) // 2 - m)
    # The known stretch of everybody's times in order: `middle` plus the growing times that fall
    # inside it (all of them below it when nothing of the folded is below, likewise above).
    low = -math.inf if offset == 0 else middle[0]
    high = math.inf if offset + len(middle) >= n else middle[-1]
    known = sorted([*middle, *(v for v in growing if low <= v <= high)])
    first = offset + sum(v < low for v in growing)
    lower, upper = known[(count - 1) // 2 - first], known[count // 2 - first]
    average = (total + sum(min(v, length) for v in growing)) / count
    return count, average / 60, (min(lower, length) + min(upper, length)) / 2 / 60


def _peaks(summit, now):
    """{session_id: peak concurrent connections}: the most people connected in one of the session's seconds.

    A room's level at a second is the sum of its PresenceChange (and the open intervals' edges)
    up to it. Per room, the sessions in start order cut its seconds into segments read once
    through the (room, second, change) index; their running sum is the level at each session's
    start, and a sweep over the session's own seconds gives the rest. One query; a room's history
    is never sorted.
    """
    t = TABLES
    common, params = _common(summit, now)

    def changes(lo, hi):
        return " UNION ALL ".join(
            f"SELECT {x}.second, {x}.change FROM {table} {x} "
            f"WHERE {x}.room_id = b.room_id AND {x}.second >= {lo} AND {x}.second < {hi}"
            for table, x in ((t["p"], "c"), ("edges", "e"))
        )

    sql = (
        f"WITH {common}, "
        "starts AS (SELECT id, room_id, st, en, "
        " COALESCE(LAG(st) OVER (PARTITION BY room_id ORDER BY st, id), %(never)s) AS prev FROM sess), "
        "segments AS (SELECT b.id, b.room_id, b.st, b.en, "
        f" (SELECT COALESCE(SUM(y.change), 0) FROM ({changes('b.prev', 'b.st')}) y) AS net FROM starts b), "
        "levels AS (SELECT id, room_id, st, en, "
        " SUM(net) OVER (PARTITION BY room_id ORDER BY st, id ROWS UNBOUNDED PRECEDING) AS level FROM segments) "
        "SELECT b.id, b.st, b.level, "
        "(SELECT MAX(x.running) FROM ("
        f" SELECT SUM(y.change) OVER (ORDER BY y.second) AS running FROM ({changes('b.st', 'b.en')}) y) x), "
        f"(SELECT MIN(y.second) FROM ({changes('b.st', 'b.en')}) y) "
        "FROM levels b"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {**params, "never": NEVER})
        rows = cursor.fetchall()
    # Without a change at its first second, the session starts at the level before it.
    return {
        sid: int(level + (top if first == st else max(top, 0))) if top is not None else int(level)
        for sid, st, level, top, first in rows
    }


def _timeline(summit, now):
    """[(bucket start, people connected)] across the summit's rooms, for the attendance-over-time chart.

    The summit's PresenceChange and open edges summed per second; the level is their running sum.
    """
    t = TABLES
    common, params = _common(summit, now)
    seconds = (
        f"SELECT c.second, c.change FROM {t['p']} c "
        f"WHERE c.room_id IN (SELECT id FROM {t['r']} WHERE summit_id = %(summit)s) "
        "UNION ALL SELECT second, change FROM edges"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {common} SELECT MIN(y.second), MAX(y.second) FROM ({seconds}) y", params)
        first, last = cursor.fetchone()
        if first is None:
            return 0, []
        minutes = next((b for b in BUCKETS if (last - first) / (b * 60) <= MAX_POINTS), BUCKETS[-1])
        size = minutes * 60
        cursor.execute(
            f"WITH {common}, ev AS (SELECT y.second, SUM(y.change) AS change FROM ({seconds}) y GROUP BY y.second) "
            f"SELECT x.second / %(size)s AS b, SUM(x.change), MAX(x.running), MIN(x.second) FROM ("
            f" SELECT second, change, SUM(change) OVER (ORDER BY second) AS running FROM ev) x GROUP BY b ORDER BY b",
            {**params, "size": size},
        )
        rows = {int(b): (int(net), int(peak), int(first)) for b, net, peak, first in cursor.fetchall()}
    points, level = [], 0
    for bucket in range(min(rows), max(rows) + 1):
        net, peak, first = rows.get(bucket, (0, level, None))
        # The level carried in holds during the bucket's first seconds, unless they change it at once.
        points.append(
            (dt.datetime.fromtimestamp(bucket * size, dt.UTC), peak if first == bucket * size else max(peak, level))
        )
        level += net
    # Close the line with who is still connected after the last bucket.
    points.append((dt.datetime.fromtimestamp((max(rows) + 1) * size, dt.UTC), level))
    return minutes, points


# --- the report ---------------------------------------------------------------------------------


def _counted(queryset, field):
    rows = queryset.values(field).annotate(n=Count("pk")).order_by("-n", field)
    return [[row[field] or "", row["n"]] for row in rows]


def build_report(summit, now=None):
    """The whole report as plain data (JSON-ready): what the page, the CSV and the mail show."""
    now = now or timezone.now()
    registrations = Registration.objects.filter(summit=summit)
    by_country = _counted(registrations, "user__profile__country")
    by_organisation = _counted(registrations, "user__profile__organisation")
    by_timezone = _counted(registrations, "user__profile__timezone")

    sessions = list(
        Session.objects.filter(summit=summit, status=Session.Status.PUBLISHED)
        .order_by("starts_at", "pk")
        .values(
            "pk",
            "starts_at",
            "ends_at",
            "room",
            "room__slug",
            "room__kind",
            *[column("title", code) for code in LANGUAGE_CODES],
            *["room__" + column("name", code) for code in LANGUAGE_CODES],
        )
    )
    watched = _watch_minutes(summit, now)
    peaks = _peaks(summit, now)
    questions = {
        row["session"]: row
        for row in Question.objects.filter(session__summit=summit)
        .values("session")
        .annotate(asked=Count("pk"), answered=Count("pk", filter=Q(status=Question.Status.ANSWERED)))
    }
    chat = dict(
        ChatMessage.objects.filter(session__summit=summit)
        .values("session")
        .annotate(n=Count("pk"))
        .values_list("session", "n")
    )
    reactions = dict(
        ReactionTally.objects.filter(session__summit=summit)
        .values("session")
        .annotate(n=Sum("count"))
        .values_list("session", "n")
    )
    main = summit.language
    session_rows = []
    for session in sessions:
        count, average, median = watched.get(session["pk"], (0, 0, 0))
        q = questions.get(session["pk"], {})
        session_rows.append(
            {
                "id": session["pk"],
                # Every language is stored: the page, CSV and mail pick the reader's (see `localized`).
                "title_i18n": (titles := {code: session[column("title", code)] or "" for code in LANGUAGE_CODES}),
                "title": _pick(titles, main, main),
                "room": session["room__slug"],
                "room_name_i18n": (
                    rooms := {code: session["room__" + column("name", code)] or "" for code in LANGUAGE_CODES}
                ),
                "room_name": _pick(rooms, main, main),
                "room_kind": session["room__kind"],
                "starts_at": session["starts_at"].isoformat(),
                "ends_at": session["ends_at"].isoformat(),
                "unique_attendees": count,
                "peak_concurrent": peaks.get(session["pk"], 0),
                "avg_watch_minutes": round(average, 1),
                "median_watch_minutes": round(median, 1),
                "questions_asked": q.get("asked", 0),
                "questions_answered": q.get("answered", 0),
                "chat_messages": chat.get(session["pk"], 0),
                "reactions": reactions.get(session["pk"], 0) or 0,
            }
        )
    _add_polls(summit, session_rows)
    bucket_minutes, points = _timeline(summit, now)
    return {
        "summit": summit.slug,
        "name": _pick(translations(summit, "name"), main, main),
        "name_i18n": translations(summit, "name"),
        "language": summit.language,
        "timezone": summit.timezone,
        "generated_at": now.isoformat(),
        "registrations": {
            "total": sum(n for _key, n in by_country),
            "by_country": by_country,
            "by_organisation": by_organisation,
            "by_timezone": by_timezone,
        },
        "sessions": session_rows,
        "timeline": {"bucket_minutes": bucket_minutes, "points": [[t.isoformat(), n] for t, n in points]},
        "pitch_rooms": _pitch_companies(summit, now),
    }


def _add_polls(summit, session_rows):
    """Each session's polls with their final (or current) counts: at most three queries, in livechat.polls."""
    polls = summit_poll_results(summit.pk)
    for row in session_rows:
        row["polls"] = polls.get(row["id"], [])


def poll_summary(polls):
    """A session's polls in one CSV cell: `Question? Europe 3 · China 5 (8 voters) | Next?…`."""
    return " | ".join(
        "{} {} ({})".format(
            poll["question"],
            " · ".join(f"{option['label']} {option['votes']}" for option in poll["options"]),
            _("%(count)d voters") % {"count": poll["voters"]},
        )
        for poll in polls
    )


def _pitch_companies(summit, now):
    """Per pitching company: its pitch rooms, how many people visited them, from which organisations.

    The people are the company's leads as partnering computes them (members
    left out, the same figures), so this section and the leads page it links
    to never disagree about who came.
    """
    rooms = (
        Room.objects.filter(summit=summit, kind=Room.Kind.PITCH, company__isnull=False)
        .select_related("company")
        .order_by("position", "name")
    )
    companies = {}
    for room in rooms:
        companies.setdefault(room.company, []).append(translations(room, "name"))
    # Who counts as a company's visitor is partnering's rule (its leads), asked through a signal so the
    # scheduler never imports partnering.
    leads = {}
    for part in company_leads.parts(summit=summit, companies=list(companies), now=now):
        leads.update(part)
    result = []
    for company, room_names in companies.items():
        visitors = [lead for lead in leads.get(company.pk, []) if lead["visits"]]
        organisations = Counter(lead["organisation"] for lead in visitors if lead["organisation"])
        result.append(
            {
                "company": company.slug,
                "company_name": _pick(translations(company, "name"), summit.language, summit.language),
                "company_name_i18n": translations(company, "name"),
                "rooms": [_pick(room, summit.language, summit.language) for room in room_names],
                "rooms_i18n": room_names,
                "visitors": len(visitors),
                "organisations": [[org, n] for org, n in sorted(organisations.items(), key=lambda i: (-i[1], i[0]))],
            }
        )
    return result


def _pick(texts, language, main):
    order = (language, main, *LANGUAGE_CODES)
    return next((texts[code] for code in order if texts.get(code)), "")


def localized(data, language):
    """The report's names and titles in `language` (else the summit's main language), for one reader.

    Reports stored before titles were translated carry plain `title`/`name` strings; they are kept.
    """
    main = data.get("language", "en")

    def pick(row, field):
        texts = row.get(field + "_i18n")
        return _pick(texts, language, main) if texts is not None else row.get(field, "")

    return {
        **data,
        "name": pick(data, "name"),
        "sessions": [
            {**row, "title": pick(row, "title"), "room_name": pick(row, "room_name")} for row in data["sessions"]
        ],
        "pitch_rooms": [
            {
                **pitch,
                "company_name": pick(pitch, "company_name"),
                "rooms": [_pick(room, language, main) for room in pitch["rooms_i18n"]]
                if "rooms_i18n" in pitch
                else pitch.get("rooms", []),
            }
            for pitch in data["pitch_rooms"]
        ],
    }


# --- CSV -----------------------------------------------------------------------------------------


def sessions_csv(data):
    rows = [
        {**row, "session_id": row["id"], "room": row["room_name"], "polls": poll_summary(row.get("polls", []))}
        for row in data["sessions"]
    ]
    return csv_text(SESSION_COLUMNS, rows)
