"""Reminder rules, run in-process (SQLite or PostgreSQL); tests/test_worker.py proves them on a real worker."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail

from events import services as events
from events.models import Bookmark, Registration
from scheduler import services
from scheduler.models import Notification, Reminder
from scheduler.sources import DEFAULT_OFFSETS
from summit.celery import app as celery_app
from tests.conftest import before, csrf_headers, dispatch_and_send, make_person, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(keynote, attendee_paris):
    Bookmark.objects.create(user=attendee_paris, session=keynote)
    return keynote


def test_reminder_sent_once_when_dispatcher_runs_twice(booked, django_capture_on_commit_callbacks):
    now = before(booked, 15)
    first, outcomes, callbacks = dispatch_and_send(now, django_capture_on_commit_callbacks)
    second, _outcomes, _callbacks = dispatch_and_send(now, django_capture_on_commit_callbacks)
    assert outcomes == ["sent"]
    assert len(callbacks) == 1
    assert second == []
    assert len(mail.outbox) == 1
    assert Reminder.objects.get().status == Reminder.Status.SENT


def test_same_reminder_delivered_twice_sends_one_mail(booked, django_capture_on_commit_callbacks):
    now = before(booked, 15)
    with django_capture_on_commit_callbacks(execute=False):
        [reminder_id] = services.do_dispatch_due_reminders(now=now)
    assert services.do_send_reminder(reminder_id, now=now) == "sent"
    assert services.do_send_reminder(reminder_id, now=now) == "not-claimed"
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(user=booked.bookmarks.get().user).count() == 1


def test_each_offset_is_its_own_reminder(booked, django_capture_on_commit_callbacks):
    dispatch_and_send(before(booked, 1440), django_capture_on_commit_callbacks)
    dispatch_and_send(before(booked, 15), django_capture_on_commit_callbacks)
    assert sorted(Reminder.objects.values_list("offset_minutes", flat=True)) == [15, 1440]
    assert len(mail.outbox) == 2


def test_empty_offsets_fall_back_to_a_day_and_a_quarter_hour(booked, django_capture_on_commit_callbacks):
    booked.summit.reminder_offsets = []
    booked.summit.save()
    for minutes in DEFAULT_OFFSETS:
        dispatch_and_send(before(booked, minutes), django_capture_on_commit_callbacks)
    assert sorted(Reminder.objects.values_list("offset_minutes", flat=True)) == sorted(DEFAULT_OFFSETS)


def test_reminder_speaks_the_attendees_language_and_clock(
    keynote, attendee_shanghai, django_capture_on_commit_callbacks
):
    Bookmark.objects.create(user=attendee_shanghai, session=keynote)
    dispatch_and_send(before(keynote, 15), django_capture_on_commit_callbacks)
    [message] = mail.outbox
    text = message.body
    html = message.alternatives[0].content
    # 09:00 in Paris on Monday 29 March 2027 (summer time) is 15:00 in Shanghai.
    assert "15:00" in text and "Asia/Shanghai" in text
    assert "星期一" in text  # the weekday in the attendee's language
    link = "http://127.0.0.1:8000/summits/roadshow/rooms/main-stage/"
    assert link in text and f'href="{link}"' in html
    assert message.to == [attendee_shanghai.email]
    assert message.extra_headers["Message-ID"].startswith(f"<reminder-{Reminder.objects.get().pk}-")
    notice = Notification.objects.get(user=attendee_shanghai)
    assert notice.url == link and notice.read_at is None


def test_title_with_a_line_break_still_makes_a_one_line_subject(booked, django_capture_on_commit_callbacks):
    type(booked).objects.filter(pk=booked.pk).update(title="Opening\nkeynote")
    _ids, outcomes, _callbacks = dispatch_and_send(before(booked, 15), django_capture_on_commit_callbacks)
    assert outcomes == ["sent"]
    assert mail.outbox[0].subject == "Bientôt : Opening keynote à 09:00"  # Camille's French, her Paris time


def test_bookmark_added_after_reminder_time_sends_nothing_late(booked, django_capture_on_commit_callbacks):
    Bookmark.objects.filter(session=booked).update(created_at=before(booked, 10))
    dispatch_and_send(before(booked, 15), django_capture_on_commit_callbacks)
    dispatch_and_send(before(booked, 9), django_capture_on_commit_callbacks)
    assert not Reminder.objects.exists()
    assert mail.outbox == []


def test_reminder_found_after_grace_is_skipped_not_sent_late(booked, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        [reminder_id] = services.do_dispatch_due_reminders(now=before(booked, 15))
    late = before(booked, 15) + dt.timedelta(minutes=settings.REMINDER_GRACE_MINUTES + 1)
    assert services.do_send_reminder(reminder_id, now=late) == "late"
    assert mail.outbox == []


def test_reschedule_moves_pending_reminders(booked, organiser, django_capture_on_commit_callbacks):
    old_due = before(booked, 15)
    with django_capture_on_commit_callbacks(execute=False):
        [reminder_id] = services.do_dispatch_due_reminders(now=old_due)
    new_start = booked.starts_at + dt.timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        events.do_update_session(
            organiser, booked, events.SessionChange(starts_at=new_start, ends_at=new_start + dt.timedelta(hours=1))
        )
    reminder = Reminder.objects.get(pk=reminder_id)
    assert reminder.status == Reminder.Status.PENDING
    assert reminder.due_at == new_start - dt.timedelta(minutes=15)
    # The message already queued for the old time finds nothing to send.
    assert services.do_send_reminder(reminder_id, now=old_due) == "not-claimed"
    booked.refresh_from_db()
    _ids, outcomes, _callbacks = dispatch_and_send(before(booked, 15), django_capture_on_commit_callbacks)
    assert outcomes == ["sent"]
    assert len(mail.outbox) == 1


def test_session_moved_later_while_claimed_goes_back_to_pending(booked, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        [reminder_id] = services.do_dispatch_due_reminders(now=before(booked, 15))
    # Moved without the signal reaching us (e.g. edited in the admin): the sender re-checks.
    type(booked).objects.filter(pk=booked.pk).update(
        starts_at=booked.starts_at + dt.timedelta(hours=1), ends_at=booked.ends_at + dt.timedelta(hours=1)
    )
    assert services.do_send_reminder(reminder_id, now=before(booked, 15)) == "replanned"
    assert Reminder.objects.get().due_at == before(booked, 15) + dt.timedelta(hours=1)
    assert mail.outbox == []


def test_cancelled_session_sends_one_cancellation_notice_instead(booked, organiser, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        [reminder_id] = services.do_dispatch_due_reminders(now=before(booked, 1440))
    with django_capture_on_commit_callbacks(execute=True):
        events.do_cancel_session(organiser, booked)
    with django_capture_on_commit_callbacks(execute=True):
        services.do_cancel_target("session", booked.pk)  # the signal delivered twice
    assert Reminder.objects.get(pk=reminder_id).status == Reminder.Status.SKIPPED
    [notice] = mail.outbox
    assert notice.subject == "Annulée : Opening keynote"  # in Camille's French
    assert Reminder.objects.filter(kind=Reminder.Kind.CANCELLATION, status=Reminder.Status.SENT).count() == 1
    dispatch_and_send(before(booked, 15), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1


def test_restored_session_plans_again_the_reminders_its_cancellation_dropped(
    booked, organiser, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        [reminder_id] = services.do_dispatch_due_reminders(now=before(booked, 15))
    with django_capture_on_commit_callbacks(execute=True):
        events.do_cancel_session(organiser, booked)
    assert Reminder.objects.get(pk=reminder_id).status == Reminder.Status.SKIPPED
    with django_capture_on_commit_callbacks(execute=True):
        events.do_restore_session(organiser, booked)
    reminder = Reminder.objects.get(pk=reminder_id)
    assert (reminder.status, reminder.skip_reason) == (Reminder.Status.PENDING, "")
    assert reminder.due_at == before(booked, 15)
    dispatch_and_send(before(booked, 15), django_capture_on_commit_callbacks)
    assert Reminder.objects.get(pk=reminder_id).status == Reminder.Status.SENT


def test_removed_bookmark_drops_pending_reminder(booked, attendee_paris, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        [reminder_id] = services.do_dispatch_due_reminders(now=before(booked, 15))
    with django_capture_on_commit_callbacks(execute=True):
        events.do_unbookmark(attendee_paris, booked)
    assert Reminder.objects.get(pk=reminder_id).skip_reason == "not-in-agenda"
    assert services.do_send_reminder(reminder_id, now=before(booked, 15)) == "not-claimed"
    assert mail.outbox == []


def test_speakers_and_pitching_company_get_their_own_reminder(
    pitch, speaker, fair_vision, attendee_paris, django_capture_on_commit_callbacks
):
    julien = make_person("julien", name="Julien Marchetti")
    speaker.user = julien
    speaker.save()
    pitch.speakers.add(speaker)
    colleague = make_person("colleague", name="Anne Colleague")
    fair_vision.members.add(julien, colleague)
    Bookmark.objects.create(user=attendee_paris, session=pitch)
    Bookmark.objects.create(user=julien, session=pitch)
    dispatch_and_send(before(pitch, 15), django_capture_on_commit_callbacks)
    roles = dict(Reminder.objects.values_list("user__username", "role"))
    assert roles == {"julien": "speaker", "colleague": "company", "camille": "attendee"}
    assert len(mail.outbox) == 3
    by_person = {m.to[0]: m.body for m in mail.outbox}
    assert "moderator tools" in by_person[julien.email]
    assert "moderator tools" in by_person[colleague.email]
    assert "moderator tools" not in by_person[attendee_paris.email]
    assert "/summits/roadshow/rooms/fair-vision/" in by_person[colleague.email]


def test_worker_killed_after_claim_is_retried_once_the_lease_runs_out(booked, django_capture_on_commit_callbacks):
    now = before(booked, 15)
    with django_capture_on_commit_callbacks(execute=False):
        [reminder_id] = services.do_dispatch_due_reminders(now=now)
    assert services._claim(reminder_id, now) == 1  # ... and the worker dies here
    soon = now + dt.timedelta(seconds=settings.REMINDER_LEASE_SECONDS - 1)
    with django_capture_on_commit_callbacks(execute=False):
        assert services.do_dispatch_due_reminders(now=soon) == []
    assert services.do_send_reminder(reminder_id, now=soon) == "not-claimed"
    later = now + dt.timedelta(seconds=settings.REMINDER_LEASE_SECONDS + 1)
    with django_capture_on_commit_callbacks(execute=False):
        assert services.do_dispatch_due_reminders(now=later) == [reminder_id]
    assert services.do_send_reminder(reminder_id, now=later) == "sent"
    assert len(mail.outbox) == 1
    assert Reminder.objects.get().attempts == 2


def test_mail_failure_gives_the_claim_back(booked, django_capture_on_commit_callbacks, monkeypatch):
    now = before(booked, 15)
    with django_capture_on_commit_callbacks(execute=False):
        [reminder_id] = services.do_dispatch_due_reminders(now=now)

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    with pytest.raises(ConnectionRefusedError):
        services.do_send_reminder(reminder_id, now=now)
    assert Reminder.objects.get().status == Reminder.Status.PENDING
    monkeypatch.undo()
    _ids, outcomes, _callbacks = dispatch_and_send(now + dt.timedelta(minutes=1), django_capture_on_commit_callbacks)
    assert outcomes == ["sent"]
    assert Notification.objects.count() == 1


def test_lost_queue_message_is_queued_again(booked, django_capture_on_commit_callbacks):
    now = before(booked, 15)
    with django_capture_on_commit_callbacks(execute=False):
        [reminder_id] = services.do_dispatch_due_reminders(now=now)
    later = now + dt.timedelta(seconds=settings.REMINDER_REQUEUE_SECONDS + 1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.do_dispatch_due_reminders(now=later) == [reminder_id]
    assert len(callbacks) == 1


def test_dispatch_plans_a_large_agenda_in_a_fixed_number_of_queries(
    booked, summit, django_assert_num_queries, django_capture_on_commit_callbacks
):
    for index in range(30):
        person = make_person(f"fan{index}")
        Registration.objects.create(summit=summit, user=person)
        Bookmark.objects.create(user=person, session=booked)
    # Sessions: summits; per offset: speakers, company members, bookmarks, insert. Meetings (partnering/reminders.py):
    # summits; per offset: seats. Then skip-late; savepoint/select/update.
    with django_capture_on_commit_callbacks(execute=False), django_assert_num_queries(16, exact=False) as captured:
        ids = services.do_dispatch_due_reminders(now=before(booked, 15))
    assert len(ids) == 31
    assert len(captured.captured_queries) <= 16


def test_beat_runs_the_dispatcher_every_minute():
    entry = celery_app.conf.beat_schedule["dispatch-due-reminders"]
    assert entry["task"] == "scheduler.dispatch_due_reminders"
    assert entry["schedule"] == 60.0
    assert "scheduler.dispatch_due_reminders" in celery_app.tasks


# --- in-app notifications ------------------------------------------------------------------------


def test_notifications_are_listed_and_marked_read(booked, attendee_paris, django_capture_on_commit_callbacks):
    dispatch_and_send(before(booked, 15), django_capture_on_commit_callbacks)
    client = signed_in(attendee_paris)
    [notice] = client.get("/api/me/notifications/").json()
    assert notice["kind"] == "reminder" and notice["read_at"] is None
    assert client.get("/api/me/notifications/?unread=true").json() != []
    response = client.post(f"/api/me/notifications/{notice['id']}/read/", headers=csrf_headers(client))
    assert response.json() == {"marked": 1}
    assert client.get("/api/me/notifications/?unread=true").json() == []


def test_mark_all_read_touches_only_my_notifications(
    booked, attendee_paris, attendee_shanghai, django_capture_on_commit_callbacks
):
    Bookmark.objects.create(user=attendee_shanghai, session=booked)
    dispatch_and_send(before(booked, 15), django_capture_on_commit_callbacks)
    client = signed_in(attendee_paris)
    assert client.post("/api/me/notifications/read/", headers=csrf_headers(client)).json() == {"marked": 1}
    assert Notification.objects.get(user=attendee_shanghai).read_at is None


def test_someone_elses_notification_is_not_found(booked, stranger, django_capture_on_commit_callbacks):
    dispatch_and_send(before(booked, 15), django_capture_on_commit_callbacks)
    client = signed_in(stranger)
    notice = Notification.objects.get()
    response = client.post(f"/api/me/notifications/{notice.pk}/read/", headers=csrf_headers(client))
    assert response.status_code == 404
    assert Notification.objects.get().read_at is None


def test_notifications_need_a_signed_in_person(anonymous_client):
    response = anonymous_client.get("/api/me/notifications/")
    assert response.status_code == 401
    assert "detail" in response.json()
