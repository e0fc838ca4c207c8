"""Notices: told live on every socket of the person, mailed once in their language, never to the actor."""

import datetime as dt

import pytest
from channels.db import database_sync_to_async
from django.core import mail
from django.test import Client
from django.urls import reverse

from events.models import Bookmark, Registration
from partnering import services
from partnering.notices import MeetingNotices
from scheduler import notices
from scheduler import services as scheduler
from scheduler.models import Notification, Reminder
from scheduler.tasks import send_notices
from tests.conftest import at_paris, csrf_headers, make_person, signed_in
from tests.live import next_frame, open_socket, orm, person_barrier, send

pytestmark = pytest.mark.django_db(transaction=True)

ME = "/ws/me/"
MONDAY = dt.date(2027, 3, 29)


async def person_socket(cookie):
    socket, connected = await open_socket(cookie, ME)
    assert connected
    assert (await next_frame(socket))["type"] == "me.ready"
    return socket


async def closed_with(socket):
    message = await socket.receive_output(timeout=5)
    assert message["type"] == "websocket.close"
    return message.get("code")


def request_meeting(user, summit, with_profile, hhmm="10:00"):
    return services.do_request_meeting(
        user,
        summit,
        services.MeetingRequest(with_profile, at_paris(MONDAY, hhmm), 30, message="Distribution in Shandong"),
    )


def card(user, summit):
    return services.my_profile(user, summit)


async def test_the_person_socket_refuses_the_signed_out_and_foreign_origins(attendee_paris, cookies):
    socket, connected = await open_socket(None, ME)
    assert connected and await closed_with(socket) == 4401
    socket, connected = await open_socket(await cookies(attendee_paris), ME, origin=b"https://evil.example")
    assert not connected


async def test_the_person_socket_only_listens(attendee_paris, cookies):
    socket = await person_socket(await cookies(attendee_paris))
    await send(socket, {"type": "chat.send", "body": "hi"})
    assert (await next_frame(socket))["code"] == "invalid"
    await send(socket, {"type": "ping"})
    assert (await next_frame(socket))["type"] == "pong"
    await socket.disconnect()


def _sign_out(cookie):
    client = Client()
    client.cookies["sessionid"] = cookie
    assert client.post(reverse("signout")).status_code == 302


async def test_signing_out_closes_that_sessions_person_socket_and_no_other(attendee_shanghai, cookies):
    leaving, staying = await cookies(attendee_shanghai), await cookies(attendee_shanghai)
    closing, kept = await person_socket(leaving), await person_socket(staying)
    await orm(_sign_out, leaving)
    assert await closed_with(closing) == 4401
    await send(kept, {"type": "ping"})
    assert (await next_frame(kept))["type"] == "pong"
    await kept.disconnect()


async def test_a_request_reaches_every_socket_of_the_invitee_live_and_is_mailed_once_in_their_language(
    summit, attendee_paris, attendee_shanghai, cookies
):
    lina = await orm(card, attendee_shanghai, summit)
    first, second = (
        await person_socket(await cookies(attendee_shanghai)),
        await person_socket(await cookies(attendee_shanghai)),
    )
    camille_socket = await person_socket(await cookies(attendee_paris))
    meeting = await orm(request_meeting, attendee_paris, summit, lina.pk)
    for socket in (first, second):
        frame = await next_frame(socket)
        assert frame["type"] == "notification" and frame["unread"] == 1
        assert frame["notification"]["kind"] == "requested"
        assert frame["notification"]["title"] == "Camille Bernard 请求与您会面"
        assert frame["notification"]["url"] == reverse("partnering-meeting", args=["roadshow", meeting.pk])
    assert await person_barrier(attendee_paris.pk, camille_socket) == [[]]  # the actor is not told of their own request
    assert [m.to for m in mail.outbox] == [[attendee_shanghai.email]]
    assert mail.outbox[0].subject == "Camille Bernard 请求与您会面"
    # The task run again (a redelivery) tells nobody twice.
    key = f"meeting:{meeting.pk}:requested:0"
    await database_sync_to_async(send_notices.apply)(args=("meeting", meeting.pk, "requested", attendee_paris.pk, key))
    assert len(mail.outbox) == 1
    assert await orm(Notification.objects.filter(user=attendee_shanghai).count) == 1
    assert await person_barrier(attendee_shanghai.pk, first, second) == [[], []]
    for socket in (first, second, camille_socket):
        await socket.disconnect()


async def test_with_mail_off_the_notice_is_shown_live_but_not_mailed(
    summit, attendee_paris, attendee_shanghai, cookies
):
    await orm(notices.do_set_mail_notices, attendee_shanghai, False)
    lina = await orm(card, attendee_shanghai, summit)
    socket = await person_socket(await cookies(attendee_shanghai))
    await orm(request_meeting, attendee_paris, summit, lina.pk)
    assert (await next_frame(socket))["type"] == "notification"
    assert mail.outbox == []
    await socket.disconnect()


def _reminder_due(session, user):
    Bookmark.objects.create(user=user, session=session)
    due = session.starts_at - dt.timedelta(minutes=15)
    reminder = Reminder.objects.create(source="session", target_id=session.pk, user=user, offset_minutes=15, due_at=due)
    return reminder.pk, due


async def test_a_reminder_is_pushed_live_and_with_mail_off_not_mailed(keynote, attendee_paris, cookies):
    await orm(notices.do_set_mail_notices, attendee_paris, False)
    reminder_id, due = await orm(_reminder_due, keynote, attendee_paris)
    socket = await person_socket(await cookies(attendee_paris))
    assert await orm(scheduler.do_send_reminder, reminder_id, now=due) == "sent"
    frame = await next_frame(socket)
    assert frame["notification"]["kind"] == "reminder" and "Opening keynote" in frame["notification"]["title"]
    assert mail.outbox == []
    await socket.disconnect()


def _answer_flow(summit, camille, lina):
    meeting = request_meeting(camille, summit, card(lina, summit).pk)
    moved = services.do_propose(lina, meeting, at_paris(MONDAY, "11:00"))
    services.do_accept(camille, moved)
    return meeting


def test_accepts_proposals_and_declines_are_told_to_the_other_side_only(summit, attendee_paris, attendee_shanghai):
    meeting = _answer_flow(summit, attendee_paris, attendee_shanghai)
    told = {(n.user.username, n.kind) for n in Notification.objects.select_related("user")}
    assert told == {("lina", "requested"), ("camille", "proposed"), ("lina", "accepted")}
    assert {m.subject for m in mail.outbox} == {
        "Camille Bernard 请求与您会面",
        "Li Na propose un autre horaire",
        "Camille Bernard 已接受您的会面",
    }
    second = request_meeting(attendee_shanghai, summit, card(attendee_paris, summit).pk, "09:00")
    services.do_decline(attendee_paris, second)
    assert Notification.objects.filter(user=attendee_shanghai, kind="declined").count() == 1
    assert meeting.pk != second.pk


def test_a_withdrawn_request_is_told_but_a_cancelled_confirmed_meeting_only_once(
    summit, attendee_paris, attendee_shanghai
):
    pending = request_meeting(attendee_paris, summit, card(attendee_shanghai, summit).pk)
    services.do_cancel(attendee_paris, pending)
    assert Notification.objects.filter(user=attendee_shanghai, kind="cancelled").count() == 1
    confirmed = _answer_flow(summit, attendee_paris, attendee_shanghai)
    confirmed.refresh_from_db()
    assert confirmed.room_id is not None
    # The reminders' cancellation notice tells both people; the meeting notices add nothing.
    assert MeetingNotices().recipients(confirmed.pk, "cancelled", attendee_paris.pk) == []


def test_mutual_interest_tells_the_person_and_the_team_each_in_their_language(
    summit, fair_vision, attendee_paris, fair_vision_member
):
    services.do_express_interest(attendee_paris, summit, "fair-vision")
    mail.outbox.clear()  # the team's notice of the interest itself (next test)
    services.do_answer_interest(fair_vision_member, summit, "fair-vision", card(attendee_paris, summit).pk)
    by_person = {m.to[0]: m for m in mail.outbox}
    assert by_person[attendee_paris.email].subject == "Fair Vision est intéressée aussi"
    assert by_person[fair_vision_member.email].subject == "You and Camille Bernard are both interested"
    assert "/summits/roadshow/partnering/introductions/" in by_person[attendee_paris.email].body
    assert len(mail.outbox) == 2
    # Answering again changes nothing and tells nobody again.
    services.do_answer_interest(fair_vision_member, summit, "fair-vision", card(attendee_paris, summit).pk)
    assert len(mail.outbox) == 2


async def test_interest_in_a_company_tells_its_members_live_and_by_mail_but_not_the_person(
    summit, fair_vision, attendee_paris, fair_vision_member, cookies
):
    await orm(notices.do_set_mail_notices, fair_vision_member, False)
    mail_on = await orm(make_member, fair_vision, "bao", "Bao Chen", "zh-hans")
    member_socket = await person_socket(await cookies(fair_vision_member))
    person_socket_ = await person_socket(await cookies(attendee_paris))
    await orm(services.do_express_interest, attendee_paris, summit, "fair-vision")
    frame = await next_frame(member_socket)
    assert frame["type"] == "notification" and frame["notification"]["title"] == "Someone is interested in Fair Vision"
    assert frame["notification"]["url"] == "/summits/roadshow/partnering/companies/fair-vision/leads/#interested"
    assert await person_barrier(attendee_paris.pk, person_socket_) == [[]]
    assert [m.to for m in mail.outbox] == [[mail_on.email]]  # the member with mail off is told in-app only
    assert "Fair Vision" in mail.outbox[0].subject and "Camille" not in mail.outbox[0].subject
    # Pressing "Interested" again is the same interest: nobody is told twice.
    await orm(services.do_express_interest, attendee_paris, summit, "fair-vision")
    assert await person_barrier(fair_vision_member.pk, member_socket) == [[]] and len(mail.outbox) == 1
    for socket in (member_socket, person_socket_):
        await socket.disconnect()


def make_member(company, username, name, language):
    user = make_person(username, name=name, language=language)
    Registration.objects.create(summit=company.summit, user=user)
    company.members.add(user)
    return user


# --- the notification centre ---------------------------------------------------------------------


def test_the_navigation_counts_unread_notices_and_the_centre_marks_them_read(summit, attendee_paris, attendee_shanghai):
    meeting = request_meeting(attendee_paris, summit, card(attendee_shanghai, summit).pk)
    request_meeting(attendee_paris, summit, card(attendee_shanghai, summit).pk, "11:00")
    lina = signed_in(attendee_shanghai)
    home = lina.get(reverse("schedule", args=["roadshow"])).content.decode()
    assert 'id="notice-count" class="count" data-count="2"' in home
    assert reverse("partnering-directory", args=["roadshow"]) in home  # Partnering in the summit navigation
    centre = lina.get(reverse("notifications")).content.decode()
    assert centre.count('class="notice unread"') == 2
    first = Notification.objects.get(user=attendee_shanghai, key=f"meeting:{meeting.pk}:requested:0")
    opened = lina.post(reverse("notification-open", args=[first.pk]), headers=csrf_headers(lina))
    assert opened["Location"] == reverse("partnering-meeting", args=["roadshow", meeting.pk])
    assert lina.get("/api/me/notifications/?unread=true").json()[0]["id"] != first.pk
    lina.post(reverse("notifications-read"), headers=csrf_headers(lina))
    assert 'data-count="0"' in lina.get(reverse("notifications")).content.decode()


def test_someone_elses_notice_cannot_be_opened(summit, attendee_paris, attendee_shanghai):
    request_meeting(attendee_paris, summit, card(attendee_shanghai, summit).pk)
    notice = Notification.objects.get(user=attendee_shanghai)
    camille = signed_in(attendee_paris)
    opened = camille.post(reverse("notification-open", args=[notice.pk]), headers=csrf_headers(camille))
    assert opened.status_code == 404
    assert Notification.objects.get(pk=notice.pk).read_at is None


def test_the_mail_setting_is_kept_per_person(attendee_paris, attendee_shanghai):
    camille = signed_in(attendee_paris)
    camille.post(reverse("notifications-mail"), {}, headers=csrf_headers(camille))
    assert not notices.mails_notices(attendee_paris) and notices.mails_notices(attendee_shanghai)
    assert "checked" not in camille.get(reverse("notifications")).content.decode().split('name="by_mail"')[1][:20]
    camille.post(reverse("notifications-mail"), {"by_mail": "on"}, headers=csrf_headers(camille))
    assert notices.mails_notices(attendee_paris)
