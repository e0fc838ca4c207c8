"""Accepted 1:1 meetings are reminded like sessions: both people, once per offset, in their own language and clock.

In-process like tests/test_reminders.py (whose helpers these reuse); the
scheduler's exactly-once machinery itself is proven on a real worker in
tests/test_worker.py.
"""

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Company
from partnering import services as partnering
from partnering.models import Meeting
from scheduler import services
from scheduler.models import Notification, Reminder
from tests.conftest import before, dispatch_and_send
from tests.partnering_helpers import BEFORE, registered, utc

pytestmark = pytest.mark.django_db

# Monday 29 March 2027, the day after Paris moved to summer time: 09:00 Paris, 15:00 Shanghai.
MONDAY_0900_PARIS = utc(2027, 3, 29, 7, 0)
ROOM_LINK = "http://127.0.0.1:8000/summits/roadshow/rooms/meeting-{}/"


def request(requester, summit, invitee, starts_at=MONDAY_0900_PARIS, as_company=None, booked_at=BEFORE):
    """`requester` asks `invitee` (a user, or a company's partner profile) for 30 minutes, on `booked_at`."""
    card = invitee if hasattr(invitee, "office_start") else partnering.my_profile(invitee, summit)
    meeting = partnering.do_request_meeting(
        requester,
        summit,
        partnering.MeetingRequest(with_profile=card.pk, starts_at=starts_at, as_company=as_company),
        now=booked_at,
    )
    Meeting.objects.filter(pk=meeting.pk).update(created_at=booked_at)
    return meeting


def accepted(requester, summit, invitee, answering=None, **fields):
    meeting = request(requester, summit, invitee, **fields)
    partnering.do_accept(answering or invitee, meeting, now=BEFORE)
    meeting.refresh_from_db()
    return meeting


def reminder_mails():
    """The reminders' own mails (and cancellation notices), not the notices of each request and answer."""
    return [m for m in mail.outbox if m.extra_headers.get("Message-ID", "").startswith("<reminder-")]


@pytest.fixture
def meeting(summit, attendee_paris, attendee_shanghai, django_capture_on_commit_callbacks):
    """Camille (Paris, French) and Li Na (Shanghai, Chinese) agreed to meet on Monday at 09:00 Paris."""
    with django_capture_on_commit_callbacks(execute=True):
        return accepted(attendee_paris, summit, attendee_shanghai)


def test_accepted_meeting_reminds_both_people_once_per_offset(
    meeting, attendee_paris, attendee_shanghai, django_capture_on_commit_callbacks
):
    for offset in (1440, 15):
        _ids, outcomes, _callbacks = dispatch_and_send(before(meeting, offset), django_capture_on_commit_callbacks)
        again, _outcomes, _callbacks = dispatch_and_send(before(meeting, offset), django_capture_on_commit_callbacks)
        assert outcomes == ["sent", "sent"]
        assert again == []
    sent = Reminder.objects.filter(source="meeting", target_id=meeting.pk, status=Reminder.Status.SENT)
    assert sorted(sent.values_list("user__username", "offset_minutes")) == [
        ("camille", 15),
        ("camille", 1440),
        ("lina", 15),
        ("lina", 1440),
    ]
    assert sorted(m.to[0] for m in reminder_mails()) == sorted([attendee_paris.email, attendee_shanghai.email] * 2)
    assert Notification.objects.filter(user=attendee_shanghai, reminder__isnull=False).count() == 2


def test_requested_declined_or_withdrawn_meetings_remind_nobody(
    summit, attendee_paris, attendee_shanghai, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request(attendee_paris, summit, attendee_shanghai)
        declined = request(
            attendee_paris, summit, attendee_shanghai, starts_at=MONDAY_0900_PARIS + dt.timedelta(minutes=30)
        )
        partnering.do_decline(attendee_shanghai, declined, "Not this week")
        withdrawn = request(
            attendee_paris, summit, attendee_shanghai, starts_at=MONDAY_0900_PARIS + dt.timedelta(minutes=60)
        )
        partnering.do_cancel(attendee_paris, withdrawn)
    for minutes in (0, 30, 60):
        starts_at = MONDAY_0900_PARIS + dt.timedelta(minutes=minutes)
        dispatch_and_send(starts_at - dt.timedelta(minutes=15), django_capture_on_commit_callbacks)
    assert not Reminder.objects.exists()
    assert reminder_mails() == []


def test_cancelled_meeting_sends_one_cancellation_notice_and_no_reminder(
    meeting, attendee_paris, attendee_shanghai, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        queued = services.do_dispatch_due_reminders(now=before(meeting, 1440))
    assert len(queued) == 2
    with django_capture_on_commit_callbacks(execute=True):
        partnering.do_cancel(attendee_shanghai, meeting)
    with django_capture_on_commit_callbacks(execute=True):
        services.do_cancel_target("meeting", meeting.pk)  # the signal delivered twice
    assert set(Reminder.objects.filter(pk__in=queued).values_list("status", "skip_reason")) == {
        (Reminder.Status.SKIPPED, "cancelled")
    }
    notices = {m.to[0]: m for m in reminder_mails()}
    assert sorted(notices) == sorted([attendee_paris.email, attendee_shanghai.email])
    # Each notice in its recipient's language: Camille reads French, Li Na Chinese.
    assert notices[attendee_paris.email].subject == "Annulée : Réunion avec Li Na"
    assert notices[attendee_shanghai.email].subject == "已取消：与Camille Bernard的洽谈"
    for offset in (1440, 15):
        dispatch_and_send(before(meeting, offset), django_capture_on_commit_callbacks)
    assert len(reminder_mails()) == 2


def test_moved_meeting_replans_its_pending_reminders(
    meeting, attendee_paris, attendee_shanghai, django_capture_on_commit_callbacks
):
    old_due = before(meeting, 15)
    with django_capture_on_commit_callbacks(execute=False):
        queued = services.do_dispatch_due_reminders(now=old_due)
    later = meeting.starts_at + dt.timedelta(minutes=30)
    with django_capture_on_commit_callbacks(execute=True):
        partnering.do_propose(attendee_shanghai, meeting, later, now=BEFORE)
    assert set(Reminder.objects.filter(pk__in=queued).values_list("status", "due_at")) == {
        (Reminder.Status.PENDING, later - dt.timedelta(minutes=15))
    }
    # The messages already queued for the old time find nothing to send.
    assert [services.do_send_reminder(i, now=old_due) for i in queued] == ["not-claimed", "not-claimed"]
    with django_capture_on_commit_callbacks(execute=True):
        partnering.do_accept(attendee_paris, meeting, now=BEFORE)
    meeting.refresh_from_db()
    ids, outcomes, _callbacks = dispatch_and_send(before(meeting, 15), django_capture_on_commit_callbacks)
    assert sorted(ids) == sorted(queued) and outcomes == ["sent", "sent"]
    by_person = {m.to[0]: m.body for m in reminder_mails()}
    assert "09:30" in by_person[attendee_paris.email] and "15:30" in by_person[attendee_shanghai.email]


def test_moved_meeting_still_awaiting_an_answer_is_not_reminded(
    meeting, attendee_shanghai, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        queued = services.do_dispatch_due_reminders(now=before(meeting, 15))
    later = meeting.starts_at + dt.timedelta(minutes=30)
    with django_capture_on_commit_callbacks(execute=True):
        partnering.do_propose(attendee_shanghai, meeting, later, now=BEFORE)
    meeting.refresh_from_db()
    _ids, outcomes, _callbacks = dispatch_and_send(before(meeting, 15), django_capture_on_commit_callbacks)
    assert outcomes == ["cancelled", "cancelled"]
    assert set(Reminder.objects.filter(pk__in=queued).values_list("skip_reason", flat=True)) == {"cancelled"}
    assert reminder_mails() == []


def test_mail_shows_each_persons_local_time_room_and_the_clock_change(
    meeting, attendee_paris, attendee_shanghai, django_capture_on_commit_callbacks
):
    assert meeting.room.slug == f"meeting-{meeting.pk}"
    dispatch_and_send(before(meeting, 15), django_capture_on_commit_callbacks)
    mails = {m.to[0]: m for m in reminder_mails()}
    link = ROOM_LINK.format(meeting.pk)
    camille, lina = mails[attendee_paris.email], mails[attendee_shanghai.email]
    # Camille reads French and lives in Paris: her 09:00 first, then Li Na's 15:00.
    assert "lundi 29 mars 2027, 09:00–09:30 (Europe/Paris)" in camille.body
    assert "Heure de votre interlocuteur (Shanghai): lundi 29 mars 2027, 15:00 (Asia/Shanghai)" in camille.body
    assert "Un changement d’heure a lieu avant cette réunion" in camille.body
    assert "(Europe/Paris change d’heure le 28 mars 2027)" in camille.body
    # Li Na reads Chinese and lives in Shanghai: her 15:00 first, then Camille's 09:00.
    # ... in Chinese date order, with numeric months (summit/formats/zh_Hans): not "星期一 29 三月 2027".
    assert "2027年3月29日 星期一 15:00–15:30 (Asia/Shanghai)" in lina.body
    assert "对方时间（Paris）: 2027年3月29日 星期一 09:00 (Europe/Paris)" in lina.body
    assert "本次洽谈之前有夏令时切换" in lina.body
    assert "（Europe/Paris 将于 2027年3月28日 进行夏令时切换）" in lina.body
    for message in (camille, lina):
        assert link in message.body and f'href="{link}"' in message.alternatives[0].content
    assert camille.subject == "Bientôt : Réunion avec Li Na à 09:00"
    assert lina.subject == "即将开始：与Camille Bernard的洽谈（15:00）"
    assert set(Notification.objects.filter(reminder__isnull=False).values_list("url", flat=True)) == {link}


def test_meeting_booked_after_the_clock_change_has_no_warning(
    summit, attendee_paris, attendee_shanghai, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = accepted(attendee_paris, summit, attendee_shanghai, booked_at=utc(2027, 3, 28, 12, 0))
    dispatch_and_send(before(meeting, 15), django_capture_on_commit_callbacks)
    assert len(reminder_mails()) == 2
    assert all("clock" not in m.body for m in reminder_mails())


def test_video_link_is_in_the_reminder(meeting, attendee_paris, django_capture_on_commit_callbacks):
    partnering.do_set_video_url(attendee_paris, meeting, "https://meet.example/qingdao")
    dispatch_and_send(before(meeting, 15), django_capture_on_commit_callbacks)
    assert len(reminder_mails()) == 2
    assert all("https://meet.example/qingdao" in m.body for m in reminder_mails())


def test_company_side_is_reminded_through_the_member_who_accepted(
    summit, attendee_shanghai, django_capture_on_commit_callbacks
):
    company = Company.objects.create(summit=summit, slug="epicnpoc", name="Epicnpoc", country="FR")
    sophie, _card = registered(summit, "sophie")
    colleague, _card = registered(summit, "colleague")
    company.members.add(sophie, colleague)
    partnering.do_create_missing_profiles(summit)
    company.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        meeting = accepted(attendee_shanghai, summit, company.partner_profile, answering=sophie)
    dispatch_and_send(before(meeting, 15), django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in reminder_mails()) == sorted([attendee_shanghai.email, sophie.email])
    lina = next(m for m in reminder_mails() if m.to == [attendee_shanghai.email])
    assert lina.subject == "即将开始：与Epicnpoc的洽谈（15:00）"  # in Li Na's Chinese, at her 15:00


def test_dispatch_plans_many_meetings_in_as_many_queries_as_one(summit, django_capture_on_commit_callbacks):
    def planned_with_queries(pairs):
        with django_capture_on_commit_callbacks(execute=True):
            for n in pairs:
                paris, _card = registered(summit, f"paris{n}")
                shanghai, _card = registered(summit, f"shanghai{n}", "Asia/Shanghai", "CN")
                accepted(paris, summit, shanghai)
        with django_capture_on_commit_callbacks(execute=False), CaptureQueriesContext(connection) as queries:
            ids = services.do_dispatch_due_reminders(now=MONDAY_0900_PARIS - dt.timedelta(minutes=15))
        Reminder.objects.all().delete()
        return len(ids), len(queries)

    one = planned_with_queries(range(1))
    many = planned_with_queries(range(1, 6))
    assert one[0] == 2 and many[0] == 12  # six meetings by then (the reminders were deleted), two people each
    assert many[1] == one[1]
