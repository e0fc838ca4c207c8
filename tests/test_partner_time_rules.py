"""The partnering time rules are plain functions of zones and clocks: no database, no models needed."""

import datetime as dt
from types import SimpleNamespace

import pytest

from partnering.services import timerules
from summit.errors import Invalid

SUMMIT = SimpleNamespace(starts_on=dt.date(2027, 3, 26), ends_on=dt.date(2027, 3, 30))


def party(tz, start="09:00", end="18:00", weekdays=(1, 2, 3, 4, 5), city=""):
    return SimpleNamespace(
        timezone=tz,
        city=city,
        office_start=dt.time.fromisoformat(start),
        office_end=dt.time.fromisoformat(end),
        office_weekdays=list(weekdays),
    )


def utc(*args):
    return dt.datetime(*args, tzinfo=dt.UTC)


def test_a_slot_inside_local_office_hours_is_inside():
    paris = party("Europe/Paris")
    assert timerules.minutes_outside(paris, SUMMIT, utc(2027, 3, 29, 8, 0), utc(2027, 3, 29, 8, 30)) == 0


def test_minutes_before_office_start_are_counted_on_the_local_clock():
    shanghai = party("Asia/Shanghai")  # UTC+8: 00:30 UTC is 08:30 local, half an hour early
    assert timerules.minutes_outside(shanghai, SUMMIT, utc(2027, 3, 29, 0, 30), utc(2027, 3, 29, 1, 0)) == 30


def test_a_weekend_or_a_day_off_the_summit_is_a_whole_day_outside():
    paris = party("Europe/Paris")
    saturday = utc(2027, 3, 27, 9, 0)
    assert timerules.minutes_outside(paris, SUMMIT, saturday, saturday + dt.timedelta(minutes=30)) == 24 * 60
    after_summit = utc(2027, 3, 31, 9, 0)
    assert timerules.minutes_outside(paris, SUMMIT, after_summit, after_summit + dt.timedelta(minutes=30)) == 24 * 60


def test_europes_clock_change_is_found_to_the_minute():
    changes = timerules.clock_changes_between(["Europe/Paris", "Asia/Shanghai"], utc(2027, 3, 26), utc(2027, 3, 30))
    assert changes == [(utc(2027, 3, 28, 1, 0), "Europe/Paris")]


def test_no_clock_change_in_an_empty_or_reversed_window():
    assert timerules.clock_changes_between(["Europe/Paris"], utc(2027, 3, 30), utc(2027, 3, 26)) == []


def test_office_grid_follows_the_local_wall_clock_across_the_clock_change():
    paris = party("Europe/Paris", start="09:00", end="10:00")
    starts = list(timerules.office_grid(paris, SUMMIT, dt.timedelta(minutes=30), dt.timedelta(minutes=30)))
    friday, monday = [at for at in starts if at.day == 26], [at for at in starts if at.day == 29]
    assert friday == [utc(2027, 3, 26, 8, 0), utc(2027, 3, 26, 8, 30)]  # UTC+1 in winter
    assert monday == [utc(2027, 3, 29, 7, 0), utc(2027, 3, 29, 7, 30)]  # UTC+2 in summer


def test_a_slot_reads_in_both_local_times_and_warns_of_a_clock_change_in_between():
    paris, shanghai = party("Europe/Paris"), party("Asia/Shanghai", city="Qingdao")
    slot = timerules.slot_out(paris, shanghai, utc(2027, 3, 29, 7), utc(2027, 3, 29, 7, 30), now=utc(2027, 3, 26))
    assert slot["local"]["you"].isoformat() == "2027-03-29T09:00:00+02:00"
    assert slot["local"]["them"].isoformat() == "2027-03-29T15:00:00+08:00"
    assert slot["label"] == "09:00 Paris · 15:00 Qingdao"
    assert slot["clock_change_before"] is True


@pytest.mark.parametrize("minutes", [0, 20, 240])
def test_only_listed_meeting_lengths_are_accepted(minutes):
    with pytest.raises(Invalid):
        timerules.check_duration(minutes)
