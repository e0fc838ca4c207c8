"""Live polls: who may run them, one ballot each (replaced while open), closing, replay, and coalesced results."""

import time

import pytest
from channels.db import database_sync_to_async

from events.models import Registration, Speaker
from livechat import hub, polls
from livechat.models import Poll, PollBallot, PollChoice, RoomEvent
from summit.errors import Invalid
from tests.conftest import make_person, session_cookie
from tests.live import barrier, frames_until, join, next_frame, orm, room_path, run_in_threads, send

pytestmark = pytest.mark.django_db(transaction=True)

RESULTS = ("presence", "reaction", "poll.results")


async def create(socket, question="Which market first?", options=("Europe", "China", "Both"), **fields):
    await send(socket, {"type": "poll.create", "question": question, "options": list(options), **fields})


async def vote(socket, poll, *positions):
    option_ids = [poll["options"][p]["id"] for p in positions]
    await send(socket, {"type": "poll.vote", "poll_id": poll["id"], "option_ids": option_ids})


def as_attendees_read(frame):
    """A moderator's poll frame less what only those who run polls get: every language's text."""
    frame = {key: value for key, value in frame.items() if key != "question_i18n"}
    if "options" in frame:
        frame["options"] = [{k: v for k, v in option.items() if k != "label_i18n"} for option in frame["options"]]
    return frame


def votes_of(frame):
    return [option["votes"] for option in frame["options"]]


async def results_reaching(socket, predicate):
    """The first `poll.results` frame that satisfies `predicate`, skipping earlier ones."""
    seen = await frames_until(
        socket, lambda f: f["type"] == "poll.results" and predicate(f), skip=("presence", "reaction")
    )
    return seen[-1]


async def close_all(*sockets):
    for socket in sockets:
        await socket.disconnect()


@pytest.fixture
def keynote_speaker(summit, live_keynote):
    person = make_person("keynoter", name="Key Noter")
    Registration.objects.create(summit=summit, user=person)
    live_keynote.speakers.add(Speaker.objects.create(summit=summit, user=person, name="Key Noter"))
    return person


# --- who may create ---


async def test_moderator_creates_a_poll_everyone_hears_with_its_seq(
    main_stage, live_keynote, moderator, attendee_paris, cookies
):
    mo, _ = await join(await cookies(moderator))
    camille, _ = await join(await cookies(attendee_paris))
    await create(mo, client_id="p1")
    created = await next_frame(camille)
    assert created["type"] == "poll.created" and created["seq"] == 1
    assert created["question"] == "Which market first?" and created["status"] == "open"
    assert [o["label"] for o in created["options"]] == ["Europe", "China", "Both"]
    assert votes_of(created) == [0, 0, 0] and created["voters"] == 0 and created["multiple"] is False
    assert (await orm(Poll.objects.get, pk=created["id"])).session_id == live_keynote.pk
    assert as_attendees_read(await next_frame(mo)) == created
    await close_all(mo, camille)


async def test_organiser_and_the_live_sessions_speaker_create_polls(main_stage, organiser, keynote_speaker, cookies):
    for person in (organiser, keynote_speaker):
        socket, _ = await join(await cookies(person))
        await create(socket, question=f"Asked by {person.username}?")
        assert (await next_frame(socket))["type"] == "poll.created"
        await socket.disconnect()
    assert await orm(Poll.objects.count) == 2


async def test_attendee_and_a_speaker_not_on_stage_may_not_create_polls(
    main_stage, live_keynote, summit, attendee_paris, cookies
):
    other = await database_sync_to_async(make_person)("other-speaker")
    await orm(Registration.objects.create, summit=summit, user=other, role=Registration.Role.SPEAKER)
    for person in (attendee_paris, other):
        socket, _ = await join(await cookies(person))
        await create(socket, client_id="mine")
        error = await next_frame(socket)
        assert error["type"] == "error" and error["code"] == "forbidden" and error["client_id"] == "mine"
        await socket.disconnect()
    assert await orm(Poll.objects.count) == 0


@pytest.mark.parametrize(
    "fields",
    [
        {"options": ["Only one"]},
        {"options": [f"Option {n}" for n in range(11)]},
        {"options": ["Same", "Same"]},
        {"options": ["Fine", ""]},
        {"options": "Europe, China"},
        {"question": "   "},
        {"multiple": "yes"},
    ],
)
async def test_poll_needs_a_question_and_two_to_ten_distinct_options(main_stage, moderator, cookies, fields):
    mo, _ = await join(await cookies(moderator))
    await send(mo, {"type": "poll.create", "question": "Which?", "options": ["A", "B"], **fields})
    assert (await next_frame(mo))["code"] == "invalid"
    assert await orm(Poll.objects.count) == 0
    await mo.disconnect()


async def test_repeated_poll_client_id_creates_nothing(main_stage, moderator, cookies):
    mo, _ = await join(await cookies(moderator))
    await create(mo, client_id="p1")
    first = await next_frame(mo)
    await create(mo, client_id="p1")
    assert await next_frame(mo) == first
    assert await orm(Poll.objects.count) == 1
    await mo.disconnect()


# --- ballots ---


async def test_vote_is_acknowledged_to_the_voter_and_results_reach_everyone(
    main_stage, moderator, attendee_paris, attendee_shanghai, cookies
):
    mo, _ = await join(await cookies(moderator))
    camille, _ = await join(await cookies(attendee_paris))
    lina, _ = await join(await cookies(attendee_shanghai))
    await create(mo)
    poll = await next_frame(camille)
    await next_frame(lina)
    await vote(camille, poll, 1)
    voted = await next_frame(camille, skip=RESULTS)
    assert voted == {"type": "poll.voted", "poll_id": poll["id"], "option_ids": [poll["options"][1]["id"]]}
    results = await results_reaching(lina, lambda f: f["voters"] == 1)
    assert results["id"] == poll["id"] and votes_of(results) == [0, 1, 0]
    assert {"id", "votes"} == set(results["options"][0])
    assert await barrier(camille, lina, skip=RESULTS) == [[]]  # nobody else hears of Camille's ballot itself
    await close_all(mo, camille, lina)


async def test_a_new_ballot_replaces_the_old_one_while_open(main_stage, moderator, attendee_paris, cookies):
    mo, _ = await join(await cookies(moderator))
    camille, _ = await join(await cookies(attendee_paris))
    await create(mo)
    poll = await next_frame(camille)
    await vote(camille, poll, 0)
    await next_frame(camille, skip=RESULTS)
    await vote(camille, poll, 2)
    assert (await next_frame(camille, skip=RESULTS))["option_ids"] == [poll["options"][2]["id"]]
    results = await results_reaching(mo, lambda f: votes_of(f) == [0, 0, 1])
    assert results["voters"] == 1
    assert await orm(PollBallot.objects.count) == 1 and await orm(PollChoice.objects.count) == 1
    await close_all(mo, camille)


@pytest.mark.parametrize("positions", [(), (0, 1)])
async def test_single_choice_poll_takes_exactly_one_option(main_stage, moderator, attendee_paris, cookies, positions):
    mo, _ = await join(await cookies(moderator))
    camille, _ = await join(await cookies(attendee_paris))
    await create(mo)
    poll = await next_frame(camille)
    await vote(camille, poll, *positions)
    assert (await next_frame(camille))["code"] == "invalid"
    assert await orm(PollBallot.objects.count) == 0
    await close_all(mo, camille)


async def test_multiple_choice_ballot_counts_each_option_once(
    main_stage, moderator, attendee_paris, attendee_shanghai, cookies
):
    mo, _ = await join(await cookies(moderator))
    camille, _ = await join(await cookies(attendee_paris))
    lina, _ = await join(await cookies(attendee_shanghai))
    await create(mo, question="What do you seek?", options=("Customers", "Investors", "Partners"), multiple=True)
    poll = await next_frame(camille)
    await next_frame(lina)
    await vote(camille, poll, 0, 2)
    assert len((await next_frame(camille, skip=RESULTS))["option_ids"]) == 2
    await vote(lina, poll, 2)
    results = await results_reaching(mo, lambda f: f["voters"] == 2)
    assert votes_of(results) == [1, 0, 2]
    await vote(camille, poll, 0, 0)
    assert (await next_frame(camille, skip=RESULTS))["code"] == "invalid"
    await close_all(mo, camille, lina)


@pytest.mark.parametrize(
    "frame",
    [
        {"poll_id": "1", "option_ids": [1]},
        {"option_ids": [1]},
        {"poll_id": 1, "option_ids": "1"},
        {"poll_id": 1, "option_ids": [True]},
    ],
)
async def test_malformed_ballots_are_invalid(main_stage, attendee_paris, cookies, frame):
    camille, _ = await join(await cookies(attendee_paris))
    await send(camille, {"type": "poll.vote", **frame})
    assert (await next_frame(camille))["code"] in ("invalid", "not_found")
    await camille.disconnect()


async def test_option_of_another_poll_and_a_poll_of_another_room_are_refused(
    main_stage, pitch_room, moderator, attendee_paris, cookies
):
    mo, _ = await join(await cookies(moderator))
    camille, _ = await join(await cookies(attendee_paris))
    await create(mo, question="First?")
    first = await next_frame(camille)
    await create(mo, question="Second?")
    second = await next_frame(camille)
    await send(camille, {"type": "poll.vote", "poll_id": first["id"], "option_ids": [second["options"][0]["id"]]})
    assert (await next_frame(camille))["code"] == "invalid"
    elsewhere, _ = await join(await cookies(attendee_paris), room_path("fair-vision"))
    await vote(elsewhere, first, 0)
    assert (await next_frame(elsewhere))["code"] == "not_found"
    assert await orm(PollBallot.objects.count) == 0
    await close_all(mo, camille, elsewhere)


# --- closing ---


async def test_closed_poll_keeps_its_final_counts_and_refuses_votes(
    main_stage, moderator, attendee_paris, attendee_shanghai, cookies
):
    mo, _ = await join(await cookies(moderator))
    camille, _ = await join(await cookies(attendee_paris))
    lina, _ = await join(await cookies(attendee_shanghai))
    await create(mo)
    poll = await next_frame(camille)
    await next_frame(lina)
    await vote(camille, poll, 1)
    await next_frame(camille, skip=RESULTS)
    await send(mo, {"type": "poll.close", "poll_id": poll["id"]})
    closed = await next_frame(lina, skip=RESULTS)
    assert closed["type"] == "poll.updated" and closed["status"] == "closed" and closed["seq"] == poll["seq"] + 1
    assert votes_of(closed) == [0, 1, 0] and closed["voters"] == 1
    await vote(lina, poll, 0)
    refused = await next_frame(lina, skip=RESULTS)
    assert refused["type"] == "error" and refused["code"] == "invalid"
    await send(mo, {"type": "poll.close", "poll_id": poll["id"]})
    seen = await frames_until(mo, lambda f: f["type"] == "error", skip=RESULTS)
    assert [f["type"] for f in seen] == ["poll.created", "poll.updated", "error"] and seen[-1]["code"] == "invalid"
    assert await orm(PollBallot.objects.count) == 1
    await close_all(mo, camille, lina)


async def test_attendee_may_not_close_a_poll(main_stage, moderator, attendee_paris, cookies):
    mo, _ = await join(await cookies(moderator))
    camille, _ = await join(await cookies(attendee_paris))
    await create(mo)
    poll = await next_frame(camille)
    await send(camille, {"type": "poll.close", "poll_id": poll["id"]})
    assert (await next_frame(camille))["code"] == "forbidden"
    assert (await orm(Poll.objects.get, pk=poll["id"])).status == "open"
    await close_all(mo, camille)


# --- state and replay ---


async def test_room_state_lists_the_sessions_polls_with_my_own_ballot(
    main_stage, live_keynote, moderator, attendee_paris, attendee_shanghai
):
    opened = (
        await database_sync_to_async(polls.do_create_poll)(moderator.pk, main_stage.pk, "staff", "Open?", ["Yes", "No"])
    )["event"]
    closed = (
        await database_sync_to_async(polls.do_create_poll)(
            moderator.pk, main_stage.pk, "staff", "Closed?", ["Up", "Down"], multiple=True
        )
    )["event"]
    yes, no = (option["id"] for option in opened["options"])
    await database_sync_to_async(polls.do_vote_in_poll)(attendee_paris.pk, main_stage.pk, opened["id"], [no])
    await database_sync_to_async(polls.do_vote_in_poll)(attendee_shanghai.pk, main_stage.pk, opened["id"], [no])
    await database_sync_to_async(polls.do_close_poll)(moderator.pk, main_stage.pk, "staff", closed["id"])
    camille, state = await join(await database_sync_to_async(session_cookie)(attendee_paris))
    assert [(p["question"], p["status"]) for p in state["polls"]] == [("Open?", "open"), ("Closed?", "closed")]
    first = state["polls"][0]
    assert votes_of(first) == [0, 2] and first["voters"] == 2 and first["ballot"] == [no]
    assert state["polls"][1]["ballot"] is None and state["polls"][1]["multiple"] is True
    assert yes != no
    await camille.disconnect()


async def test_room_state_leaves_out_polls_of_other_sessions(main_stage, live_keynote, moderator, attendee_paris):
    await database_sync_to_async(polls.do_create_poll)(moderator.pk, main_stage.pk, "staff", "Now?", ["A", "B"])
    await orm(Poll.objects.update, session=None)  # as if asked before this session began
    camille, state = await join(await database_sync_to_async(session_cookie)(attendee_paris))
    assert state["polls"] == []
    await camille.disconnect()


async def test_since_replays_poll_creation_and_closing(main_stage, moderator, attendee_paris, cookies):
    mo, _ = await join(await cookies(moderator))
    camille, state = await join(await cookies(attendee_paris))
    await camille.disconnect()
    await create(mo)
    poll = await next_frame(mo)
    await send(mo, {"type": "poll.close", "poll_id": poll["id"]})
    closed = await next_frame(mo)
    back, _ = await join(await cookies(attendee_paris), room_path(since=state["last_seq"]))
    assert await next_frame(back) == as_attendees_read(poll)
    assert await next_frame(back) == as_attendees_read(closed)
    await close_all(mo, back)


# --- coalescing and exact counts ---


async def test_results_are_coalesced_never_one_frame_per_vote(main_stage, summit, moderator, cookies):
    people = []
    for n in range(10):
        person = await database_sync_to_async(make_person)(f"voter{n}")
        await orm(Registration.objects.create, summit=summit, user=person)
        people.append(person)
    mo, _ = await join(await cookies(moderator))
    await create(mo, options=("Left", "Right"))
    poll = await next_frame(mo)
    sockets = [(await join(await cookies(person)))[0] for person in people]
    began = time.monotonic()
    for socket in sockets:  # everyone votes Left, then changes their mind: 20 ballots
        await vote(socket, poll, 0)
        await vote(socket, poll, 1)
    for socket in sockets:
        await next_frame(socket, skip=RESULTS)
        await next_frame(socket, skip=RESULTS)
    seen = await frames_until(
        mo, lambda f: f["type"] == "poll.results" and votes_of(f) == [0, 10], skip=("presence", "reaction")
    )
    elapsed = time.monotonic() - began
    frames = [f for f in seen if f["type"] == "poll.results"]
    assert frames[-1]["voters"] == 10
    # At most one frame per tick that had votes: fewer frames than ballots, however fast they came.
    assert len(frames) <= elapsed / hub.TICK + 1
    assert len(frames) < 20
    await close_all(mo, *sockets)


def test_concurrent_ballots_are_counted_exactly(concurrent_db, main_stage, summit, moderator):
    voters = []
    for n in range(12):
        person = make_person(f"voter{n}")
        Registration.objects.create(summit=summit, user=person)
        voters.append(person)
    poll = polls.do_create_poll(moderator.pk, main_stage.pk, "staff", "Count me", ["A", "B", "C"])["event"]
    a, b, c = (option["id"] for option in poll["options"])
    # 24 ballots from 12 people at once: each votes A, then B; the first four change to C at the same time.
    run_in_threads(lambda n: polls.do_vote_in_poll(voters[n % 12].pk, main_stage.pk, poll["id"], [a]), 12)
    run_in_threads(
        lambda n: polls.do_vote_in_poll(voters[n % 12].pk, main_stage.pk, poll["id"], [c if n >= 12 else b]), 16
    )
    (results,) = polls.poll_results(main_stage.pk, [poll["id"]])
    assert results["voters"] == PollBallot.objects.count() == 12
    assert PollChoice.objects.count() == 12
    counts = dict((o["id"], o["votes"]) for o in results["options"])
    assert counts[a] == 0 and counts[b] + counts[c] == 12 and counts[b] >= 8


def test_a_ballot_racing_the_close_is_either_counted_or_refused(concurrent_db, main_stage, summit, moderator):
    voters = []
    for n in range(10):
        person = make_person(f"voter{n}")
        Registration.objects.create(summit=summit, user=person)
        voters.append(person)
    poll = polls.do_create_poll(moderator.pk, main_stage.pk, "staff", "Last call", ["A", "B"])["event"]
    refused = []

    def work(n):
        if n == 10:
            return polls.do_close_poll(moderator.pk, main_stage.pk, "staff", poll["id"])
        try:
            polls.do_vote_in_poll(voters[n].pk, main_stage.pk, poll["id"], [poll["options"][0]["id"]])
        except Invalid:
            refused.append(n)

    run_in_threads(work, 11)
    final = RoomEvent.objects.get(room=main_stage, type="poll.updated").payload
    assert final["voters"] == PollBallot.objects.filter(poll_id=poll["id"]).count() == 10 - len(refused)
