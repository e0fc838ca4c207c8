"""The report pages: parse, check permission through a service, render."""

import datetime as dt
import zoneinfo

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events.services import access_summit, check_organiser, check_signed_in
from scheduler import charts, notices, reports, services, stored_reports


def attendance_report(request, slug):
    summit = access_summit(slug)
    check_organiser(request.user, summit)
    data, stored = stored_reports.report_data(summit)
    data = reports.localized(data, translation.get_language())
    tz = zoneinfo.ZoneInfo(summit.timezone)
    sessions = [
        {
            **row,
            "starts": dt.datetime.fromisoformat(row["starts_at"]),
            "ends": dt.datetime.fromisoformat(row["ends_at"]),
        }
        for row in data["sessions"]
    ]
    generated_at = dt.datetime.fromisoformat(data["generated_at"])
    context = {
        "summit": summit,
        "data": data,
        "sessions": sessions,
        "has_polls": any(s.get("polls") for s in sessions),
        "stored": stored,
        "generated_at": generated_at,
        "building": stored_reports.report_on_its_way(summit),
        "timeline": charts.timeline_chart(data["timeline"]["points"], tz),
        "bucket_minutes": data["timeline"]["bucket_minutes"],
        "bars": charts.session_bars([s for s in sessions if s["unique_attendees"] or s["starts"] <= generated_at]),
        "summit_tz": tz,
        "top_countries": data["registrations"]["by_country"][:10],
        "top_organisations": data["registrations"]["by_organisation"][:10],
        "top_timezones": data["registrations"]["by_timezone"][:10],
    }
    return render(request, "scheduler/attendance_report.html", context)


@require_POST
def regenerate_report(request, slug):
    summit = access_summit(slug)
    stored_reports.do_request_report(request.user, summit)
    messages.success(request, _("The report is being generated; reload this page in a moment."))
    return redirect("attendance-report", slug=summit.slug)


def notifications(request):
    """The notification centre: newest first, unread ones marked; the mail setting beside them."""
    check_signed_in(request.user)
    context = {
        "notices": services.notifications_for(request.user),
        "by_mail": notices.mails_notices(request.user),
    }
    return render(request, "scheduler/notifications.html", context)


@require_POST
def mark_read(request):
    check_signed_in(request.user)
    services.do_mark_read(request.user)
    return redirect("notifications")


@require_POST
def open_notification(request, notification_id):
    """Marks the notice read and follows its link (only a link of this site)."""
    check_signed_in(request.user)
    services.do_mark_read(request.user, notification_id)
    target = services.notification_link(request.user, notification_id)
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = None
    return redirect(target or "notifications")


@require_POST
def mail_setting(request):
    check_signed_in(request.user)
    on = notices.do_set_mail_notices(request.user, request.POST.get("by_mail") == "on")
    messages.success(
        request,
        _("Notices will also be mailed to you.")
        if on
        else _("Notices will no longer be mailed to you; they stay here."),
    )
    return redirect("notifications")
