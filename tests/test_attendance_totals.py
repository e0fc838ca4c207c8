"""Attendance folded as intervals close: the report's figures equal a count made from the intervals themselves."""

import datetime as dt
import math
import random
import statistics

import pytest
from django.core.management import call_command

from events.models import Registration, Room, Session
from events.services import SessionChange, do_update_session
from livechat import services
from livechat.attendance_totals import do_fold_closed_attendance, do_refold_summit
from livechat.models import Attendance, PresenceChange, WatchTime
from privacy.services import do_delete_account
from scheduler import reports
from tests.conftest import at_paris, make_person, make_session

pytestmark = pytest.mark.django_db

DAY = dt.date(2027, 3, 29)
NOW = at_paris(DAY, "10:40")


def second(moment):
    return math.floor(moment.timestamp())


def end_of(row, now):
    return row.left_at or row.last_seen_at or now


def brute_force(summit, now):
    """The report's attendance figures counted straight from every interval, second by second."""
    rows = list(Attendance.objects.filter(room__summit=summit))
    sessions = Session.objects.filter(summit=summit, status=Session.Status.PUBLISHED)
    figures = {}
    for session in sessions:
        length = (session.ends_at - session.starts_at).total_seconds()
        watched = {}
        for row in rows:
            end = end_of(row, now)
            if row.room_id == session.room_id and row.joined_at < session.ends_at and end > session.starts_at:
                clipped = min(end, session.ends_at) - max(row.joined_at, session.starts_at)
                watched[row.user_id] = watched.get(row.user_id, 0) + clipped.total_seconds()
        minutes = [min(seconds, length) / 60 for seconds in watched.values()]
        in_room = [row for row in rows if row.room_id == session.room_id]
        peak = max(
            (
                sum(second(row.joined_at) <= s < second(end_of(row, now)) for row in in_room)
                for s in range(second(session.starts_at), second(session.ends_at))
            ),
            default=0,
        )
        figures[session.pk] = {
            "unique_attendees": len(minutes),
            "avg_watch_minutes": statistics.fmean(minutes) if minutes else 0,
            "median_watch_minutes": statistics.median(minutes) if minutes else 0,
            "peak_concurrent": peak,
        }
    return figures


def brute_force_timeline(summit, now):
    """(bucket minutes, [people connected at most in each bucket]) over all the summit's rooms."""
    spans = [
        (second(row.joined_at), second(end_of(row, now))) for row in Attendance.objects.filter(room__summit=summit)
    ]
    counted = [(joined, left) for joined, left in spans if joined != left]  # within one second: never connected
    first, last = min(joined for joined, _left in counted), max(left for _joined, left in counted)
    minutes = next((b for b in reports.BUCKETS if (last - first) / (b * 60) <= reports.MAX_POINTS), 1440)
    size = minutes * 60
    points = [
        max(sum(joined <= s < left for joined, left in spans) for s in range(bucket * size, (bucket + 1) * size))
        for bucket in range(first // size, last // size + 1)
    ]
    return minutes, points


def assert_report_matches_the_intervals(summit, now=NOW):
    data = reports.build_report(summit, now=now)
    expected = brute_force(summit, now)
    for row in data["sessions"]:
        want = expected[row["id"]]
        assert row["unique_attendees"] == want["unique_attendees"], row["title"]
        assert row["peak_concurrent"] == want["peak_concurrent"], row["title"]
        for figure in ("avg_watch_minutes", "median_watch_minutes"):
            # The report rounds to 0.1 minute; float sums in another order may land on the other side of .x5.
            assert row[figure] == pytest.approx(want[figure], abs=0.05 + 1e-9), (row["title"], figure)
    minutes, points = brute_force_timeline(summit, now)
    assert data["timeline"]["bucket_minutes"] == minutes
    assert [n for _t, n in data["timeline"]["points"]] == [*points, 0]  # closed by everybody gone
    return data


@pytest.fixture
def rooms(summit):
    """Two rooms, three short sessions (short, so the brute force can count every second)."""
    hall = Room.objects.create(summit=summit, slug="hall", name="Hall")
    annex = Room.objects.create(summit=summit, slug="annex", name="Annex", position=1)
    sessions = [
        make_session(summit, hall, "Hall one", at_paris(DAY, "10:00"), 10),
        make_session(summit, hall, "Hall two", at_paris(DAY, "10:12"), 8),
        make_session(summit, annex, "Annex one", at_paris(DAY, "10:05"), 15),
    ]
    return hall, annex, sessions


def people(summit, count):
    found = []
    for index in range(count):
        person = make_person(f"viewer{index}")
        Registration.objects.create(summit=summit, user=person)
        found.append(person)
    return found


def record(rng, viewers, rooms):
    """Random closed intervals, folded as the live rooms fold them; the awkward cases on purpose."""
    start = at_paris(DAY, "09:55")
    closed = []

    def interval(person, room, joined, left, **fields):
        row = Attendance.objects.create(user=person, room=room, joined_at=joined, left_at=left, **fields)
        closed.append(row.pk)
        return row

    for _ in range(60):
        person, room = rng.choice(viewers), rng.choice(rooms)
        joined = start + dt.timedelta(seconds=rng.uniform(0, 30 * 60))
        left = joined + dt.timedelta(seconds=rng.choice([0.2, 0.7, rng.uniform(1, 900)]))
        interval(person, room, joined, left)
        if rng.random() < 0.3:  # a second tab overlapping the first
            interval(person, room, joined + dt.timedelta(seconds=20), left + dt.timedelta(seconds=40))
        if rng.random() < 0.3:  # a reconnect within the same second as the leave
            back = left + dt.timedelta(microseconds=rng.randrange(1, 1000))
            interval(person, room, back, back + dt.timedelta(seconds=rng.uniform(1, 300)))
    hall = rooms[0]
    # Across the session's start and end, and one ending exactly at its start.
    interval(viewers[0], hall, at_paris(DAY, "09:58"), at_paris(DAY, "10:11"))
    interval(viewers[1], hall, at_paris(DAY, "09:59"), at_paris(DAY, "10:00"))
    do_fold_closed_attendance(closed)


def leave_open(viewers, rooms, now):
    """Still connected (seen lately, or never seen but joined lately) and stale ones a dead process left."""
    hall, annex = rooms
    Attendance.objects.create(
        user=viewers[2], room=hall, joined_at=at_paris(DAY, "10:13"), last_seen_at=now - dt.timedelta(seconds=20)
    )
    Attendance.objects.create(user=viewers[3], room=annex, joined_at=now - dt.timedelta(seconds=30))
    Attendance.objects.create(user=viewers[3], room=annex, joined_at=at_paris(DAY, "10:06"))  # second tab
    for person, seen in ((viewers[4], "10:09"), (viewers[5], "10:16")):
        Attendance.objects.create(
            user=person, room=hall, joined_at=at_paris(DAY, "10:02"), last_seen_at=at_paris(DAY, seen)
        )
    Attendance.objects.create(user=viewers[6], room=annex, joined_at=at_paris(DAY, "10:07"))  # never seen


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_folded_report_equals_a_count_from_the_intervals(summit, rooms, seed):
    hall, annex, _sessions = rooms
    viewers = people(summit, 8)
    record(random.Random(seed), viewers, [hall, annex])
    leave_open(viewers, [hall, annex], NOW)
    assert_report_matches_the_intervals(summit)
    assert services.close_stale_attendance(now=NOW) == 4  # two seen long ago, two never seen since joining long ago
    assert_report_matches_the_intervals(summit)


def test_many_people_still_connected_move_the_median_exactly(summit, rooms):
    """The median among folded and growing times (PostgreSQL reads only the middle rows of the folded)."""
    hall, _annex, _sessions = rooms
    viewers = people(summit, 12)
    closed = [
        Attendance.objects.create(
            user=person,
            room=hall,
            joined_at=at_paris(DAY, "10:00"),
            left_at=at_paris(DAY, "10:00") + dt.timedelta(seconds=30 * (index + 1)),
        ).pk
        for index, person in enumerate(viewers[:7])
    ]
    do_fold_closed_attendance(closed)
    for index, person in enumerate(viewers[3:]):  # some also have folded time, some only the open interval
        Attendance.objects.create(
            user=person, room=hall, joined_at=at_paris(DAY, "10:00"), last_seen_at=at_paris(DAY, f"10:0{index}")
        )
    for now in (at_paris(DAY, "10:05"), at_paris(DAY, "10:30")):
        assert_report_matches_the_intervals(summit, now=now)


def test_closing_an_interval_twice_folds_it_once(summit, rooms, attendee_paris):
    hall, _annex, (hall_one, _two, _three) = rooms
    # Leaving closes at the real time: a window around it.
    Session.objects.filter(pk=hall_one.pk).update(
        starts_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC), ends_at=dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
    )
    entered = Attendance.objects.create(
        user=attendee_paris, room=hall, joined_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=3)
    )
    services.do_leave_room(entered.pk)
    folded = WatchTime.objects.get(session=hall_one, user=attendee_paris).seconds
    changes = list(PresenceChange.objects.filter(room=hall).values_list("second", "change"))
    services.do_leave_room(entered.pk)
    services.close_stale_attendance()
    assert WatchTime.objects.get(session=hall_one, user=attendee_paris).seconds == folded
    assert sorted(changes) == sorted(PresenceChange.objects.filter(room=hall).values_list("second", "change"))
    entered.refresh_from_db()
    assert folded == pytest.approx((entered.left_at - entered.joined_at).total_seconds())


def test_moving_a_session_refolds_its_watch_time(
    summit, rooms, organiser, attendee_paris, django_capture_on_commit_callbacks
):
    hall, annex, (hall_one, _two, _three) = rooms
    viewers = people(summit, 4)
    record(random.Random(4), viewers, [hall, annex])
    with django_capture_on_commit_callbacks(execute=True):
        do_update_session(
            organiser,
            hall_one,
            SessionChange(starts_at=at_paris(DAY, "10:20"), ends_at=at_paris(DAY, "10:35"), room="annex"),
        )
    assert Session.objects.get(pk=hall_one.pk).room == annex
    assert_report_matches_the_intervals(summit)
    with django_capture_on_commit_callbacks(execute=True):
        do_update_session(organiser, hall_one, SessionChange(ends_at=at_paris(DAY, "10:45")))
    assert_report_matches_the_intervals(summit)


def test_deleting_an_account_takes_their_time_out_of_the_report(summit, rooms, attendee_paris):
    hall, annex, _sessions = rooms
    viewers = [attendee_paris, *people(summit, 5)]
    record(random.Random(5), viewers, [hall, annex])
    assert Attendance.objects.filter(user=attendee_paris).exists()
    do_delete_account(attendee_paris, attendee_paris.email)
    assert not Attendance.objects.filter(user=attendee_paris).exists()
    assert not WatchTime.objects.filter(user=attendee_paris).exists()
    assert_report_matches_the_intervals(summit)


def test_refold_command_rebuilds_a_summit_from_its_intervals_idempotently(summit, rooms):
    hall, annex, _sessions = rooms
    record(random.Random(6), people(summit, 6), [hall, annex])
    WatchTime.objects.all().delete()
    PresenceChange.objects.filter(room=hall).update(change=7)
    call_command("refold_attendance", summit.slug)
    assert_report_matches_the_intervals(summit)
    do_refold_summit(summit.pk)
    assert_report_matches_the_intervals(summit)
