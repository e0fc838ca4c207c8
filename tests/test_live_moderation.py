"""Moderators and organisers delete chat messages and mute people; attendees and speakers may not."""

import pytest

from events.models import Speaker
from livechat.models import ChatMessage, RoomEvent, RoomMute
from tests.live import frames_until, join, next_frame, orm, room_path, send

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
async def room_with_moderator(main_stage, moderator, attendee_paris, attendee_shanghai, cookies):
    mo, _ = await join(await cookies(moderator))
    camille, _ = await join(await cookies(attendee_paris))
    lina, _ = await join(await cookies(attendee_shanghai))
    yield mo, camille, lina
    for socket in (mo, camille, lina):
        await socket.disconnect()


async def chat(socket, body, others=()):
    await send(socket, {"type": "chat.send", "body": body})
    message = await next_frame(socket)
    for other in others:
        assert (await next_frame(other))["id"] == message["id"]
    return message


async def test_a_deleted_message_vanishes_live_from_state_and_from_replay(room_with_moderator, attendee_paris, cookies):
    mo, camille, lina = room_with_moderator
    spam = await chat(camille, "buy cheap watches", (mo, lina))
    kept = await chat(lina, "hello", (mo, camille))
    await send(mo, {"type": "chat.delete", "message_id": spam["id"]})
    deleted = {"type": "chat.deleted", "id": spam["id"], "seq": kept["seq"] + 1}
    for socket in (mo, camille, lina):
        assert await next_frame(socket) == deleted

    newcomer, state = await join(await cookies(attendee_paris))
    assert [message["id"] for message in state["messages"]] == [kept["id"]]
    resumed, _ = await join(await cookies(attendee_paris), room_path(since=0))
    assert [(frame["type"], frame["id"]) for frame in [await next_frame(resumed) for _ in range(2)]] == [
        ("chat.message", kept["id"]),
        ("chat.deleted", spam["id"]),
    ]
    assert (await orm(ChatMessage.objects.get, pk=spam["id"])).deleted_at is not None
    await newcomer.disconnect()
    await resumed.disconnect()


async def test_deleting_twice_records_one_deletion(room_with_moderator):
    mo, camille, lina = room_with_moderator
    message = await chat(camille, "oops", (mo, lina))
    for _ in range(2):
        await send(mo, {"type": "chat.delete", "message_id": message["id"]})
        assert (await next_frame(mo))["type"] == "chat.deleted"
    assert await orm(RoomEvent.objects.filter(type="chat.deleted").count) == 1


async def test_organiser_may_delete_but_attendees_and_speakers_may_not(
    main_stage, summit, live_keynote, organiser, attendee_paris, attendee_shanghai, cookies
):
    speaker = await orm(Speaker.objects.create, summit=summit, name="Li Na", user=attendee_shanghai)
    await orm(live_keynote.speakers.add, speaker)
    camille, _ = await join(await cookies(attendee_paris))
    lina, state = await join(await cookies(attendee_shanghai))
    assert state["you"]["can_moderate"] is True  # moderates questions as the speaker...
    message = await chat(camille, "a message", (lina,))
    for socket in (camille, lina):
        await send(socket, {"type": "chat.delete", "message_id": message["id"]})
        refused = await next_frame(socket)
        assert refused["type"] == "error" and refused["code"] == "forbidden"  # ... but not the chat
    claire, _ = await join(await cookies(organiser))
    await send(claire, {"type": "chat.delete", "message_id": message["id"]})
    assert (await next_frame(claire))["type"] == "chat.deleted"
    for socket in (camille, lina, claire):
        await socket.disconnect()


@pytest.mark.parametrize(
    "frame, code",
    [
        ({"type": "chat.delete"}, "invalid"),
        ({"type": "chat.delete", "message_id": 999999}, "not_found"),
        ({"type": "person.mute", "user_id": 999999, "minutes": 5}, "not_found"),
        ({"type": "person.mute", "user_id": "camille", "minutes": 5}, "invalid"),
        ({"type": "person.mute", "minutes": 5}, "invalid"),
        ({"type": "person.mute", "user_id": 1, "minutes": -1}, "invalid"),
        ({"type": "person.mute", "user_id": 1, "minutes": 100000}, "invalid"),
        ({"type": "person.mute", "user_id": 1, "minutes": "ten"}, "invalid"),
    ],
)
async def test_bad_moderation_frames_get_an_error(main_stage, moderator, cookies, frame, code):
    mo, _ = await join(await cookies(moderator))
    await send(mo, frame)
    error = await next_frame(mo)
    assert error["type"] == "error" and error["code"] == code and error["detail"]
    await mo.disconnect()


async def test_a_muted_person_is_told_how_long_and_can_speak_again_once_unmuted(room_with_moderator, attendee_paris):
    mo, camille, lina = room_with_moderator
    await send(mo, {"type": "person.mute", "user_id": attendee_paris.pk, "minutes": 10})
    muted = await next_frame(mo)
    assert muted["type"] == "person.muted" and muted["user_id"] == attendee_paris.pk and muted["until"]
    restated = await next_frame(camille)
    assert restated["type"] == "room.state" and restated["you"]["muted_until"] == muted["until"]

    for frame in (
        {"type": "chat.send", "body": "let me speak", "client_id": "m1"},
        {"type": "question.ask", "body": "why?", "client_id": "m2"},
        {"type": "reaction.send", "emoji": "👏"},
    ):
        await send(camille, frame)
        refused = await next_frame(camille)
        assert refused["type"] == "error" and refused["code"] == "forbidden"
        assert "10 more minutes" in refused["detail"] and refused.get("client_id") == frame.get("client_id")
    assert await orm(ChatMessage.objects.count) == 0
    await send(lina, {"type": "chat.send", "body": "others still can"})
    assert (await next_frame(lina))["type"] == "chat.message"

    await send(mo, {"type": "person.mute", "user_id": attendee_paris.pk, "minutes": 0})
    assert (await frames_until(mo, lambda frame: frame["type"] == "person.muted"))[-1]["until"] is None
    assert await orm(RoomMute.objects.count) == 0
    await frames_until(camille, lambda frame: frame["type"] == "room.state")
    await send(camille, {"type": "chat.send", "body": "thank you"})
    assert (await next_frame(camille))["type"] == "chat.message"


async def test_an_attendee_may_not_mute(room_with_moderator, attendee_shanghai):
    _mo, camille, _lina = room_with_moderator
    await send(camille, {"type": "person.mute", "user_id": attendee_shanghai.pk, "minutes": 5})
    assert (await next_frame(camille))["code"] == "forbidden"
    assert await orm(RoomMute.objects.count) == 0


async def test_a_mute_holds_across_reconnects(room_with_moderator, attendee_paris, cookies):
    mo, _camille, _lina = room_with_moderator
    await send(mo, {"type": "person.mute", "user_id": attendee_paris.pk, "minutes": 3})
    await next_frame(mo)
    again, state = await join(await cookies(attendee_paris))
    assert state["you"]["muted_until"]
    await send(again, {"type": "chat.send", "body": "new tab, same rules"})
    assert (await next_frame(again))["code"] == "forbidden"
    await again.disconnect()
