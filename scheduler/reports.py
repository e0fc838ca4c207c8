"""Attendance reports: what the live rooms recorded, summed up with set-based queries.

A report is a fixed number of queries whatever the summit's size (pinned in
tests/test_reports.py): grouped counts for registrations, one join of
attendance intervals with session windows for watch time, one window-function
sweep for peak concurrency, one for the attendance-over-time chart. Python
only folds the grouped rows.

Stored reports (SummitReport) follow the same claim-by-conditional-UPDATE
rule as reminders: one row per (summit, key), built by whoever claims it,
mailed to the organisers once.
"""

import datetime as dt
import statistics
import zoneinfo
from collections import Counter

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import Count, DateTimeField, DurationField, ExpressionWrapper, F, Max, Min, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from events.models import Profile, Registration, Room, Session, Summit
from events.services import check_organiser
from livechat.models import Attendance, ChatMessage, Question, ReactionTally
from scheduler.enqueue import enqueue
from scheduler.models import SummitReport
from summit.csvfile import csv_text

SESSION_COLUMNS = [
    "session_id", "title", "room", "starts_at", "ends_at", "unique_attendees", "peak_concurrent",
    "avg_watch_minutes", "median_watch_minutes", "questions_asked", "questions_answered", "chat_messages",
    "reactions",
]
INTERIM = "interim"
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


def _sql_parts():
    """Vendor spellings: greatest/least of two values, seconds between two datetimes, epoch seconds."""
    if connection.vendor == "postgresql":
        return {
            "greatest": "GREATEST({}, {})",
            "least": "LEAST({}, {})",
            "seconds": "EXTRACT(EPOCH FROM ({} - {}))",
            "epoch": "EXTRACT(EPOCH FROM {})",
        }
    return {
        "greatest": "MAX({}, {})",
        "least": "MIN({}, {})",
        "seconds": "((julianday({}) - julianday({})) * 86400.0)",
        "epoch": "((julianday({}) - 2440587.5) * 86400.0)",
    }


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
        Attendance.objects.filter(room__summit=summit).values("room").annotate(longest=Max(stay))
        .values_list("room", "longest")
    )
    return [
        (row["pk"], row["starts_at"] - longest[row["room"]] - dt.timedelta(seconds=1))
        for row in sessions
        if row["room"] in longest
    ]


def _session_intervals(bounds, now):
    """FROM/WHERE of attendance intervals joined with the sessions of `bounds` in their room, and
    the SQL of each interval's start and end clipped to the session's window."""
    p = _sql_parts()
    a, s = Attendance._meta.db_table, Session._meta.db_table
    left = "COALESCE(a.left_at, a.last_seen_at, %s)"
    start = p["greatest"].format("a.joined_at", "s.starts_at")
    end = p["least"].format(left, "s.ends_at")
    windows = " UNION ALL ".join(["SELECT CAST(%s AS BIGINT) AS sid, %s AS lo"] * len(bounds))
    sql = (
        f"FROM ({windows}) b JOIN {s} s ON s.id = b.sid "
        f"JOIN {a} a ON a.room_id = s.room_id AND a.joined_at >= b.lo AND a.joined_at < s.ends_at "
        f"WHERE {left} > s.starts_at"
    )
    now_db = connection.ops.adapt_datetimefield_value(now)
    params = [value for sid, lo in bounds for value in (sid, connection.ops.adapt_datetimefield_value(lo))]
    return start, end, sql, [*params, now_db], now_db


def _watch_minutes(bounds, now):
    """{session_id: (unique attendees, average minutes, median minutes)}, one grouped query.

    Each person's time is summed per session and capped at the session's length
    (two tabs overlap). PostgreSQL folds the people into the three figures itself;
    SQLite, which has no median, streams the per-person totals (small summits only).
    """
    p = _sql_parts()
    if not bounds:
        return {}
    start, end, where, params, now_db = _session_intervals(bounds, now)
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
                [now_db, *params],
            )
            for sid, count, average, median in cursor.fetchall():
                figures[sid] = (count, float(average), float(median))
            return figures
        cursor.execute(per_person, [now_db, *params])
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
    start, end, where, params, now_db = _session_intervals(bounds, now)
    sql = (
        f"SELECT sid, MAX(running) FROM ("
        f" SELECT sid, SUM(d) OVER (PARTITION BY sid ORDER BY t, d ROWS UNBOUNDED PRECEDING) AS running FROM ("
        f"  SELECT s.id AS sid, {start} AS t, 1 AS d {where}"
        f"  UNION ALL SELECT s.id AS sid, {end} AS t, -1 AS d {where}"
        f" ) ev"
        f") x GROUP BY sid"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, now_db, *params])
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
    left = "COALESCE(a.left_at, a.last_seen_at, %s)"
    now_db = connection.ops.adapt_datetimefield_value(now)
    base = f"FROM {a} a JOIN {r} r ON r.id = a.room_id WHERE r.summit_id = %s"
    minutes = next((b for b in BUCKETS if (last - first) / dt.timedelta(minutes=b) <= MAX_POINTS), BUCKETS[-1])
    size = minutes * 60
    epoch = p["epoch"]
    sql = (
        f"SELECT b, SUM(d), MAX(running) FROM ("
        f" SELECT CAST(FLOOR(({epoch.format('t')}) / {size}) AS BIGINT) AS b, d,"
        f"  SUM(d) OVER (ORDER BY t, d ROWS UNBOUNDED PRECEDING) AS running FROM ("
        f"  SELECT a.joined_at AS t, 1 AS d {base}"
        f"  UNION ALL SELECT {left} AS t, -1 AS d {base}"
        f" ) ev"
        f") x GROUP BY b ORDER BY b"
    )
    if connection.vendor != "postgresql":
        sql = sql.replace("FLOOR(", "(").replace("AS BIGINT", "AS INTEGER")
    with connection.cursor() as cursor:
        cursor.execute(sql, [summit.pk, now_db, summit.pk])
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
        .values("pk", "title", "starts_at", "ends_at", "room", "room__slug", "room__name", "room__kind")
    )
    bounds = _bounds(summit, sessions, now)
    watched = _watch_minutes(bounds, now)
    peaks = _peaks(bounds, now)
    questions = {
        row["session"]: row
        for row in Question.objects.filter(session__summit=summit).values("session").annotate(
            asked=Count("pk"), answered=Count("pk", filter=Q(status=Question.Status.ANSWERED))
        )
    }
    chat = dict(
        ChatMessage.objects.filter(session__summit=summit).values("session").annotate(n=Count("pk"))
        .values_list("session", "n")
    )
    reactions = dict(
        ReactionTally.objects.filter(session__summit=summit).values("session").annotate(n=Sum("count"))
        .values_list("session", "n")
    )
    session_rows = []
    for session in sessions:
        count, average, median = watched.get(session["pk"], (0, 0, 0))
        q = questions.get(session["pk"], {})
        session_rows.append({
            "id": session["pk"],
            "title": session["title"],
            "room": session["room__slug"],
            "room_name": session["room__name"],
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
        })
    bucket_minutes, points = _timeline(summit, now)
    return {
        "summit": summit.slug,
        "name": summit.name,
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


def _pitch_companies(summit, now):
    """Per pitching company: its pitch rooms, how many people visited them, from which organisations.

    The people are the company's leads as partnering computes them (members
    left out, the same figures), so this section and the leads page it links
    to never disagree about who came.
    """
    rooms = (Room.objects.filter(summit=summit, kind=Room.Kind.PITCH, company__isnull=False)
             .select_related("company").order_by("position", "name"))
    companies = {}
    for room in rooms:
        companies.setdefault(room.company, []).append(room.name)
    leads = _leads_provider(summit, list(companies), now=now) if _leads_provider else {}
    result = []
    for company, room_names in companies.items():
        visitors = [lead for lead in leads.get(company.pk, []) if lead["visits"]]
        organisations = Counter(lead["organisation"] for lead in visitors if lead["organisation"])
        result.append({
            "company": company.slug,
            "company_name": company.name,
            "rooms": room_names,
            "visitors": len(visitors),
            "organisations": [[org, n] for org, n in sorted(organisations.items(), key=lambda i: (-i[1], i[0]))],
        })
    return result


# --- CSV -----------------------------------------------------------------------------------------


def sessions_csv(data):
    rows = [{**row, "session_id": row["id"], "room": row["room_name"]} for row in data["sessions"]]
    return csv_text(SESSION_COLUMNS, rows)


# --- which report a page shows --------------------------------------------------------------------


def current_report(summit):
    """The stored report to show (the final one first), else None: the page then shows live figures."""
    ready = SummitReport.objects.filter(summit=summit, status=SummitReport.Status.READY)
    return ready.filter(key=SummitReport.FINAL).first() or ready.order_by("-generated_at").first()


def report_on_its_way(summit):
    """A stored report is pending or being built: the page says a fresh one is coming."""
    return SummitReport.objects.filter(
        summit=summit, status__in=[SummitReport.Status.PENDING, SummitReport.Status.BUILDING]).exists()


def report_data(summit):
    """(data, stored report or None): the stored report when one is ready, else a live one."""
    stored = current_report(summit)
    if stored is not None:
        return stored.data, stored
    return build_report(summit), None


# --- stored reports: once per summit end, regenerable --------------------------------------------


def summit_end(summit):
    """The instant a summit ends: midnight after its last day, in its own time zone."""
    tz = zoneinfo.ZoneInfo(summit.timezone)
    return dt.datetime.combine(summit.ends_on + dt.timedelta(days=1), dt.time(0), tzinfo=tz)


def _enqueue_build(report_id):
    enqueue("scheduler.build_summit_report", report_id)


def do_dispatch_ended_summits(now=None):
    """Build the final report of each summit that has ended, refresh the interim report of each
    summit where a session ended since it was built, and re-enqueue builds that were lost."""
    now = now or timezone.now()
    started = _refresh_interim_reports(now)
    candidates = Summit.objects.filter(ends_on__lte=now.date()).exclude(reports__key=SummitReport.FINAL)
    for summit in candidates:
        if summit_end(summit) > now:
            continue
        with transaction.atomic():
            report, created = SummitReport.objects.get_or_create(summit=summit, key=SummitReport.FINAL)
            if created:
                _enqueue_build(report.pk)
                started.append(report.pk)
    lease = dt.timedelta(seconds=settings.REPORT_LEASE_SECONDS)
    lost = SummitReport.objects.filter(
        Q(status=SummitReport.Status.PENDING, created_at__lt=now - lease)
        | Q(status=SummitReport.Status.BUILDING, lease_until__lt=now)
    ).values_list("pk", flat=True)
    with transaction.atomic():
        for report_id in lost:
            _enqueue_build(report_id)
    return started


def _refresh_interim_reports(now):
    """After each session: a running summit's stored report is rebuilt once per session that ended."""
    ended = (
        Session.objects.filter(status=Session.Status.PUBLISHED, ends_at__lte=now, ends_at__gt=now - dt.timedelta(days=1))
        .values("summit").annotate(last=Max("ends_at")).values_list("summit", "last")
    )
    started = []
    for summit_id, last in ended:
        with transaction.atomic():
            report, created = SummitReport.objects.get_or_create(summit_id=summit_id, key=INTERIM)
            stale = SummitReport.objects.filter(
                pk=report.pk, status=SummitReport.Status.READY, generated_at__lt=last
            ).update(status=SummitReport.Status.PENDING, generation=F("generation") + 1, created_at=now)
            if created or stale:
                _enqueue_build(report.pk)
                started.append(report.pk)
    return started


def do_request_report(user, summit, now=None):
    """An organiser asks for a fresh stored report; asking twice while one is on its way builds one."""
    now = now or timezone.now()
    check_organiser(user, summit)
    key = SummitReport.FINAL if summit_end(summit) <= now else INTERIM
    with transaction.atomic():
        report, created = SummitReport.objects.get_or_create(summit=summit, key=key)
        if not created:
            bumped = SummitReport.objects.filter(pk=report.pk, status=SummitReport.Status.READY).update(
                status=SummitReport.Status.PENDING, generation=F("generation") + 1, created_at=now
            )
            if not bumped:
                return report
        _enqueue_build(report.pk)
    report.refresh_from_db()
    return report


def do_build_report(report_id, now=None):
    """Build the report if this call wins the claim; mail the final one to the organisers once."""
    now = now or timezone.now()
    claimable = Q(status=SummitReport.Status.PENDING) | Q(status=SummitReport.Status.BUILDING, lease_until__lt=now)
    claimed = SummitReport.objects.filter(pk=report_id).filter(claimable).update(
        status=SummitReport.Status.BUILDING, lease_until=now + dt.timedelta(seconds=settings.REPORT_LEASE_SECONDS)
    )
    if not claimed:
        return "not-claimed"
    report = SummitReport.objects.select_related("summit").get(pk=report_id)
    data = build_report(report.summit, now=now)
    SummitReport.objects.filter(pk=report_id, status=SummitReport.Status.BUILDING).update(
        status=SummitReport.Status.READY, data=data, csv=sessions_csv(data), generated_at=now,
        lease_until=None,
    )
    if report.key != SummitReport.FINAL:
        return "built"
    # Claim the mailing before sending: a crash here loses one mail rather than sending two.
    if not SummitReport.objects.filter(pk=report_id, mailed_at__isnull=True).update(mailed_at=timezone.now()):
        return "built"
    try:
        _mail_organisers(report.summit, data)
    except Exception:
        SummitReport.objects.filter(pk=report_id).update(mailed_at=None)
        raise
    return "mailed"


def _mail_organisers(summit, data):
    organisers = Profile.objects.filter(
        user__registrations__summit=summit, user__registrations__role=Registration.Role.ORGANISER
    ).select_related("user")
    link = settings.SITE_URL.rstrip("/") + reverse("attendance-report", args=[summit.slug])
    attachment = sessions_csv(data)
    for profile in organisers:
        if not profile.user.email:
            continue
        with translation.override(profile.language):
            context = {"name": profile.name, "summit": summit, "data": data, "link": link,
                       "top": sorted(data["sessions"], key=lambda s: -s["unique_attendees"])[:5]}
            message = EmailMultiAlternatives(
                subject=_("Attendance report: %(summit)s") % {"summit": summit.name},
                body=render_to_string("email/report.txt", context),
                to=[profile.user.email],
            )
            message.attach_alternative(render_to_string("email/report.html", context), "text/html")
            message.attach(f"{summit.slug}-attendance.csv", attachment, "text/csv")
            message.send()
