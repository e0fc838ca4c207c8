"""The first in the call is told to the other side in-app at once; who never came, by mail 3 minutes in."""

import datetime as dt

import pytest
from django.core import mail

from calls import services
from scheduler.models import Notification
from tests.calls_helpers import STARTS_AT, accepted_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`committed(service, *args)`: notices and tasks are queued on commit; run them as a commit would."""

    def run(service, *args):
        with django_capture_on_commit_callbacks(execute=True):
            return service(*args)

    return run


@pytest.fixture
def meeting(summit, attendee_paris, attendee_shanghai, lina_profile):
    meeting = accepted_meeting(summit, attendee_paris, attendee_shanghai, lina_profile)
    mail.outbox.clear()
    Notification.objects.all().delete()
    return meeting


def waiting_notices(user):
    return list(Notification.objects.filter(user=user, kind__in=["waiting", "not_joined"]))


def test_the_first_in_the_call_is_told_to_the_other_side_in_app_in_their_language_without_a_mail(
    meeting, attendee_paris, attendee_shanghai, committed
):
    committed(services.do_join_call, attendee_paris.pk, meeting.room_id, "socket-1")
    [notice] = waiting_notices(attendee_shanghai)
    assert notice.title == "Camille Bernard 正在会议室等您"  # Li Na reads Chinese
    assert notice.url == f"/summits/roadshow/rooms/meeting-{meeting.pk}/"
    assert waiting_notices(attendee_paris) == []  # never told of their own wait
    # The mail task ran at once (eager tasks ignore the eta) and, being early, mailed nobody.
    assert mail.outbox == []


def test_joining_again_or_second_tells_nobody_again(meeting, attendee_paris, attendee_shanghai, committed):
    committed(services.do_join_call, attendee_paris.pk, meeting.room_id, "socket-1")
    committed(services.do_leave_call, attendee_paris.pk, meeting.room_id, "socket-1")
    committed(services.do_join_call, attendee_paris.pk, meeting.room_id, "socket-2")
    committed(services.do_join_call, attendee_shanghai.pk, meeting.room_id, "socket-3")
    assert len(waiting_notices(attendee_shanghai)) == 1
    assert waiting_notices(attendee_paris) == []


def test_three_minutes_after_the_start_who_never_joined_is_mailed_once(
    meeting, attendee_paris, attendee_shanghai, committed
):
    committed(services.do_join_call, attendee_paris.pk, meeting.room_id, "socket-1")
    assert (
        committed(services.do_mail_if_not_joined, meeting.pk, attendee_paris.pk, STARTS_AT + dt.timedelta(minutes=2))
        == 0
    )
    assert mail.outbox == []
    later = STARTS_AT + dt.timedelta(minutes=3)
    assert committed(services.do_mail_if_not_joined, meeting.pk, attendee_paris.pk, later) == 1
    assert [message.to for message in mail.outbox] == [[attendee_shanghai.email]]
    assert "Camille Bernard" in mail.outbox[0].subject
    assert committed(services.do_mail_if_not_joined, meeting.pk, attendee_paris.pk, later) == 0  # a rerun mails nobody
    assert len(mail.outbox) == 1


def test_nobody_is_mailed_when_everyone_came_or_the_meeting_is_over(
    meeting, attendee_paris, attendee_shanghai, committed
):
    committed(services.do_join_call, attendee_paris.pk, meeting.room_id, "socket-1")
    committed(services.do_join_call, attendee_shanghai.pk, meeting.room_id, "socket-2")
    committed(services.do_leave_call, attendee_shanghai.pk, meeting.room_id, "socket-2")  # came, then left: not mailed
    assert (
        committed(services.do_mail_if_not_joined, meeting.pk, attendee_paris.pk, STARTS_AT + dt.timedelta(minutes=3))
        == 0
    )
    assert committed(services.do_mail_if_not_joined, meeting.pk, attendee_paris.pk, meeting.ends_at) == 0
    assert mail.outbox == []
