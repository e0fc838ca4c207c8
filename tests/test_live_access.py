"""Who gets into a room socket, and what they get first."""

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.signals import user_logged_out

from events.models import Registration, Room
from livechat import hub, services
from livechat.models import Poll
from summit.errors import Forbidden, NotSignedIn
from tests.conftest import count_queries, make_person, session_cookie, signed_in
from tests.live import join, next_frame, open_socket, orm, room_path

pytestmark = pytest.mark.django_db(transaction=True)


async def closed_with(socket):
    message = await socket.receive_output(timeout=5)
    assert message["type"] == "websocket.close"
    await socket.wait()
    return message.get("code")


async def test_not_signed_in_is_closed_with_4401(main_stage):
    socket, connected = await open_socket(None)
    assert connected
    assert await closed_with(socket) == 4401


async def test_unregistered_person_is_closed_with_4403(main_stage, stranger, cookies):
    socket, _ = await open_socket(await cookies(stranger))
    assert await closed_with(socket) == 4403


async def test_unknown_room_is_closed_with_4404(main_stage, attendee_paris, cookies):
    socket, _ = await open_socket(await cookies(attendee_paris), room_path("no-such-room"))
    assert await closed_with(socket) == 4404


async def test_unknown_summit_is_closed_with_4404(main_stage, attendee_paris, cookies):
    socket, _ = await open_socket(await cookies(attendee_paris), room_path(summit="no-such-summit"))
    assert await closed_with(socket) == 4404


async def test_socket_to_a_path_nothing_serves_is_refused_at_the_handshake(main_stage, attendee_paris, cookies):
    for path in ("/ws/nothing/", "/ws/summits/roadshow/rooms/"):
        socket, connected = await open_socket(await cookies(attendee_paris), path)
        assert not connected


async def test_foreign_origin_is_refused_at_handshake(main_stage, attendee_paris, cookies):
    socket, connected = await open_socket(await cookies(attendee_paris), origin=b"https://evil.example")
    assert not connected


async def test_private_room_refuses_registered_attendee_who_is_not_invited(pitch_room, attendee_paris, cookies):
    await orm(Room.objects.filter(pk=pitch_room.pk).update, is_private=True)
    socket, _ = await open_socket(await cookies(attendee_paris), room_path("fair-vision"))
    assert await closed_with(socket) == 4403


async def test_private_room_admits_invited_people_and_organisers(pitch_room, attendee_paris, organiser, cookies):
    await orm(Room.objects.filter(pk=pitch_room.pk).update, is_private=True)
    await database_sync_to_async(pitch_room.invited.add)(attendee_paris)
    for person in (attendee_paris, organiser):
        socket, state = await join(await cookies(person), room_path("fair-vision"))
        assert state["room"]["slug"] == "fair-vision"
        await socket.disconnect()


async def test_private_room_admits_members_of_its_company(pitch_room, fair_vision, summit, cookies):
    founder = await database_sync_to_async(make_person)("founder")
    await orm(Registration.objects.create, summit=summit, user=founder)
    await database_sync_to_async(fair_vision.members.add)(founder)
    await orm(Room.objects.filter(pk=pitch_room.pk).update, is_private=True)
    socket, _state = await join(await cookies(founder), room_path("fair-vision"))
    await socket.disconnect()


async def test_room_state_comes_first_and_says_who_you_are(main_stage, live_keynote, attendee_paris, cookies):
    socket, state = await join(await cookies(attendee_paris))
    assert state["you"] == {
        "id": attendee_paris.pk,
        "name": "Camille Bernard",
        "organisation": "Inria",
        "role": "attendee",
        "can_moderate": False,
        "muted_until": None,
    }
    assert state["room"]["slug"] == "main-stage"
    assert state["room"]["session"]["title"] == "Live keynote"
    assert state["last_seq"] == 0
    assert state["messages"] == [] and state["questions"] == []
    assert state["presence"] == {"count": 1}
    await socket.disconnect()


async def test_organiser_may_moderate(main_stage, organiser, cookies):
    socket, state = await join(await cookies(organiser))
    assert state["you"]["role"] == "organiser" and state["you"]["can_moderate"]
    await socket.disconnect()


async def test_ping_gets_pong(main_stage, attendee_paris, cookies):
    from tests.live import send

    socket, _state = await join(await cookies(attendee_paris))
    await send(socket, {"type": "ping"})
    assert await next_frame(socket) == {"type": "pong"}
    await socket.disconnect()


# --- the access decision, reused briefly and dropped when rights change ---


def test_a_second_join_reuses_the_access_decision_without_a_query(
    main_stage, attendee_paris, django_assert_num_queries
):
    first = services.access_live_room(attendee_paris, "roadshow", "main-stage")
    with django_assert_num_queries(0):
        assert services.access_live_room(attendee_paris, "roadshow", "main-stage") == first


def test_losing_the_registration_drops_the_reused_decision(main_stage, summit, attendee_paris):
    services.access_live_room(attendee_paris, "roadshow", "main-stage")
    Registration.objects.get(summit=summit, user=attendee_paris).delete()
    with pytest.raises(Forbidden):
        services.access_live_room(attendee_paris, "roadshow", "main-stage")


def test_a_new_role_is_seen_by_the_next_join(main_stage, summit, attendee_paris):
    assert services.access_live_room(attendee_paris, "roadshow", "main-stage")["kind"] == services.ATTENDEE
    registration = Registration.objects.get(summit=summit, user=attendee_paris)
    registration.role = Registration.Role.MODERATOR
    registration.save()
    assert services.access_live_room(attendee_paris, "roadshow", "main-stage")["kind"] == services.STAFF


def test_signing_out_drops_the_reused_decision(main_stage, attendee_paris):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    services.access_live_room(attendee_paris, "roadshow", "main-stage")
    with CaptureQueriesContext(connection) as reused:
        services.access_live_room(attendee_paris, "roadshow", "main-stage")
    user_logged_out.send(sender=type(attendee_paris), request=None, user=attendee_paris)
    with CaptureQueriesContext(connection) as decided_again:
        services.access_live_room(attendee_paris, "roadshow", "main-stage")
    assert len(reused.captured_queries) == 0
    assert len(decided_again.captured_queries) >= 1  # the person's role is read again


def test_a_room_made_private_refuses_the_next_join_of_someone_not_invited(pitch_room, attendee_paris):
    services.access_live_room(attendee_paris, "roadshow", "fair-vision")
    pitch_room.is_private = True
    pitch_room.save()
    with pytest.raises(Forbidden):
        services.access_live_room(attendee_paris, "roadshow", "fair-vision")


def test_refusals_are_not_reused(main_stage, summit, stranger):
    with pytest.raises(Forbidden):
        services.access_live_room(stranger, "roadshow", "main-stage")
    Registration.objects.create(summit=summit, user=stranger)
    assert services.access_live_room(stranger, "roadshow", "main-stage")["kind"] == services.ATTENDEE


@pytest.mark.django_db
def test_deciding_who_may_enter_a_room_writes_nothing(summit, main_stage, attendee_paris):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from livechat.services import access_live_room

    with CaptureQueriesContext(connection) as queries:
        access = access_live_room(attendee_paris, summit.slug, main_stage.slug)
    assert access["kind"] == "attendee"
    assert [q["sql"] for q in queries.captured_queries if not q["sql"].upper().startswith("SELECT")] == []


@pytest.mark.django_db
def test_the_admin_sites_staff_flag_alone_gives_no_role_in_a_summit(summit, main_stage):
    from events.services import is_organiser, role_in
    from livechat.services import access_live_room
    from summit.errors import Forbidden

    helper = make_person("helper", is_staff=True)
    root = make_person("root", is_superuser=True)
    assert role_in(helper, summit) is None and not is_organiser(helper, summit)
    with pytest.raises(Forbidden):
        access_live_room(helper, summit.slug, main_stage.slug)
    assert is_organiser(root, summit)
    assert access_live_room(root, summit.slug, main_stage.slug)["kind"] == "staff"


# --- sockets connecting together share one access check (a join storm) ---


def _signed_out_session(user):
    client = signed_in(user)
    key = client.cookies["sessionid"].value
    client.logout()
    return key


def _private_pitch_room_inviting(pitch_room, *people):
    pitch_room.is_private = True
    pitch_room.save()
    pitch_room.invited.add(*people)


def test_people_checked_together_each_get_the_answer_they_would_get_alone(
    pitch_room, organiser, attendee_paris, attendee_shanghai, stranger
):
    _private_pitch_room_inviting(pitch_room, attendee_paris)
    people = [attendee_paris, stranger, attendee_shanghai, organiser]
    keys = [*(session_cookie(person) for person in people), _signed_out_session(attendee_paris), None]
    answers = services.access_live_room_of_sessions(keys, "roadshow", "fair-vision")
    (invited, access), (_, unregistered), (_, uninvited), (_, organiser_access), signed_out, nobody = answers
    assert invited == attendee_paris and access["kind"] == services.ATTENDEE
    assert isinstance(unregistered, Forbidden) and "Register" in str(unregistered.detail)
    assert isinstance(uninvited, Forbidden) and "invited" in str(uninvited.detail)
    assert organiser_access["kind"] == services.STAFF and organiser_access["you"]["can_moderate"]
    for user, answer in (signed_out, nobody):
        assert not user.is_authenticated and isinstance(answer, NotSignedIn)
    services.forget_live_access()  # decided afresh, alone: the same answers
    assert services.access_live_room(attendee_paris, "roadshow", "fair-vision") == access
    assert services.access_live_room(organiser, "roadshow", "fair-vision") == organiser_access


def test_checking_people_together_runs_the_same_queries_whatever_their_number(pitch_room, organiser, summit):
    _private_pitch_room_inviting(pitch_room)

    def newcomers(count, name):
        people = [make_person(f"{name}{n}") for n in range(count)]
        Registration.objects.bulk_create([Registration(summit=summit, user=person) for person in people])
        pitch_room.invited.add(*people[::2])  # half invited, half refused
        return [session_cookie(person) for person in people]

    few, many = newcomers(2, "few"), newcomers(6, "many")
    services.access_live_room(organiser, "roadshow", "fair-vision")  # the room's facts, looked up once
    small, small_count = count_queries(lambda: services.access_live_room_of_sessions(few, "roadshow", "fair-vision"))
    large, large_count = count_queries(lambda: services.access_live_room_of_sessions(many, "roadshow", "fair-vision"))
    assert [isinstance(answer, dict) for _user, answer in large] == [True, False] * 3
    assert len(small) == 2 and small_count == large_count


def test_entering_together_runs_the_same_queries_whatever_the_number(main_stage, live_keynote, organiser):
    Poll.objects.create(room=main_stage, session=live_keynote, author=organiser, question="Which city next?")

    def entering(count, name):
        people = [make_person(f"{name}{n}") for n in range(count)]
        joins = [(person.pk, services.ATTENDEE, live_keynote.pk, None) for person in people]
        return count_queries(lambda: services.do_enter_room_together(main_stage.pk, "test", joins))

    entering(1, "first")  # the first entry makes the room's log
    small, small_count = entering(2, "few")
    large, large_count = entering(6, "many")
    assert len(small) == 2 and len(large) == 6 and len({entered["attendance_id"] for entered in large}) == 6
    assert small_count == large_count


async def test_sockets_connecting_together_each_get_their_own_answer(
    pitch_room, attendee_paris, attendee_shanghai, stranger, cookies, monkeypatch
):
    await orm(_private_pitch_room_inviting, pitch_room, attendee_paris)
    checked = []
    check = services.access_live_room_of_sessions
    monkeypatch.setattr(
        services, "access_live_room_of_sessions", lambda keys, *room: checked.append(keys) or check(keys, *room)
    )
    monkeypatch.setattr(hub, "ENTER_WINDOW", 0.5)  # all four surely arrive within one window
    keys = [await cookies(person) for person in (attendee_paris, attendee_shanghai, stranger)]
    sockets = [await open_socket(key, room_path("fair-vision")) for key in [*keys, None]]  # accepted, then checked
    welcomed, *refused = [socket for socket, _connected in sockets]
    assert (await next_frame(welcomed))["type"] == "room.state"
    assert [await closed_with(socket) for socket in refused] == [4403, 4403, 4401]
    assert len(checked) == 1 and sorted(checked[0], key=str) == sorted([*keys, None], key=str)
    await welcomed.disconnect()
