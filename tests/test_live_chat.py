"""Chat in a room: stored before it is sent, one seq per event, idempotent resends, resume, bad input."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from django.db import DatabaseError, IntegrityError

from livechat import hub, services
from livechat.hub import hubs
from livechat.models import ChatMessage, RoomEvent, RoomLog
from livechat.services import chat
from summit.errors import Invalid
from tests.live import barrier, join, next_frame, orm, room_path, send

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
async def camille_and_lina(main_stage, attendee_paris, attendee_shanghai, cookies):
    camille, _ = await join(await cookies(attendee_paris))
    lina, _ = await join(await cookies(attendee_shanghai))
    yield camille, lina
    await camille.disconnect()
    await lina.disconnect()


async def test_chat_message_is_stored_then_reaches_everyone_with_its_seq(camille_and_lina, attendee_paris):
    camille, lina = camille_and_lina
    await send(camille, {"type": "chat.send", "body": "Bonjour à tous", "client_id": "c-1"})
    mine = await next_frame(camille)
    theirs = await next_frame(lina)
    assert mine == theirs
    assert mine["type"] == "chat.message" and mine["seq"] == 1 and mine["client_id"] == "c-1"
    assert mine["author"] == {"id": attendee_paris.pk, "name": "Camille Bernard", "organisation": "Inria"}
    assert mine["body"] == "Bonjour à tous" and mine["created_at"]
    stored = await orm(ChatMessage.objects.get, pk=mine["id"])
    assert stored.seq == 1 and stored.body == "Bonjour à tous"
    assert await orm(RoomEvent.objects.filter(seq=1, type="chat.message").exists)


async def test_seq_strictly_increases_per_room(camille_and_lina):
    camille, lina = camille_and_lina
    for n in range(5):
        await send(camille if n % 2 else lina, {"type": "chat.send", "body": f"message {n}"})
    received = [await next_frame(camille) for _ in range(5)]
    assert [frame["seq"] for frame in received] == [1, 2, 3, 4, 5]


async def test_markup_in_a_message_is_kept_as_plain_text(camille_and_lina):
    camille, lina = camille_and_lina
    body = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    await send(camille, {"type": "chat.send", "body": body})
    assert (await next_frame(lina))["body"] == body


async def test_repeated_client_id_creates_nothing_and_answers_the_sender_only(camille_and_lina):
    camille, lina = camille_and_lina
    await send(camille, {"type": "chat.send", "body": "once", "client_id": "same"})
    first = await next_frame(camille)
    await next_frame(lina)
    await send(camille, {"type": "chat.send", "body": "once", "client_id": "same"})
    again = await next_frame(camille)
    assert again == first
    assert await orm(ChatMessage.objects.count) == 1
    assert await barrier(camille, lina) == [[]]


async def test_same_client_id_from_two_people_is_two_messages(camille_and_lina):
    camille, lina = camille_and_lina
    await send(camille, {"type": "chat.send", "body": "a", "client_id": "x"})
    await send(lina, {"type": "chat.send", "body": "b", "client_id": "x"})
    frames = [await next_frame(camille), await next_frame(camille)]
    assert {f["body"] for f in frames} == {"a", "b"}


async def test_room_state_carries_recent_messages(main_stage, attendee_paris, cookies):
    await database_sync_to_async(services.do_send_chat_message)(attendee_paris.pk, main_stage.pk, "earlier")
    socket, state = await join(await cookies(attendee_paris))
    assert state["last_seq"] == 1
    assert [m["body"] for m in state["messages"]] == ["earlier"]
    await socket.disconnect()


async def test_resume_with_since_replays_what_was_missed_in_order(camille_and_lina, attendee_paris, cookies):
    camille, lina = camille_and_lina
    await send(lina, {"type": "chat.send", "body": "seen"})
    seen = await next_frame(camille)
    await camille.disconnect()  # the network drops
    for n in range(3):
        await send(lina, {"type": "chat.send", "body": f"missed {n}"})
    for _ in range(3):
        await next_frame(lina)
    back, state = await join(await cookies(attendee_paris), room_path(since=seen["seq"]))
    replayed = [await next_frame(back) for _ in range(3)]
    assert [f["body"] for f in replayed] == ["missed 0", "missed 1", "missed 2"]
    assert [f["seq"] for f in replayed] == [2, 3, 4]
    await send(lina, {"type": "chat.send", "body": "live again"})
    live = await next_frame(back)
    assert live["body"] == "live again" and live["seq"] == 5
    assert await barrier(lina, back) == [[]]
    await back.disconnect()


async def test_resume_while_others_write_loses_nothing_and_doubles_nothing(camille_and_lina, attendee_paris, cookies):
    """Replay and live events race while the socket connects; every seq arrives exactly once, in order."""
    camille, lina = camille_and_lina
    total = 30

    async def keep_writing():
        for n in range(total):  # two writers, slow enough to stay under the rate limit
            await send(lina if n % 2 else camille, {"type": "chat.send", "body": f"n{n}"})
            await asyncio.sleep(0.05)

    writer = asyncio.create_task(keep_writing())
    await asyncio.sleep(0.05)
    back, state = await join(await cookies(attendee_paris), room_path(since=0))
    await writer
    seqs = []
    while len(seqs) < total:
        seqs.append((await next_frame(back))["seq"])
    assert seqs == list(range(1, total + 1))
    assert await barrier(lina, back) == [[]]
    await back.disconnect()


async def test_malformed_since_replays_nothing_and_says_why(main_stage, attendee_paris, cookies):
    socket, _state = await join(await cookies(attendee_paris), room_path(since="yesterday"))
    assert (await next_frame(socket))["code"] == "invalid"
    await socket.disconnect()


async def test_events_published_out_of_order_are_delivered_in_seq_order(camille_and_lina, attendee_paris, main_stage):
    """Two processes may publish seq 1 and 2 in either order; a socket still sees 1 then 2."""
    camille, lina = camille_and_lina
    write = database_sync_to_async(services.do_send_chat_message)
    first = await write(attendee_paris.pk, main_stage.pk, "first")
    second = await write(attendee_paris.pk, main_stage.pk, "second")
    await hubs().publish(main_stage.pk, second["event"])
    await hubs().publish(main_stage.pk, first["event"])
    assert [(await next_frame(camille))["body"] for _ in range(2)] == ["first", "second"]


async def test_an_event_never_published_is_read_from_the_database_to_fill_the_gap(
    camille_and_lina, attendee_paris, main_stage
):
    camille, lina = camille_and_lina
    write = database_sync_to_async(services.do_send_chat_message)
    await write(attendee_paris.pk, main_stage.pk, "stored, publish lost")
    second = await write(attendee_paris.pk, main_stage.pk, "published")
    await hubs().publish(main_stage.pk, second["event"])
    assert [(await next_frame(lina))["seq"] for _ in range(2)] == [1, 2]


# --- bad input: an error frame, and the socket stays open ---


@pytest.mark.parametrize(
    "frame, code",
    [
        ("not json", "invalid"),
        ("[1, 2]", "invalid"),
        ('{"body": "no type"}', "invalid"),
        ('{"type": "dance"}', "invalid"),
        ('{"type": "chat.send"}', "invalid"),
        ('{"type": "chat.send", "body": "   "}', "invalid"),
        ('{"type": "chat.send", "body": 42}', "invalid"),
        ('{"type": "chat.send", "body": "hi", "client_id": 7}', "invalid"),
        (json.dumps({"type": "chat.send", "body": "x" * 2001}), "too_large"),
        (json.dumps({"type": "question.ask", "body": "x" * 501}), "too_large"),
        ('{"type": "question.vote"}', "invalid"),
        ('{"type": "question.vote", "question_id": 999999}', "not_found"),
        ('{"type": "question.moderate", "question_id": 1, "action": "delete"}', "invalid"),
        ('{"type": "reaction.send", "emoji": "hello"}', "invalid"),
        ('{"type": "reaction.send"}', "invalid"),
        # Text neither PostgreSQL nor UTF-8 can hold: a lone surrogate, a NUL.
        ('{"type": "chat.send", "body": "\\ud800"}', "invalid"),
        ('{"type": "question.ask", "body": "why \\udfff?"}', "invalid"),
        ('{"type": "chat.send", "body": "hi", "client_id": "\\ud800"}', "invalid"),
        ('{"type": "\\ud800"}', "invalid"),
        ('{"type": "chat.send", "body": "a\\u0000b"}', "invalid"),
        ('{"type": "question.ask", "body": "a\\u0000b"}', "invalid"),
        ('{"type": "chat.send", "body": "hi", "client_id": "k\\u0000"}', "invalid"),
        ("[" * 10_000 + "]" * 10_000, "invalid"),
        ('{"type": "chat.send", "body": ' + "[" * 10_000 + "]" * 10_000 + "}", "invalid"),
    ],
)
async def test_bad_frame_gets_an_error_and_the_socket_stays_open(main_stage, attendee_paris, cookies, frame, code):
    socket, _state = await join(await cookies(attendee_paris))
    await socket.send_to(text_data=frame)
    error = await next_frame(socket)
    assert error["type"] == "error" and error["code"] == code and error["detail"]
    await send(socket, {"type": "ping"})
    assert await next_frame(socket) == {"type": "pong"}
    await socket.disconnect()


async def test_unrepresentable_text_is_never_stored(main_stage, attendee_paris, cookies):
    socket, _state = await join(await cookies(attendee_paris))
    for body in ("\ud800", "a\x00b"):
        await socket.send_to(text_data=json.dumps({"type": "chat.send", "body": body}))
        assert (await next_frame(socket))["code"] == "invalid"
    assert await orm(ChatMessage.objects.count) == 0
    await socket.disconnect()


async def test_an_emoji_spelled_as_a_surrogate_pair_is_fine(main_stage, attendee_paris, cookies):
    socket, _state = await join(await cookies(attendee_paris))
    await socket.send_to(text_data='{"type": "chat.send", "body": "\\ud83d\\ude00"}')
    assert (await next_frame(socket))["body"] == "\U0001f600"
    await socket.disconnect()


async def test_error_names_the_client_id_it_refers_to(main_stage, attendee_paris, cookies):
    socket, _state = await join(await cookies(attendee_paris))
    await send(socket, {"type": "chat.send", "body": "", "client_id": "k1"})
    assert (await next_frame(socket))["client_id"] == "k1"
    await socket.disconnect()


async def test_a_chat_message_of_2000_characters_is_fine(main_stage, attendee_paris, cookies):
    socket, _state = await join(await cookies(attendee_paris))
    await send(socket, {"type": "chat.send", "body": "é" * 2000})
    assert (await next_frame(socket))["type"] == "chat.message"
    await socket.disconnect()


async def test_binary_frame_is_invalid(main_stage, attendee_paris, cookies):
    socket, _state = await join(await cookies(attendee_paris))
    await socket.send_to(bytes_data=b"\x00\x01")
    assert (await next_frame(socket))["code"] == "invalid"
    await socket.disconnect()


async def test_frame_over_64_kib_closes_the_socket_with_1009(main_stage, attendee_paris, cookies):
    socket, _state = await join(await cookies(attendee_paris))
    await send(socket, {"type": "chat.send", "body": "x" * (64 * 1024)})
    while True:
        message = await socket.receive_output(timeout=5)
        if message["type"] == "websocket.close":
            break
    assert message["code"] == 1009
    assert await orm(ChatMessage.objects.count) == 0


async def test_a_rate_limited_frame_is_named_by_its_client_id(main_stage, attendee_paris, cookies, monkeypatch):
    socket, _state = await join(await cookies(attendee_paris))
    monkeypatch.setattr(hub, "RATE_PER_SECOND", 0.0)  # no refill while flooding: exactly the burst gets through
    for n in range(20):
        await send(socket, {"type": "chat.send", "body": f"flood {n}", "client_id": f"f{n}"})
    frames = [await next_frame(socket) for _ in range(20)]
    assert [frame["client_id"] for frame in frames if frame["type"] == "chat.message"] == [f"f{n}" for n in range(10)]
    assert [(frame["code"], frame["client_id"]) for frame in frames if frame["type"] == "error"] == [
        ("rate_limited", f"f{n}") for n in range(10, 20)
    ]
    await socket.disconnect()


async def test_flooding_past_the_burst_is_rate_limited_and_the_socket_stays_open(
    main_stage, attendee_paris, cookies, monkeypatch
):
    socket, _state = await join(await cookies(attendee_paris))
    monkeypatch.setattr(hub, "RATE_PER_SECOND", 0.0)  # no refill while flooding: exactly the burst gets through
    for _ in range(20):
        await send(socket, {"type": "ping"})
    frames = [await next_frame(socket) for _ in range(20)]
    assert [f["type"] for f in frames].count("pong") == hub.RATE_BURST
    assert [f.get("code") for f in frames if f["type"] == "error"] == ["rate_limited"] * 10
    monkeypatch.setattr(hub, "RATE_PER_SECOND", 1e9)  # the bucket refills at once: the same socket is served
    await send(socket, {"type": "ping"})
    assert await next_frame(socket) == {"type": "pong"}
    await socket.disconnect()


@pytest.fixture
def quick_quiet_check(monkeypatch):
    monkeypatch.setattr(hub, "QUIET_CHECK", 0.2)


async def test_a_stored_event_whose_publish_was_lost_still_arrives_in_a_quiet_room(
    quick_quiet_check, camille_and_lina, attendee_paris, main_stage
):
    camille, lina = camille_and_lina
    await database_sync_to_async(services.do_send_chat_message)(attendee_paris.pk, main_stage.pk, "never published")
    assert (await next_frame(lina))["body"] == "never published"


async def test_a_malformed_message_on_the_room_channel_does_not_stop_the_room(
    camille_and_lina, attendee_paris, main_stage, settings
):
    if not settings.REDIS_URL:
        pytest.skip("the room channel is a Redis channel")
    import redis.asyncio as aioredis

    from livechat import keys
    from livechat.envelope import Envelope

    camille, lina = camille_and_lina
    client = aioredis.Redis.from_url(settings.REDIS_URL, socket_timeout=5)
    await client.publish(keys.room_channel(main_stage.pk), b"not an envelope")
    # What another process would publish: reaches this one only through the subscription.
    stored = await database_sync_to_async(services.do_send_chat_message)(attendee_paris.pk, main_stage.pk, "from B")
    await client.publish(keys.room_channel(main_stage.pk), Envelope.of_event(stored["event"]).wire())
    await client.aclose()
    assert (await next_frame(lina, timeout=3))["body"] == "from B"


# --- storing a message: a fixed number of round trips, taken while every writer of the room waits ---


@pytest.fixture(params=["no session on", "a session on"])
def session_now(request, main_stage, keynote):
    """None, or the session live on the main stage right now (beside the keynote, which is not on yet)."""
    return request.getfixturevalue("live_keynote") if request.param == "a session on" else None


@pytest.mark.parametrize("earlier", [1, 50])
def test_storing_a_chat_message_takes_six_queries_however_long_the_room_has_run(
    main_stage, attendee_paris, session_now, earlier, django_assert_num_queries
):
    """The author, then BEGIN, the seq (which takes the room's lock), the message with its live session,
    the event, COMMIT."""
    for n in range(earlier):
        services.do_send_chat_message(attendee_paris.pk, main_stage.pk, f"earlier {n}", f"e-{n}")
    with django_assert_num_queries(6):
        stored = services.do_send_chat_message(attendee_paris.pk, main_stage.pk, "now", "c-now")
    assert stored["created"] and stored["event"]["seq"] == earlier + 1


def test_a_rooms_first_chat_message_also_creates_its_log(main_stage, attendee_paris, django_assert_num_queries):
    """Two more than later messages: the seq's UPDATE finds no RoomLog, one is inserted, the UPDATE again."""
    with django_assert_num_queries(8):
        stored = services.do_send_chat_message(attendee_paris.pk, main_stage.pk, "first", "c-1")
    assert stored["event"]["seq"] == 1
    assert RoomLog.objects.get(room=main_stage).last_seq == 1


def test_a_chat_message_belongs_to_the_session_live_in_its_room(main_stage, attendee_paris, session_now):
    stored = services.do_send_chat_message(attendee_paris.pk, main_stage.pk, "now")
    assert ChatMessage.objects.get(pk=stored["event"]["id"]).session == session_now


def test_a_repeated_client_id_is_answered_in_six_queries(main_stage, attendee_paris, django_assert_num_queries):
    """The author, then BEGIN, the seq, the message the unique client_id refuses, ROLLBACK, the original."""
    first = services.do_send_chat_message(attendee_paris.pk, main_stage.pk, "once", "same")
    with django_assert_num_queries(6):
        again = services.do_send_chat_message(attendee_paris.pk, main_stage.pk, "once", "same")
    assert again == {"event": first["event"], "created": False}


def test_a_repeated_client_id_stores_nothing_and_takes_no_seq(main_stage, attendee_paris, session_now):
    services.do_send_chat_message(attendee_paris.pk, main_stage.pk, "once", "same")
    again = services.do_send_chat_message(attendee_paris.pk, main_stage.pk, "changed my mind", "same")
    assert not again["created"] and again["event"]["body"] == "once"
    assert services.do_send_chat_message(attendee_paris.pk, main_stage.pk, "next", "other")["event"]["seq"] == 2
    assert ChatMessage.objects.count() == RoomEvent.objects.count() == RoomLog.objects.get().last_seq == 2


def test_the_same_client_id_in_another_room_is_another_message(main_stage, pitch_room, attendee_paris):
    here = services.do_send_chat_message(attendee_paris.pk, main_stage.pk, "here", "same")
    there = services.do_send_chat_message(attendee_paris.pk, pitch_room.pk, "there", "same")
    assert here["created"] and there["created"] and there["event"]["body"] == "there"


@pytest.mark.parametrize(
    "body, client_id, error",
    [("   ", None, Invalid), ("x" * 2001, None, services.TooLarge), ("hi", "", Invalid), ("hi", 7, Invalid)],
)
def test_bad_input_is_refused_before_the_database_is_asked(
    main_stage, attendee_paris, body, client_id, error, django_assert_num_queries
):
    with django_assert_num_queries(0), pytest.raises(error):
        services.do_send_chat_message(attendee_paris.pk, main_stage.pk, body, client_id)


def test_a_failure_after_the_message_is_written_leaves_nothing_of_it(main_stage, attendee_paris, monkeypatch):
    services.do_send_chat_message(attendee_paris.pk, main_stage.pk, "before")

    def event_refused(*args):
        raise DatabaseError("the event's INSERT failed")

    monkeypatch.setattr(chat, "store_room_event", event_refused)
    with pytest.raises(DatabaseError):
        services.do_send_chat_message(attendee_paris.pk, main_stage.pk, "lost", "c-lost")
    assert list(ChatMessage.objects.values_list("body", flat=True)) == ["before"]
    assert RoomLog.objects.get().last_seq == 1


def test_a_message_to_a_room_that_is_gone_is_refused_and_stores_nothing(main_stage, attendee_paris):
    """The room's foreign keys refuse it at COMMIT: an IntegrityError that is no repeated client_id goes on up."""
    gone = main_stage.pk + 1000
    with pytest.raises(IntegrityError):
        services.do_send_chat_message(attendee_paris.pk, gone, "anyone there?", "c-1")
    assert not ChatMessage.objects.exists() and not RoomLog.objects.exists()
