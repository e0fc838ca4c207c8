"""Attendance reports: what the live rooms recorded, summed up with set-based queries.

A report is a fixed number of queries whatever the summit's size (pinned in
tests/test_reports.py): grouped counts for registrations, one join of
attendance intervals with session windows for watch time, one window-function
sweep for peak concurrency, one for the attendance-over-time chart. Python
only folds the grouped rows. The SQL the ORM cannot say is written once per
backend (VENDOR_SQL) with named parameters.

This module only reads; storing and mailing reports is scheduler/stored_reports.py.
"""

import datetime as dt
import statistics
from collections import Counter

from django.db import connection
from django.db.models import Count, DateTimeField, DurationField, ExpressionWrapper, F, Max, Min, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from events.i18n import LANGUAGE_CODES, column, translations
from events.models import Registration, Room, Session
from livechat.models import Attendance, ChatMessage, Question, ReactionTally
from livechat.polls import summit_poll_results
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

# Who counts as a company's visitor is partnering's rule (its leads). Partnering hands its
# function over in PartneringConfig.ready, so the scheduler never imports partnering.
_leads_provider = None


def register_leads_provider(provider):
    """`provider(summit, companies, now=...)` -> {company id: [lead rows with "visits" and "organisation"]}."""
    global _leads_provider
    _leads_provider = provider


# --- SQL that the ORM cannot say portably -------------------------------------------------


# One spelling per backend of what the ORM cannot say portably; the queries below use only these
# and named parameters, so no SQL text is edited per database and no parameter order is kept by hand.
VENDOR_SQL = {
    "postgresql": {
        "greatest": "GREATEST({}, {})",
        "least": "LEAST({}, {})",
        "seconds": "EXTRACT(EPOCH FROM ({} - {}))",
        "bucket": "CAST(FLOOR(EXTRACT(EPOCH FROM {}) / {}) AS BIGINT)",
    },
    "sqlite": {
        "greatest": "MAX({}, {})",
        "least": "MIN({}, {})",
        "seconds": "((julianday({}) - julianday({})) * 86400.0)",
        "bucket": "CAST(((julianday({}) - 2440587.5) * 86400.0) / {} AS INTEGER)",
    },
}


def _sql_parts():
    return VENDOR_SQL[connection.vendor]


def _at(value):
    return connection.ops.adapt_datetimefield_value(value)


def _bounds(summit, sessions, now):
    """Per session, the earliest join that can still overlap it: its start minus its room's longest stay.

    With it the (room, joined_at) index is read over a short range per session
    rather than over the room's whole history (one extra grouped query).
    """
    stay = ExpressionWrapper(
        Coalesce("left_at", "last_seen_at", Value(now, output_field=DateTimeField())) - F("joined_at"),
        output_field=DurationField(),
    )
    longest = dict(
        Attendance.objects.filter(room__summit=summit)
        .values("room")
        .annotate(longest=Max(stay))
        .values_list("room", "longest")
    )
    return [
        (row["pk"], row["starts_at"] - longest[row["room"]] - dt.timedelta(seconds=1))
        for row in sessions
        if row["room"] in longest
    ]


def _session_intervals(bounds, now):
    """FROM/WHERE of attendance intervals joined with the sessions of `bounds` in their room, the SQL of
    each interval's start and end clipped to the session's window, and the named parameters they use."""
    p = _sql_parts()
    a, s = Attendance._meta.db_table, Session._meta.db_table
    left = "COALESCE(a.left_at, a.last_seen_at, %(now)s)"
    start = p["greatest"].format("a.joined_at", "s.starts_at")
    end = p["least"].format(left, "s.ends_at")
    windows = " UNION ALL ".join(
        f"SELECT CAST(%(sid{n})s AS BIGINT) AS sid, %(lo{n})s AS lo" for n in range(len(bounds))
    )
    sql = (
        f"FROM ({windows}) b JOIN {s} s ON s.id = b.sid "
        f"JOIN {a} a ON a.room_id = s.room_id AND a.joined_at >= b.lo AND a.joined_at < s.ends_at "
        f"WHERE {left} > s.starts_at"
    )
    params = {"now": _at(now)}
    for n, (sid, lo) in enumerate(bounds):
        params[f"sid{n}"] = sid
        params[f"lo{n}"] = _at(lo)
    return start, end, sql, params


def _watch_minutes(bounds, now):
    """{session_id: (unique attendees, average minutes, median minutes)}, one grouped query.

    Each person's time is summed per session and capped at the session's length
    (two tabs overlap). PostgreSQL folds the people into the three figures itself;
    SQLite, which has no median, streams the per-person totals (small summits only).
    """
    p = _sql_parts()
    if not bounds:
        return {}
    start, end, where, params = _session_intervals(bounds, now)
    seconds = p["seconds"].format(end, start)
    length = p["seconds"].format("s.ends_at", "s.starts_at")
    per_person = (
        f"SELECT s.id AS sid, {p['least'].format(f'SUM({seconds})', f'MAX({length})')} / 60.0 AS minutes "
        f"{where} GROUP BY s.id, a.user_id"
    )
    figures = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT sid, COUNT(*), AVG(minutes), PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY minutes) "
                f"FROM ({per_person}) x GROUP BY sid",
                params,
            )
            for sid, count, average, median in cursor.fetchall():
                figures[sid] = (count, float(average), float(median))
            return figures
        cursor.execute(per_person, params)
        watched = {}
        while rows := cursor.fetchmany(5000):
            for sid, minutes in rows:
                watched.setdefault(sid, []).append(float(minutes or 0))
    return {sid: (len(m), statistics.fmean(m), statistics.median(m)) for sid, m in watched.items()}


def _peaks(bounds, now):
    """{session_id: peak concurrent connections}: a sweep over join (+1) and leave (-1) events.

    Leaves sort before joins at the same instant, so a reconnect is not counted twice.
    """
    if not bounds:
        return {}
    start, end, where, params = _session_intervals(bounds, now)
    sql = (
        f"SELECT sid, MAX(running) FROM ("
        f" SELECT sid, SUM(d) OVER (PARTITION BY sid ORDER BY t, d ROWS UNBOUNDED PRECEDING) AS running FROM ("
        f"  SELECT s.id AS sid, {start} AS t, 1 AS d {where}"
        f"  UNION ALL SELECT s.id AS sid, {end} AS t, -1 AS d {where}"
        f" ) ev"
        f") x GROUP BY sid"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {sid: int(peak) for sid, peak in cursor.fetchall()}


def _timeline(summit, now):
    """[(bucket start, people connected)] across the summit's rooms, for the attendance-over-time chart."""
    span = Attendance.objects.filter(room__summit=summit).aggregate(
        first=Min("joined_at"),
        last=Max(Coalesce("left_at", "last_seen_at", Value(now, output_field=DateTimeField()))),
    )
    first, last = span["first"], span["last"]
    if first is None:
        return 0, []
    p = _sql_parts()
    a, r = Attendance._meta.db_table, Room._meta.db_table
    left = "COALESCE(a.left_at, a.last_seen_at, %(now)s)"
    base = f"FROM {a} a JOIN {r} r ON r.id = a.room_id WHERE r.summit_id = %(summit)s"
    minutes = next((b for b in BUCKETS if (last - first) / dt.timedelta(minutes=b) <= MAX_POINTS), BUCKETS[-1])
    size = minutes * 60
    sql = (
        f"SELECT b, SUM(d), MAX(running) FROM ("
        f" SELECT {p['bucket'].format('t', '%(size)s')} AS b, d,"
        f"  SUM(d) OVER (ORDER BY t, d ROWS UNBOUNDED PRECEDING) AS running FROM ("
        f"  SELECT a.joined_at AS t, 1 AS d {base}"
        f"  UNION ALL SELECT {left} AS t, -1 AS d {base}"
        f" ) ev"
        f") x GROUP BY b ORDER BY b"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"summit": summit.pk, "now": _at(now), "size": size})
        rows = {int(b): (int(net), int(peak)) for b, net, peak in cursor.fetchall()}
    if not rows:
        return minutes, []
    points, level = [], 0
    for bucket in range(min(rows), max(rows) + 1):
        net, peak = rows.get(bucket, (0, level))
        points.append((dt.datetime.fromtimestamp(bucket * size, dt.UTC), max(peak, level)))
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
    bounds = _bounds(summit, sessions, now)
    watched = _watch_minutes(bounds, now)
    peaks = _peaks(bounds, now)
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
    leads = _leads_provider(summit, list(companies), now=now) if _leads_provider else {}
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
