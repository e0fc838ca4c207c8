"""Live Q&A: asking, anonymity, the moderation queue, who may moderate, and exact vote counts."""

import pytest
from channels.db import database_sync_to_async

from events.models import Registration, Room, Speaker
from livechat import services
from livechat.hub import hubs
from livechat.models import Question, QuestionVote, RoomEvent
from tests.conftest import make_person
from tests.live import barrier, frames_until, join, next_frame, orm, run_in_threads, send

pytestmark = pytest.mark.django_db(transaction=True)


async def ask(socket, body="What is the roadmap?", **fields):
    await send(socket, {"type": "question.ask", "body": body, **fields})


async def test_question_attaches_to_the_session_live_in_the_room(
    main_stage, live_keynote, attendee_paris, attendee_shanghai, cookies
):
    camille, _ = await join(await cookies(attendee_paris))
    lina, _ = await join(await cookies(attendee_shanghai))
    await ask(camille, client_id="q1")
    created = await next_frame(lina)
    assert created["type"] == "question.created" and created["seq"] == 1
    assert created["session_id"] == live_keynote.pk and created["status"] == "approved"
    assert created["votes"] == 0 and created["author"]["name"] == "Camille Bernard"
    assert (await orm(Question.objects.get, pk=created["id"])).session_id == live_keynote.pk
    again, _state = await join(await cookies(attendee_shanghai))
    assert [q["body"] for q in _state["questions"]] == ["What is the roadmap?"]
    for socket in (camille, lina, again):
        await socket.disconnect()


async def test_repeated_question_client_id_creates_nothing(main_stage, attendee_paris, cookies):
    camille, _ = await join(await cookies(attendee_paris))
    await ask(camille, client_id="q1")
    first = await next_frame(camille)
    await ask(camille, client_id="q1")
    assert await next_frame(camille) == first
    assert await orm(Question.objects.count) == 1
    await camille.disconnect()


async def test_anonymous_question_hides_its_author_from_attendees_only(
    main_stage, attendee_paris, attendee_shanghai, organiser, moderator, cookies
):
    camille, _ = await join(await cookies(attendee_paris))
    lina, _ = await join(await cookies(attendee_shanghai))
    claire, _ = await join(await cookies(organiser))
    mo, _ = await join(await cookies(moderator))
    await ask(camille, "Is this sensitive?", anonymous=True)
    assert (await next_frame(lina))["author"] is None
    assert (await next_frame(claire))["author"]["id"] == attendee_paris.pk
    assert (await next_frame(mo))["author"]["id"] == attendee_paris.pk
    own = await next_frame(camille)
    assert own["author"]["id"] == attendee_paris.pk and own["is_anonymous"]
    # The same holds in the state a later socket gets, and in the stored replay.
    later, state = await join(await cookies(attendee_shanghai))
    assert state["questions"][0]["author"] is None
    assert "_author_id" not in state["questions"][0]
    for socket in (camille, lina, claire, mo, later):
        await socket.disconnect()


async def test_moderated_room_queues_questions_for_moderators_until_approved(
    main_stage, attendee_paris, attendee_shanghai, moderator, cookies
):
    await orm(Room.objects.filter(pk=main_stage.pk).update, is_moderated=True)
    camille, _ = await join(await cookies(attendee_paris))
    lina, _ = await join(await cookies(attendee_shanghai))
    mo, _ = await join(await cookies(moderator))
    await ask(camille, "Pending?")
    queued = await next_frame(mo)
    assert queued["status"] == "pending"
    assert (await next_frame(camille))["status"] == "pending"  # the author sees their own question
    assert await barrier(mo, lina, camille) == [[], []]  # nobody else heard of it
    _socket, state = await join(await cookies(attendee_shanghai))
    assert state["questions"] == []
    await _socket.disconnect()
    await send(lina, {"type": "question.vote", "question_id": queued["id"]})
    assert (await next_frame(lina))["code"] == "not_found"

    await send(mo, {"type": "question.moderate", "question_id": queued["id"], "action": "approve"})
    approved = await next_frame(lina)
    assert approved["type"] == "question.updated" and approved["status"] == "approved"
    assert approved["id"] == queued["id"] and approved["seq"] == 3  # after the barrier's message, 2
    for socket in (camille, lina, mo):
        await socket.disconnect()


async def test_attendee_may_not_moderate(main_stage, attendee_paris, cookies):
    camille, _ = await join(await cookies(attendee_paris))
    await ask(camille)
    question = await next_frame(camille)
    for action in ("approve", "answer", "dismiss", "pin"):
        await send(camille, {"type": "question.moderate", "question_id": question["id"], "action": action})
        assert (await next_frame(camille))["code"] == "forbidden"
    assert (await orm(Question.objects.get, pk=question["id"])).status == "approved"
    await camille.disconnect()


async def test_registered_speaker_not_on_stage_may_not_moderate(main_stage, summit, attendee_paris, cookies):
    other = await database_sync_to_async(make_person)("other-speaker")
    await orm(Registration.objects.create, summit=summit, user=other, role=Registration.Role.SPEAKER)
    camille, _ = await join(await cookies(attendee_paris))
    speaker_socket, _ = await join(await cookies(other))
    await ask(camille)
    question = await next_frame(speaker_socket)
    await send(speaker_socket, {"type": "question.moderate", "question_id": question["id"], "action": "answer"})
    assert (await next_frame(speaker_socket))["code"] == "forbidden"
    for socket in (camille, speaker_socket):
        await socket.disconnect()


async def test_live_sessions_speaker_may_moderate(main_stage, summit, live_keynote, attendee_paris, cookies):
    person = await database_sync_to_async(make_person)("keynoter", name="Key Noter")
    await orm(Registration.objects.create, summit=summit, user=person)
    speaker = await orm(Speaker.objects.create, summit=summit, user=person, name="Key Noter")
    await database_sync_to_async(live_keynote.speakers.add)(speaker)
    camille, _ = await join(await cookies(attendee_paris))
    on_stage, state = await join(await cookies(person))
    assert state["you"]["role"] == "speaker" and state["you"]["can_moderate"]
    await ask(camille, anonymous=True)
    await next_frame(camille)
    question = await next_frame(on_stage)
    assert question["author"] is None  # speakers moderate, but anonymity is for organisers and moderators only
    for action, field, value in (("answer", "status", "answered"), ("pin", "is_pinned", True)):
        await send(on_stage, {"type": "question.moderate", "question_id": question["id"], "action": action})
        updated = await next_frame(camille)
        assert updated[field] == value and updated["action"] == action
    for socket in (camille, on_stage):
        await socket.disconnect()


async def test_moderator_dismisses_and_pins(main_stage, attendee_paris, moderator, cookies):
    camille, _ = await join(await cookies(attendee_paris))
    mo, _ = await join(await cookies(moderator))
    await ask(camille)
    await next_frame(camille)
    question = await next_frame(mo)
    await send(mo, {"type": "question.moderate", "question_id": question["id"], "action": "pin"})
    assert (await next_frame(camille))["is_pinned"] is True
    await send(mo, {"type": "question.moderate", "question_id": question["id"], "action": "dismiss"})
    assert (await next_frame(camille))["status"] == "dismissed"
    for socket in (camille, mo):
        await socket.disconnect()


async def test_vote_twice_withdraws_vote(main_stage, attendee_paris, attendee_shanghai, cookies):
    camille, _ = await join(await cookies(attendee_paris))
    lina, _ = await join(await cookies(attendee_shanghai))
    await ask(camille)
    question = await next_frame(lina)
    await next_frame(camille)
    await send(lina, {"type": "question.vote", "question_id": question["id"]})
    mine = await next_frame(lina)
    assert mine == {"type": "question.voted", "question_id": question["id"], "votes": 1, "voted": True}
    theirs = await next_frame(camille)
    # The room hears the count, not who voted.
    assert theirs == {"type": "question.votes", "questions": [{"id": question["id"], "votes": 1}]}
    await send(lina, {"type": "question.vote", "question_id": question["id"]})
    withdrawn = (await frames_until(lina, lambda frame: frame["type"] == "question.voted"))[-1]
    assert withdrawn["votes"] == 0 and withdrawn["voted"] is False
    assert (await frames_until(camille, lambda frame: frame["questions"][0]["votes"] == 0))[-1]["type"] == (
        "question.votes"
    )
    _socket, state = await join(await cookies(attendee_shanghai))
    assert state["questions"][0]["voted"] is False and state["questions"][0]["votes"] == 0
    for socket in (camille, lina, _socket):
        await socket.disconnect()


async def test_votes_take_no_seq_and_the_room_hears_one_count_per_window(main_stage, summit, attendee_paris, cookies):
    camille, _ = await join(await cookies(attendee_paris))
    await ask(camille)
    question = await next_frame(camille)
    room_hub = hubs().rooms[main_stage.pk]
    for n in range(3):  # three votes inside one window, as the vote handler records them
        person = await orm(make_person, f"voter{n}")
        await orm(Registration.objects.create, summit=summit, user=person)
        await orm(services.do_vote, person.pk, main_stage.pk, "attendee", question["id"])
        room_hub.add_vote(question["id"])
    await room_hub.flush_votes()
    counts = await next_frame(camille)
    assert counts == {"type": "question.votes", "questions": [{"id": question["id"], "votes": 3}]}
    await room_hub.flush_votes()  # a window with no vote since sends no count, so the message comes next
    await send(camille, {"type": "chat.send", "body": "after the votes"})
    after = await next_frame(camille)
    assert after["type"] == "chat.message" and after["seq"] == question["seq"] + 1  # the votes took no seq
    await camille.disconnect()


async def test_room_state_shows_my_own_votes(main_stage, attendee_paris, attendee_shanghai, cookies):
    question = (
        await database_sync_to_async(services.do_ask_question)(attendee_paris.pk, main_stage.pk, "attendee", "Why?")
    )["event"]
    await database_sync_to_async(services.do_vote)(attendee_shanghai.pk, main_stage.pk, "attendee", question["id"])
    lina, state = await join(await cookies(attendee_shanghai))
    camille, theirs = await join(await cookies(attendee_paris))
    assert state["questions"][0]["voted"] is True and state["questions"][0]["votes"] == 1
    assert theirs["questions"][0]["voted"] is False
    for socket in (camille, lina):
        await socket.disconnect()


def test_concurrent_votes_are_counted_exactly(concurrent_db, main_stage, summit, attendee_paris):
    voters = []
    for n in range(12):
        person = make_person(f"voter{n}")
        Registration.objects.create(summit=summit, user=person)
        voters.append(person)
    question = services.do_ask_question(attendee_paris.pk, main_stage.pk, "attendee", "Count me")["event"]
    # Everyone votes, and the first four vote twice (withdrawing): 8 votes remain.
    run_in_threads(lambda n: services.do_vote(voters[n % 12].pk, main_stage.pk, "attendee", question["id"]), 16)
    stored = Question.objects.get(pk=question["id"])
    assert stored.votes == QuestionVote.objects.filter(question=stored).count() == 8


def test_seq_stays_strictly_increasing_under_concurrent_writers(concurrent_db, main_stage, attendee_paris):
    run_in_threads(lambda n: services.do_send_chat_message(attendee_paris.pk, main_stage.pk, f"m{n}"), 12)
    seqs = sorted(RoomEvent.objects.filter(room=main_stage).values_list("seq", flat=True))
    assert seqs == list(range(1, 13))
    assert main_stage.log.last_seq == 12
