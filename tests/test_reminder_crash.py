"""A worker that dies after the mail server accepted a reminder: the attempt that takes over mails nothing again.

The process dying is simulated where it matters: an exception no code catches (a BaseException, as a
SIGKILL is to the lines after it) raised at the chosen point, leaving the database as the death would.
"""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage

from events.models import Bookmark
from scheduler import services
from scheduler.models import Notification, Reminder
from tests.conftest import before

pytestmark = pytest.mark.django_db


class ProcessDied(BaseException):
    """Nothing after the point it is raised at runs, and no `except Exception` sees it."""


def dies(*args, **kwargs):
    raise ProcessDied


@pytest.fixture
def due(keynote, attendee_paris, django_capture_on_commit_callbacks):
    """A reminder due now, queued by the dispatcher: (its id, now)."""
    Bookmark.objects.create(user=attendee_paris, session=keynote)
    now = before(keynote, 15)
    with django_capture_on_commit_callbacks(execute=False):
        [reminder_id] = services.do_dispatch_due_reminders(now=now)
    return reminder_id, now


def take_over_after_the_lease(reminder_id, now, on_commit):
    """Beat's next tick after the dead attempt's lease, and the send it queues."""
    later = now + dt.timedelta(seconds=settings.REMINDER_LEASE_SECONDS + 1)
    with on_commit(execute=False):
        assert services.do_dispatch_due_reminders(now=later) == [reminder_id]
    return services.do_send_reminder(reminder_id, now=later)


def test_a_death_after_the_mail_was_accepted_is_closed_by_the_next_attempt_without_a_second_mail(
    due, monkeypatch, django_capture_on_commit_callbacks
):
    reminder_id, now = due
    monkeypatch.setattr(services, "_close_sent", dies)
    with pytest.raises(ProcessDied):
        services.do_send_reminder(reminder_id, now=now)
    assert len(mail.outbox) == 1  # the mail server has it
    assert Reminder.objects.get().status == Reminder.Status.SENDING  # and the row says nothing more
    monkeypatch.undo()

    assert take_over_after_the_lease(reminder_id, now, django_capture_on_commit_callbacks) == "sent"
    assert len(mail.outbox) == 1
    reminder = Reminder.objects.get()
    assert reminder.status == Reminder.Status.SENT and reminder.sent_at is not None
    assert Notification.objects.filter(reminder=reminder).count() == 1


def test_a_death_in_the_instant_the_mail_server_answers_repeats_the_mail_with_the_same_message_id(
    due, monkeypatch, django_capture_on_commit_callbacks
):
    reminder_id, now = due
    real_send = EmailMessage.send

    def accepted_then_dies(message, *args, **kwargs):
        real_send(message, *args, **kwargs)
        raise ProcessDied

    monkeypatch.setattr(EmailMessage, "send", accepted_then_dies)
    with pytest.raises(ProcessDied):
        services.do_send_reminder(reminder_id, now=now)
    monkeypatch.undo()

    assert take_over_after_the_lease(reminder_id, now, django_capture_on_commit_callbacks) == "sent"
    first, second = mail.outbox
    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"]
    assert first.message()["Message-ID"] == second.message()["Message-ID"] == Reminder.objects.get().message_id
    assert Notification.objects.count() == 1


def test_a_reminder_closed_after_a_death_is_never_skipped_as_late(
    due, monkeypatch, keynote, django_capture_on_commit_callbacks
):
    """The mail left: however late the take-over, the reminder is `sent`, not `skipped`, and not mailed again."""
    reminder_id, now = due
    monkeypatch.setattr(services, "_close_sent", dies)
    with pytest.raises(ProcessDied):
        services.do_send_reminder(reminder_id, now=now)
    monkeypatch.undo()
    much_later = keynote.starts_at + dt.timedelta(minutes=5)
    with django_capture_on_commit_callbacks(execute=False):
        assert services.do_dispatch_due_reminders(now=much_later) == [reminder_id]
    assert services.do_send_reminder(reminder_id, now=much_later) == "sent"
    assert len(mail.outbox) == 1
    assert Reminder.objects.get().status == Reminder.Status.SENT
