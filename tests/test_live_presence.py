"""Presence counts, aggregated reactions, and attendance intervals that always end."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from livechat import hub, services
from livechat.models import Attendance, ReactionTally
from summit.errors import Invalid
from tests.live import eventually, frames_until, join, orm, send

pytestmark = pytest.mark.django_db(transaction=True)


def presence_is(count):
    return lambda frame: frame["type"] == "presence" and frame["count"] == count


async def test_presence_count_follows_people_joining_and_leaving(
    main_stage, attendee_paris, attendee_shanghai, cookies
):
    camille, state = await join(await cookies(attendee_paris))
    assert state["presence"]["count"] == 1
    lina, state = await join(await cookies(attendee_shanghai))
    assert state["presence"]["count"] == 2
    await frames_until(camille, presence_is(2), skip=())
    await lina.disconnect()
    await frames_until(camille, presence_is(1), skip=())
    await camille.disconnect()


async def test_reactions_are_aggregated_into_one_frame_per_window(
    main_stage, live_keynote, attendee_paris, attendee_shanghai, cookies, monkeypatch
):
    monkeypatch.setattr(hub, "RATE_BURST", 50.0)
    camille, _ = await join(await cookies(attendee_paris))
    lina, _ = await join(await cookies(attendee_shanghai))
    for _ in range(7):
        await send(camille, {"type": "reaction.send", "emoji": "👏"})
    await send(lina, {"type": "reaction.send", "emoji": "❤️"})
    frames = await frames_until(lina, lambda f: f["type"] == "reaction" and f["emoji"] == "👏", skip=("presence",))
    clap = frames[-1]
    assert clap == {"type": "reaction", "emoji": "👏", "count": 7}

    def both_tallies():
        tallies = {t.emoji: (t.count, t.session_id) for t in ReactionTally.objects.all()}
        return tallies if len(tallies) == 2 else None

    assert await eventually(both_tallies) == {"👏": (7, live_keynote.pk), "❤️": (1, live_keynote.pk)}
    await camille.disconnect()
    await lina.disconnect()


def test_emoji_check_refuses_words_and_accepts_modified_emoji():
    assert services.check_emoji("👍🏽") == "👍🏽"
    assert services.check_emoji("❤️") == "❤️"
    for bad in ("", "ok", "👍 ", "<b>", "👍" * 9, 3):
        with pytest.raises(Invalid):
            services.check_emoji(bad)


async def test_attendance_is_recorded_with_the_live_session_and_closed_on_disconnect(
    main_stage, live_keynote, attendee_paris, cookies
):
    camille, _ = await join(await cookies(attendee_paris))
    row = await orm(Attendance.objects.get, user=attendee_paris)
    assert row.room_id == main_stage.pk and row.session_id == live_keynote.pk
    assert row.left_at is None and row.server and row.last_seen_at
    await camille.disconnect()
    row = await orm(Attendance.objects.get, pk=row.pk)
    assert row.left_at is not None and row.left_at >= row.joined_at


async def test_every_join_is_its_own_interval(main_stage, attendee_paris, cookies):
    for _ in range(2):
        socket, _state = await join(await cookies(attendee_paris))
        await socket.disconnect()
    assert await orm(Attendance.objects.filter(user=attendee_paris, left_at__isnull=False).count) == 2


def test_stale_intervals_of_a_dead_process_are_closed_at_their_last_heartbeat(main_stage, attendee_paris):
    now = timezone.now()
    seen = now - dt.timedelta(minutes=5)
    dead = Attendance.objects.create(
        user=attendee_paris, room=main_stage, joined_at=now - dt.timedelta(hours=1), last_seen_at=seen, server="dead:1"
    )
    alive = Attendance.objects.create(
        user=attendee_paris,
        room=main_stage,
        joined_at=now - dt.timedelta(hours=1),
        last_seen_at=now - dt.timedelta(minutes=5),
        server="alive:2",
    )
    assert services.do_heartbeat([alive.pk]) == 1
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.left_at == seen
    assert alive.left_at is None and alive.last_seen_at > seen


def test_close_stale_attendance_command(main_stage, attendee_paris):
    never_seen = Attendance.objects.create(
        user=attendee_paris, room=main_stage, joined_at=timezone.now() - dt.timedelta(hours=2), server="gone:3"
    )
    call_command("close_stale_attendance")
    never_seen.refresh_from_db()
    assert never_seen.left_at == never_seen.joined_at


async def test_open_sockets_are_heartbeaten_so_cleanup_leaves_them_open(
    main_stage, attendee_paris, cookies, monkeypatch
):
    monkeypatch.setattr(hub, "HEARTBEAT_EVERY", 0.1)
    camille, _ = await join(await cookies(attendee_paris))
    row = await orm(Attendance.objects.get, user=attendee_paris)
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    await orm(Attendance.objects.filter(pk=row.pk).update, last_seen_at=long_ago)

    def heartbeaten():
        fresh = Attendance.objects.get(pk=row.pk)
        return fresh if fresh.last_seen_at > long_ago else None

    assert (await eventually(heartbeaten)).left_at is None
    await camille.disconnect()
