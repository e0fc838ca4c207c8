"""Polls in each language of the summit: every reader gets the poll's texts in their own language, falling
back to the original; plain strings still work; bad texts are refused whole."""

import importlib

import pytest
from channels.db import database_sync_to_async
from django.apps import apps

from events.models import Registration
from livechat import hub, polls
from livechat.models import Poll, PollOption, RoomEvent
from tests.conftest import make_person
from tests.live import join, next_frame, orm, room_path, send

pytestmark = pytest.mark.django_db(transaction=True)

QUESTION = {"en": "Which market first?", "fr": "Quel marché d'abord ?", "zh-hans": "先进入哪个市场？"}
OPTIONS = [
    {"en": "Europe", "fr": "L'Europe", "zh-hans": "欧洲"},
    {"en": "China", "fr": "La Chine", "zh-hans": "中国"},
]


@pytest.fixture
def attendee_london(summit):
    user = make_person("oliver", name="Oliver Smith", language="en")
    Registration.objects.create(summit=summit, user=user)
    return user


def texts_of(frame):
    return frame["question"], [option["label"] for option in frame["options"]]


async def create(socket, question=QUESTION, options=OPTIONS, **fields):
    await send(socket, {"type": "poll.create", "question": question, "options": options, **fields})


async def test_each_attendee_reads_the_poll_in_their_own_language(
    main_stage, live_keynote, moderator, attendee_paris, attendee_shanghai, attendee_london, cookies
):
    mo, _ = await join(await cookies(moderator))
    camille, _ = await join(await cookies(attendee_paris))
    lina, _ = await join(await cookies(attendee_shanghai))
    oliver, _ = await join(await cookies(attendee_london))
    await create(mo)
    french, chinese, english = (await next_frame(camille)), (await next_frame(lina)), (await next_frame(oliver))
    assert texts_of(french) == ("Quel marché d'abord ?", ["L'Europe", "La Chine"])
    assert texts_of(chinese) == ("先进入哪个市场？", ["欧洲", "中国"])
    assert texts_of(english) == ("Which market first?", ["Europe", "China"])
    # One poll, one seq, the same option ids: only the words differ.
    assert {f["seq"] for f in (french, chinese, english)} == {1}
    assert french["options"][0]["id"] == chinese["options"][0]["id"] == english["options"][0]["id"]
    assert "question_i18n" not in french and "label_i18n" not in french["options"][0]
    await mo.disconnect(), await camille.disconnect(), await lina.disconnect(), await oliver.disconnect()


async def test_moderators_get_the_poll_in_their_language_and_every_languages_text(main_stage, moderator, cookies):
    mo, _ = await join(await cookies(moderator))
    await create(mo)
    mine = await next_frame(mo)
    assert texts_of(mine) == ("Which market first?", ["Europe", "China"])
    assert mine["question_i18n"] == QUESTION
    assert [option["label_i18n"] for option in mine["options"]] == OPTIONS
    await mo.disconnect()


async def test_a_language_without_its_own_text_reads_the_original(
    main_stage, moderator, attendee_paris, attendee_shanghai, attendee_london, cookies
):
    mo, _ = await join(await cookies(moderator))
    camille, _ = await join(await cookies(attendee_paris))
    lina, _ = await join(await cookies(attendee_shanghai))
    oliver, _ = await join(await cookies(attendee_london))
    # Written in French and Chinese only (not the summit's main language, English): French is the original.
    question = {"zh-hans": "先进入哪个市场？", "fr": "Quel marché d'abord ?"}
    await create(mo, question=question, options=[{"fr": "L'Europe"}, {"fr": "La Chine", "zh-hans": "中国"}])
    assert texts_of(await next_frame(oliver)) == ("Quel marché d'abord ?", ["L'Europe", "La Chine"])
    assert texts_of(await next_frame(lina)) == ("先进入哪个市场？", ["L'Europe", "中国"])
    assert texts_of(await next_frame(camille)) == ("Quel marché d'abord ?", ["L'Europe", "La Chine"])
    poll = await orm(Poll.objects.get)
    assert poll.question == "Quel marché d'abord ?" and poll.question_i18n == question
    await mo.disconnect(), await camille.disconnect(), await lina.disconnect(), await oliver.disconnect()


async def test_plain_strings_still_open_a_poll_everyone_reads_alike(
    main_stage, moderator, attendee_paris, attendee_shanghai, cookies
):
    mo, _ = await join(await cookies(moderator))
    camille, _ = await join(await cookies(attendee_paris))
    lina, _ = await join(await cookies(attendee_shanghai))
    await create(mo, question="Which market first?", options=["Europe", "China"])
    french, chinese = await next_frame(camille), await next_frame(lina)
    assert french == chinese and texts_of(french) == ("Which market first?", ["Europe", "China"])
    # A string is the summit's main language's text, as the API takes translated fields.
    poll = await orm(Poll.objects.get)
    assert poll.question_i18n == {"en": "Which market first?"}
    assert await orm(lambda: [o.label_i18n for o in poll.options.order_by("position")]) == [
        {"en": "Europe"},
        {"en": "China"},
    ]
    await mo.disconnect(), await camille.disconnect(), await lina.disconnect()


async def test_a_poll_may_mix_strings_and_texts_per_language(main_stage, moderator, attendee_paris, cookies):
    mo, _ = await join(await cookies(moderator))
    camille, _ = await join(await cookies(attendee_paris))
    await create(mo, question="Which market first?", options=[{"en": "Europe", "fr": "L'Europe"}, "China"])
    assert texts_of(await next_frame(camille)) == ("Which market first?", ["L'Europe", "China"])
    await mo.disconnect(), await camille.disconnect()


async def test_room_state_replay_and_closing_give_each_reader_their_language(
    main_stage, live_keynote, moderator, attendee_paris, attendee_shanghai, cookies
):
    create_poll = database_sync_to_async(polls.do_create_poll)
    opened = (await create_poll(moderator.pk, main_stage.pk, "staff", QUESTION, OPTIONS))["event"]
    camille, state = await join(await cookies(attendee_paris))
    assert [texts_of(poll) for poll in state["polls"]] == [("Quel marché d'abord ?", ["L'Europe", "La Chine"])]
    lina, _ = await join(await cookies(attendee_shanghai), room_path(since=0))
    replayed = await next_frame(lina)
    assert replayed["type"] == "poll.created" and texts_of(replayed) == ("先进入哪个市场？", ["欧洲", "中国"])
    mo, _ = await join(await cookies(moderator))
    await send(mo, {"type": "poll.close", "poll_id": opened["id"]})
    closed_fr, closed_zh = await next_frame(camille), await next_frame(lina)
    assert closed_fr["type"] == closed_zh["type"] == "poll.updated"
    assert texts_of(closed_fr) == ("Quel marché d'abord ?", ["L'Europe", "La Chine"])
    assert texts_of(closed_zh) == ("先进入哪个市场？", ["欧洲", "中国"])
    await mo.disconnect(), await camille.disconnect(), await lina.disconnect()


async def test_a_repeated_client_id_sends_the_original_back_in_the_senders_language(
    main_stage, summit, attendee_paris, cookies
):
    await orm(Registration.objects.filter(user=attendee_paris).update, role=Registration.Role.MODERATOR)
    mo, _ = await join(await cookies(attendee_paris))  # a French-reading moderator
    await create(mo, client_id="p1")
    first = await next_frame(mo)
    await create(mo, client_id="p1")
    again = await next_frame(mo)
    assert again == first and texts_of(again) == ("Quel marché d'abord ?", ["L'Europe", "La Chine"])
    await mo.disconnect()


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"question": {"en": "Which?", "de": "Welcher?"}}, "invalid"),  # not a language of the platform
        ({"question": {"en": "Which?", "fr": "   "}}, "invalid"),  # empty text
        ({"question": {"fr": "x" * 301}}, "too_large"),
        ({"question": {"en": 5}}, "invalid"),
        ({"question": ["Which?"]}, "invalid"),
        ({"question": {}}, "invalid"),
        ({"options": [{"en": "A"}, {"xx": "B"}]}, "invalid"),
        ({"options": [{"en": "A", "fr": ""}, "B"]}, "invalid"),
        ({"options": [{"en": "A", "fr": "x" * 201}, "B"]}, "too_large"),
        ({"options": [{"en": "A"}, 7]}, "invalid"),
        ({"options": [{"en": "A", "fr": "Oui"}, {"en": "B", "fr": "Oui"}]}, "invalid"),  # the same in French
    ],
)
async def test_bad_texts_are_refused_with_a_reason_and_nothing_is_stored(main_stage, moderator, cookies, fields, code):
    mo, _ = await join(await cookies(moderator))
    await create(mo, **{"question": QUESTION, "options": OPTIONS, **fields}, client_id="bad")
    error = await next_frame(mo)
    assert error["type"] == "error" and error["code"] == code and error["client_id"] == "bad"
    assert error["detail"]
    assert await orm(Poll.objects.count) == await orm(PollOption.objects.count) == 0
    assert await orm(RoomEvent.objects.count) == 0
    await mo.disconnect()


async def test_a_language_the_summit_does_not_run_in_is_refused(main_stage, summit, moderator, cookies):
    summit.languages = ["en", "fr"]
    await orm(summit.save)
    mo, _ = await join(await cookies(moderator))
    await create(mo)
    error = await next_frame(mo)
    assert error["code"] == "invalid" and "zh-hans" in error["detail"]
    assert await orm(Poll.objects.count) == 0
    await mo.disconnect()


async def test_a_poll_from_before_languages_reads_its_text_everywhere(
    main_stage, live_keynote, moderator, attendee_shanghai, cookies
):
    def old_poll():
        poll = Poll.objects.create(room=main_stage, session=live_keynote, author=moderator, question="Old?")
        PollOption.objects.bulk_create(
            [PollOption(poll=poll, position=0, label="Yes"), PollOption(poll=poll, position=1, label="No")]
        )

    await database_sync_to_async(old_poll)()
    lina, state = await join(await cookies(attendee_shanghai))
    assert [texts_of(poll) for poll in state["polls"]] == [("Old?", ["Yes", "No"])]
    await lina.disconnect()


def test_the_migration_keeps_existing_texts_as_the_main_languages(main_stage, moderator):
    poll = Poll.objects.create(room=main_stage, author=moderator, question="Old?")
    option = PollOption.objects.create(poll=poll, position=0, label="Yes")
    migration = importlib.import_module("livechat.migrations.0006_poll_texts_per_language")
    migration.keep_existing_texts_as_the_main_language(apps, None)
    poll.refresh_from_db(), option.refresh_from_db()
    assert poll.question_i18n == {"en": "Old?"} and option.label_i18n == {"en": "Yes"}


def test_a_poll_event_is_encoded_once_per_reading_not_per_socket(main_stage, moderator):
    payload = polls.do_create_poll(
        moderator.pk, main_stage.pk, "staff", {"en": "Which?", "fr": "Lequel ?"}, [{"en": "A"}, {"en": "B"}]
    )["event"]
    envelope = hub.Envelope.of_event(payload)
    # Attendees: the original and French; those who run polls: the same two, with every text.
    assert sorted(envelope.texts) == sorted(["attendee", "attendee@fr", "speaker", "speaker@fr", "staff", "staff@fr"])
    assert len(set(envelope.texts.values())) == 4

    class Reader:
        user_id, kind = 0, "attendee"  # nobody's own event

        def __init__(self, language):
            self.language = language

    assert envelope.text_for(Reader("fr")) == envelope.texts["attendee@fr"]
    assert envelope.text_for(Reader("zh-hans")) == envelope.text_for(Reader(None)) == envelope.texts["attendee"]
    plain = polls.do_create_poll(moderator.pk, main_stage.pk, "staff", "Which?", ["A", "B"])["event"]
    assert not any("@" in key for key in hub.Envelope.of_event(plain).texts)
