"""Open sockets follow their person's rights: sign-out, revoked registration, deactivation, lost roles."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from events.models import Registration, Room, Speaker
from livechat import hub
from tests.conftest import make_person, make_session
from tests.live import barrier, join, next_frame, open_socket, orm, room_path, send

pytestmark = pytest.mark.django_db(transaction=True)


async def closed_with(socket, timeout=5):
    """The close code the server sends, skipping whatever frames come before it."""
    while True:
        message = await socket.receive_output(timeout=timeout)
        if message["type"] == "websocket.close":
            return message.get("code")


def browser_of(user):
    client = Client()
    client.force_login(user)
    return client


async def test_signing_out_closes_that_sessions_sockets_with_4401_and_keeps_other_browsers(
    main_stage, attendee_paris, cookies
):
    laptop = await orm(browser_of, attendee_paris)
    camille, _ = await join(laptop.cookies["sessionid"].value)
    phone, _ = await join(await cookies(attendee_paris))
    await orm(laptop.post, "/signout/")
    assert await closed_with(camille) == 4401
    await send(phone, {"type": "ping"})
    assert await next_frame(phone) == {"type": "pong"}
    await phone.disconnect()


async def test_a_revoked_registration_closes_the_socket_with_4403(
    main_stage, attendee_paris, attendee_shanghai, cookies
):
    camille, _ = await join(await cookies(attendee_paris))
    lina, _ = await join(await cookies(attendee_shanghai))
    await orm(Registration.objects.filter(user=attendee_paris).delete)
    assert await closed_with(camille) == 4403
    # Gone from the room at once: the message sent next never reaches the revoked socket. The room's
    # stream delivers one event to all its sockets before the next, so once Lina has the barrier after
    # it, whatever that message would have put on Camille's socket would be there already.
    await send(lina, {"type": "chat.send", "body": "after the revocation"})
    (before,) = await barrier(lina, lina)
    assert [frame["body"] for frame in before] == ["after the revocation"]
    assert camille.output_queue.empty()
    await lina.disconnect()


async def test_a_deactivated_account_is_signed_out_of_its_sockets(main_stage, attendee_paris, cookies):
    camille, _ = await join(await cookies(attendee_paris))
    attendee_paris.is_active = False
    await orm(attendee_paris.save)
    assert await closed_with(camille) == 4401


@pytest.mark.parametrize("taken_back", ["remove", "clear", "from_the_person"])
async def test_an_invitation_taken_back_closes_a_private_room(pitch_room, attendee_paris, cookies, taken_back):
    await orm(Room.objects.filter(pk=pitch_room.pk).update, is_private=True)
    await orm(pitch_room.invited.add, attendee_paris)
    camille, _ = await join(await cookies(attendee_paris), room_path("fair-vision"))
    if taken_back == "remove":
        await orm(pitch_room.invited.remove, attendee_paris)
    elif taken_back == "clear":
        await orm(pitch_room.invited.clear)
    else:
        await orm(attendee_paris.invited_rooms.remove, pitch_room)
    assert await closed_with(camille) == 4403


async def test_leaving_the_company_closes_its_private_pitch_room(pitch_room, fair_vision, summit, cookies):
    founder = await orm(make_person, "founder")
    await orm(Registration.objects.create, summit=summit, user=founder)
    await orm(fair_vision.members.add, founder)
    await orm(Room.objects.filter(pk=pitch_room.pk).update, is_private=True)
    socket, _ = await join(await cookies(founder), room_path("fair-vision"))
    await orm(fair_vision.members.remove, founder)
    assert await closed_with(socket) == 4403


async def test_a_demoted_moderator_drops_to_attendee_rights_on_the_same_socket(
    main_stage, moderator, attendee_paris, cookies
):
    await orm(Room.objects.filter(pk=main_stage.pk).update, is_moderated=True)
    mo, state = await join(await cookies(moderator))
    assert state["you"]["can_moderate"] is True
    camille, _ = await join(await cookies(attendee_paris))
    await send(camille, {"type": "question.ask", "body": "Pending, for moderators only?"})
    pending = await next_frame(mo)
    assert pending["status"] == "pending"
    await next_frame(camille)

    registration = await orm(Registration.objects.get, user=moderator)
    registration.role = Registration.Role.ATTENDEE
    await orm(registration.save)
    restated = await next_frame(mo)
    assert restated["type"] == "room.state"
    assert restated["you"]["role"] == "attendee" and restated["you"]["can_moderate"] is False
    assert restated["questions"] == []  # the pending question is no longer theirs to see
    await send(mo, {"type": "question.moderate", "question_id": pending["id"], "action": "approve"})
    refused = await next_frame(mo)
    assert refused["type"] == "error" and refused["code"] == "not_found"
    await mo.disconnect()
    await camille.disconnect()


async def test_a_speakers_socket_loses_moderation_when_their_session_ends(main_stage, summit, attendee_paris, cookies):
    speaker = await orm(Speaker.objects.create, summit=summit, name="Camille Bernard", user=attendee_paris)
    talk = await orm(make_session, summit, main_stage, "Short talk", timezone.now() - dt.timedelta(minutes=29), 30)
    await orm(talk.speakers.add, speaker)
    await orm(talk.__class__.objects.filter(pk=talk.pk).update, ends_at=timezone.now() + dt.timedelta(seconds=1))
    camille, state = await join(await cookies(attendee_paris))
    assert state["you"]["can_moderate"] is True
    restated = await next_frame(camille, timeout=20)  # after the session, once the room's reused facts expire
    assert restated["type"] == "room.state" and restated["you"]["can_moderate"] is False
    await camille.disconnect()


async def test_a_person_holds_at_most_a_few_sockets_per_room_and_counts_once_in_presence(
    main_stage, attendee_paris, attendee_shanghai, cookies
):
    cookie = await cookies(attendee_paris)
    tabs = [(await join(cookie))[0] for _ in range(hub.SOCKETS_PER_PERSON)]
    one_too_many, connected = await open_socket(cookie)
    assert connected and await closed_with(one_too_many) == 4429
    lina, state = await join(await cookies(attendee_shanghai))
    assert state["presence"]["count"] == 2
    await tabs[0].disconnect()
    again, _ = await join(cookie)  # a closed tab frees its place
    for socket in (*tabs[1:], again, lina):
        await socket.disconnect()


async def test_a_changed_password_signs_other_sessions_out_of_their_sockets(main_stage, attendee_paris, cookies):
    camille, _ = await join(await cookies(attendee_paris))
    attendee_paris.set_password("a new and long passphrase")
    await orm(attendee_paris.save)
    assert await closed_with(camille) == 4401


async def test_a_speaker_taken_off_the_live_talk_drops_to_attendee_rights(
    main_stage, summit, live_keynote, attendee_paris, cookies
):
    speaker = await orm(Speaker.objects.create, summit=summit, name="Camille Bernard", user=attendee_paris)
    await orm(live_keynote.speakers.add, speaker)
    camille, state = await join(await cookies(attendee_paris))
    assert state["you"]["can_moderate"] is True
    await orm(live_keynote.speakers.remove, speaker)
    restated = await next_frame(camille)
    assert restated["type"] == "room.state" and restated["you"]["can_moderate"] is False
    await camille.disconnect()
