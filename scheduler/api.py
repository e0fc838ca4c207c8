"""Reports and notifications over the JSON API: translation between HTTP and the services."""

import datetime as dt

from ninja import Router, Schema, Status
from ninja.security import django_auth

from events.api import LangParam
from events.i18n import reader_language
from events.services import access_summit, check_organiser
from scheduler import reports, services, stored_reports
from summit.csvfile import csv_response

router = Router()


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class MarkedOut(Schema):
    marked: int


class ReportOut(Schema):
    id: int
    key: str
    status: str
    generation: int
    generated_at: dt.datetime | None


@router.get("/summits/{slug}/reports/attendance.csv", auth=django_auth, tags=["reports"])
def attendance_csv(request, slug: str, lang: LangParam = None):
    """Per-session attendance (organisers): the stored report when one is ready, else live figures.
    Titles and rooms in `?lang=`, else the reader's language."""
    summit = access_summit(slug)
    check_organiser(request.user, summit)
    data, _stored = stored_reports.report_data(summit)
    data = reports.localized(data, reader_language(request, summit.language))
    return csv_response(reports.sessions_csv(data), f"{summit.slug}-attendance.csv")


@router.post("/summits/{slug}/reports/", response={202: ReportOut}, auth=django_auth, tags=["reports"])
def request_report(request, slug: str):
    """(Re)builds the stored report in the background; asking again while it builds changes nothing."""
    summit = access_summit(slug)
    return Status(202, stored_reports.do_request_report(request.user, summit))


@router.get("/me/notifications/", response=list[NotificationOut], auth=django_auth, tags=["notifications"])
def my_notifications(request, unread: bool = False):
    return services.notifications_for(request.user, unread_only=unread)


@router.post("/me/notifications/read/", response=MarkedOut, auth=django_auth, tags=["notifications"])
def mark_all_read(request):
    return {"marked": services.do_mark_read(request.user)}


@router.post("/me/notifications/{notification_id}/read/", response=MarkedOut, auth=django_auth, tags=["notifications"])
def mark_read(request, notification_id: int):
    return {"marked": services.do_mark_read(request.user, notification_id)}
