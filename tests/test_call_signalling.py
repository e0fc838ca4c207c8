"""Signalling over the meeting room's socket: `call.join`, `call.signal`, `call.leave`, with rights and bad input."""

import pytest

from calls.models import CallSeat
from partnering import services as partnering
from tests.calls_helpers import accepted_meeting
from tests.live import join, next_frame, open_socket, orm, room_barrier, room_path, send
from tests.test_live_rights import closed_with

pytestmark = pytest.mark.django_db(transaction=True)

CALL_FRAMES = ("call.peers", "call.signal", "call.waiting", "call.ended")
OFFER = {"description": {"type": "offer", "sdp": "v=0\r\n"}, "pc": "a"}


@pytest.fixture
def meeting(summit, attendee_paris, attendee_shanghai, lina_profile):
    return accepted_meeting(summit, attendee_paris, attendee_shanghai, lina_profile)


@pytest.fixture
def path(meeting):
    return room_path(f"meeting-{meeting.pk}")


async def frame_of(socket, kind):
    """The next frame of `kind`, skipping presence and the rest of the room's chatter."""
    while True:
        frame = await next_frame(socket)
        if frame["type"] == kind:
            return frame


async def in_call(cookie, path):
    socket, _state = await join(cookie, path)
    await send(socket, {"type": "call.join"})
    return socket, await frame_of(socket, "call.peers")


async def test_joining_tells_everyone_in_the_call_who_is_in_it_and_signals_reach_only_their_addressee(
    meeting, path, attendee_paris, attendee_shanghai, organiser, cookies
):
    camille, peers = await in_call(await cookies(attendee_paris), path)
    assert peers["peers"] == [{"user_id": attendee_paris.pk, "name": "Camille Bernard"}]
    watcher, _ = await join(await cookies(organiser), path)  # organisers enter the room by role
    lina, peers = await in_call(await cookies(attendee_shanghai), path)
    assert [peer["user_id"] for peer in peers["peers"]] == [attendee_paris.pk, attendee_shanghai.pk]
    assert (await frame_of(camille, "call.peers"))["peers"] == peers["peers"]

    await send(camille, {"type": "call.signal", "to": attendee_shanghai.pk, "data": OFFER})
    relayed = await frame_of(lina, "call.signal")
    assert relayed == {"type": "call.signal", "from": attendee_paris.pk, "data": OFFER}
    await send(lina, {"type": "call.signal", "to": attendee_paris.pk, "data": {"description": {"type": "answer"}}})
    assert (await frame_of(camille, "call.signal"))["from"] == attendee_shanghai.pk

    # The organiser heard no call frame: none came before a marker sent after them all.
    assert await room_barrier(meeting.room_id, watcher, skip=("presence", "chat.message")) == [[]]
    await send(lina, {"type": "call.leave"})
    left = await frame_of(camille, "call.peers")
    assert left["peers"] == [{"user_id": attendee_paris.pk, "name": "Camille Bernard"}]
    assert left["left"] == attendee_shanghai.pk
    for socket in (camille, lina, watcher):
        await socket.disconnect()


async def test_the_first_person_in_the_call_is_announced_as_waiting_to_the_other_side(
    meeting, path, attendee_paris, attendee_shanghai, cookies
):
    lina, _ = await join(await cookies(attendee_shanghai), path)
    camille, _ = await in_call(await cookies(attendee_paris), path)
    waiting = await frame_of(lina, "call.waiting")
    assert waiting == {"type": "call.waiting", "user_id": attendee_paris.pk, "name": "Camille Bernard"}
    await camille.disconnect()
    await lina.disconnect()


async def test_an_organisers_call_frames_are_forbidden_and_relay_nothing(
    meeting, path, attendee_paris, organiser, cookies
):
    camille, _ = await in_call(await cookies(attendee_paris), path)
    watcher, _ = await join(await cookies(organiser), path)
    for frame in (
        {"type": "call.join"},
        {"type": "call.signal", "to": attendee_paris.pk, "data": OFFER},
        {"type": "call.leave"},
    ):
        await send(watcher, frame)
        error = await frame_of(watcher, "error")
        assert error["code"] == "forbidden", (frame, error)
    assert await room_barrier(meeting.room_id, camille) == [[]]
    await send(watcher, {"type": "ping"})
    assert await frame_of(watcher, "pong") == {"type": "pong"}  # still open
    assert not await orm(CallSeat.objects.filter(user=organiser).exists)
    await camille.disconnect()
    await watcher.disconnect()


async def test_a_signal_to_someone_outside_the_meeting_is_forbidden(
    meeting, path, attendee_paris, organiser, julien, cookies
):
    camille, _ = await in_call(await cookies(attendee_paris), path)
    for outsider in (organiser, julien):
        await send(camille, {"type": "call.signal", "to": outsider.pk, "data": OFFER})
        assert (await frame_of(camille, "error"))["code"] == "forbidden"
    await camille.disconnect()


async def test_a_socket_from_outside_the_meeting_is_refused(meeting, path, julien, cookies):
    socket, _connected = await open_socket(await cookies(julien), path)
    assert await closed_with(socket) == 4403


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "call.join", "video": True},
        {"type": "call.leave", "why": "bye"},
        {"type": "call.signal"},
        {"type": "call.signal", "to": "lina", "data": OFFER},
        {"type": "call.signal", "to": True, "data": OFFER},
        {"type": "call.signal", "to": 1.5, "data": OFFER},
        {"type": "call.signal", "to": None, "data": OFFER},
        {"type": "call.signal", "data": OFFER},
        {"type": "call.signal", "to": "LINA", "data": "sdp"},
        {"type": "call.signal", "to": "LINA", "data": []},
        {"type": "call.signal", "to": "LINA", "data": {}},
        {"type": "call.signal", "to": "LINA", "data": {"sdp": "x" * 40000}},
        {"type": "call.signal", "to": "LINA", "data": OFFER, "also": 1},
        {"type": "call.signal", "to": "CAMILLE", "data": OFFER},
    ],
)
async def test_bad_call_frames_get_invalid_relay_nothing_and_the_socket_stays_open(
    meeting, path, attendee_paris, attendee_shanghai, cookies, frame
):
    frame = dict(frame)
    names = {"LINA": attendee_shanghai.pk, "CAMILLE": attendee_paris.pk}
    if frame.get("to") in names:
        frame["to"] = names[frame["to"]]
    camille, _ = await in_call(await cookies(attendee_paris), path)
    lina, _ = await in_call(await cookies(attendee_shanghai), path)
    await frame_of(camille, "call.peers")
    await send(camille, frame)
    error = await frame_of(camille, "error")
    assert error["code"] == "invalid" and error["detail"]
    assert await room_barrier(meeting.room_id, lina) == [[]]
    await send(camille, {"type": "ping"})
    assert await frame_of(camille, "pong") == {"type": "pong"}
    await camille.disconnect()
    await lina.disconnect()


async def test_a_signal_before_joining_the_call_is_refused(meeting, path, attendee_paris, attendee_shanghai, cookies):
    camille, _ = await join(await cookies(attendee_paris), path)
    lina, _ = await in_call(await cookies(attendee_shanghai), path)
    await send(camille, {"type": "call.signal", "to": attendee_shanghai.pk, "data": OFFER})
    assert (await frame_of(camille, "error"))["code"] == "invalid"
    assert await room_barrier(meeting.room_id, lina) == [[]]
    await camille.disconnect()
    await lina.disconnect()


async def test_a_call_join_in_a_room_that_is_not_a_meeting_is_forbidden(main_stage, attendee_paris, cookies):
    socket, _ = await join(await cookies(attendee_paris))
    await send(socket, {"type": "call.join"})
    assert (await frame_of(socket, "error"))["code"] == "forbidden"
    await socket.disconnect()


async def test_closing_the_socket_frees_the_seat_and_tells_the_others(
    meeting, path, attendee_paris, attendee_shanghai, cookies
):
    camille, _ = await in_call(await cookies(attendee_paris), path)
    lina, _ = await in_call(await cookies(attendee_shanghai), path)
    await frame_of(camille, "call.peers")
    await lina.disconnect()
    peers = await frame_of(camille, "call.peers")
    assert peers["peers"] == [{"user_id": attendee_paris.pk, "name": "Camille Bernard"}]
    assert "left" not in peers  # a drop, not a Leave: the page keeps a picture that still flows
    seat = await orm(CallSeat.objects.get, user=attendee_shanghai)
    assert seat.left_at is not None
    await camille.disconnect()


async def test_a_late_close_of_an_old_socket_leaves_the_newer_sockets_seat_alone(
    meeting, path, attendee_paris, attendee_shanghai, cookies
):
    old, _ = await in_call(await cookies(attendee_shanghai), path)
    new, _ = await in_call(await cookies(attendee_shanghai), path)
    await old.disconnect()
    seat = await orm(CallSeat.objects.get, user=attendee_shanghai)
    assert seat.left_at is None
    await new.disconnect()


async def test_cancelling_the_meeting_ends_the_call_for_everyone(
    meeting, path, attendee_paris, attendee_shanghai, cookies
):
    camille, _ = await in_call(await cookies(attendee_paris), path)
    lina, _ = await in_call(await cookies(attendee_shanghai), path)
    await frame_of(camille, "call.peers")
    await orm(partnering.do_cancel, attendee_shanghai, meeting)
    for socket in (camille, lina):
        assert await frame_of(socket, "call.ended") == {"type": "call.ended", "reason": "cancelled"}
    assert not await orm(CallSeat.objects.filter(meeting=meeting, left_at__isnull=True).exists)
    await send(camille, {"type": "call.join"})
    assert (await frame_of(camille, "error"))["code"] == "invalid"  # no call any more
    await camille.disconnect()
    await lina.disconnect()
