"""Stored attendance reports: which one a page shows, building them once, mailing the final one once.

Stored reports (SummitReport) follow the same claim-by-conditional-UPDATE
rule as reminders: one row per (summit, key), built by whoever claims it,
mailed to the organisers once. The figures come from scheduler/reports.py,
which only reads.
"""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from events.models import Profile, Registration, Session, Summit
from events.services import check_organiser
from scheduler.enqueue import enqueue
from scheduler.models import SummitReport
from scheduler.reports import build_report, localized, sessions_csv

INTERIM = "interim"


# --- which report a page shows --------------------------------------------------------------------


def current_report(summit):
    """The stored report to show (the final one first), else None: the page then shows live figures."""
    ready = SummitReport.objects.filter(summit=summit, status=SummitReport.Status.READY)
    return ready.filter(key=SummitReport.FINAL).first() or ready.order_by("-generated_at").first()


def report_on_its_way(summit):
    """A stored report is pending or being built: the page says a fresh one is coming."""
    return SummitReport.objects.filter(
        summit=summit, status__in=[SummitReport.Status.PENDING, SummitReport.Status.BUILDING]
    ).exists()


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
        Session.objects.filter(
            status=Session.Status.PUBLISHED, ends_at__lte=now, ends_at__gt=now - dt.timedelta(days=1)
        )
        .values("summit")
        .annotate(last=Max("ends_at"))
        .values_list("summit", "last")
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
    claimed = (
        SummitReport.objects.filter(pk=report_id)
        .filter(claimable)
        .update(
            status=SummitReport.Status.BUILDING, lease_until=now + dt.timedelta(seconds=settings.REPORT_LEASE_SECONDS)
        )
    )
    if not claimed:
        return "not-claimed"
    report = SummitReport.objects.select_related("summit").get(pk=report_id)
    data = build_report(report.summit, now=now)
    SummitReport.objects.filter(pk=report_id, status=SummitReport.Status.BUILDING).update(
        status=SummitReport.Status.READY,
        data=data,
        csv=sessions_csv(data),
        generated_at=now,
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
    for profile in organisers:
        if not profile.user.email:
            continue
        with translation.override(profile.language):
            mine = localized(data, profile.language)
            context = {
                "name": profile.name,
                "summit": summit,
                "data": mine,
                "link": link,
                "top": sorted(mine["sessions"], key=lambda s: -s["unique_attendees"])[:5],
            }
            message = EmailMultiAlternatives(
                subject=_("Attendance report: %(summit)s") % {"summit": summit.name},
                body=render_to_string("email/report.txt", context),
                to=[profile.user.email],
            )
            message.attach_alternative(render_to_string("email/report.html", context), "text/html")
            message.attach(f"{summit.slug}-attendance.csv", sessions_csv(mine), "text/csv")
            message.send()
