"""The demo shows a reminder within a minute of `make run` and a report with charts."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from events.demo import seed_demo
from events.models import Bookmark, Registration, Session
from livechat.models import Attendance
from scheduler import services
from scheduler.demo import SOON_TITLE, seed_scheduler_demo
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def test_demo_reminder_falls_due_within_a_minute_of_seeding(django_capture_on_commit_callbacks):
    summit, _password = seed_demo(password="demo-password-1")
    seed_scheduler_demo(summit)
    soon = Session.objects.get(summit=summit, title=SOON_TITLE)
    attendees = Registration.objects.filter(summit=summit, role="attendee").count()
    assert Bookmark.objects.filter(session=soon).count() == attendees
    in_a_minute = timezone.now() + dt.timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=False):
        ids = services.do_dispatch_due_reminders(now=in_a_minute)
    assert len(ids) == attendees
    assert {services.do_send_reminder(i, now=in_a_minute) for i in ids} == {"sent"}
    assert len(mail.outbox) == attendees


def test_seeding_again_adds_no_attendance_and_moves_a_started_demo_forward():
    summit, _password = seed_demo(password="demo-password-1")
    seed_scheduler_demo(summit)
    intervals = Attendance.objects.count()
    assert intervals > 0
    seed_scheduler_demo(summit)
    assert Attendance.objects.count() == intervals
    later = timezone.now() + dt.timedelta(hours=2)
    seed_scheduler_demo(summit, now=later)
    soon = Session.objects.get(summit=summit, title=SOON_TITLE)
    assert soon.starts_at > later + dt.timedelta(minutes=15)


def test_demo_report_page_has_charts():
    summit, _password = seed_demo(password="demo-password-1")
    seed_scheduler_demo(summit)
    client = signed_in(summit.registrations.get(role="organiser").user)
    page = client.get(f"/summits/{summit.slug}/reports/attendance/").content.decode()
    assert page.count("<svg") == 2 and "<polyline" in page
