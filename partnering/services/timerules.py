"""The time rules of partnering, as plain functions of zones and clocks: no database here.

- A slot is inside a party's office hours when, on that party's own wall
  clock (zoneinfo, so clock changes are honoured), it starts and ends on the
  same local date, that date is one of the summit's meeting days
  (Summit.starts_on..ends_on) and one of the party's office weekdays, and it
  lies within office_start..office_end.
- `clock_change_before` is true when either party's zone changes its UTC
  offset after the reference instant (now, when the answer is computed) and
  at or before the slot's start: the meeting keeps its true instant, but a
  calendar read "at the usual offset" would be wrong, so pages warn.

They take anything with `timezone`, `city`, `office_start`, `office_end` and
`office_weekdays` (a PartnerProfile, or a plain object in tests) and a summit's
`starts_on`/`ends_on`.
"""

import datetime as dt
import functools
import zoneinfo

from django.utils.translation import gettext as _

from summit.errors import Invalid

UTC = dt.UTC
DURATIONS = (15, 30, 45, 60, 90, 120)
STEPS = (15, 30, 60)
DEFAULT_STEP = 30


def zone_city(tz_name):
    """ "Europe/Paris" -> "Paris": the words people use beside a local time."""
    return tz_name.rsplit("/", 1)[-1].replace("_", " ")


def place_of(profile):
    return profile.city or zone_city(profile.timezone)


def meeting_days(summit):
    return [summit.starts_on + dt.timedelta(days=n) for n in range((summit.ends_on - summit.starts_on).days + 1)]


def _minutes(t):
    return t.hour * 60 + t.minute + t.second / 60


def minutes_outside(profile, summit, starts_at, ends_at):
    """How many minutes of [starts_at, ends_at) fall outside the profile's office hours (0 = inside).

    Off a meeting day, an office weekday, or across local midnight counts as a
    whole day outside: such a slot is never "nearly" fine.
    """
    tz = zoneinfo.ZoneInfo(profile.timezone)
    start, end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    if start.date() not in meeting_days(summit):
        return 24 * 60
    if start.date() != end.date() and not (
        end.date() == start.date() + dt.timedelta(days=1) and end.time() == dt.time(0)
    ):
        return 24 * 60
    if start.isoweekday() not in profile.office_weekdays:
        return 24 * 60
    s, e = _minutes(start.time()), _minutes(end.time()) or 24 * 60
    return round(max(0, _minutes(profile.office_start) - s) + max(0, e - _minutes(profile.office_end)))


def in_office_hours(profile, summit, starts_at, ends_at):
    return minutes_outside(profile, summit, starts_at, ends_at) == 0


@functools.lru_cache(maxsize=256)
def _offset_changes(tz_name, first_day, last_day):
    """Instants (to the minute) at which `tz_name` changes its UTC offset between two UTC dates."""
    tz = zoneinfo.ZoneInfo(tz_name)
    changes = []
    day = dt.datetime.combine(first_day, dt.time(0), tzinfo=UTC)
    stop = dt.datetime.combine(last_day, dt.time(0), tzinfo=UTC) + dt.timedelta(days=1)
    while day < stop:
        after = day + dt.timedelta(days=1)
        if day.astimezone(tz).utcoffset() != after.astimezone(tz).utcoffset():
            low, high = day, after  # offset(low) differs from offset(high): bisect to the minute
            while high - low > dt.timedelta(minutes=1):
                mid = low + (high - low) / 2
                if mid.astimezone(tz).utcoffset() == low.astimezone(tz).utcoffset():
                    low = mid
                else:
                    high = mid
            changes.append(high.replace(second=0, microsecond=0))
        day = after
    return tuple(changes)


def clock_changes_between(tz_names, since, until):
    """Offset changes in any of the zones in (since, until], earliest first, as (instant, zone)."""
    if until <= since:
        return []
    found = []
    for name in sorted(set(tz_names)):
        for at in _offset_changes(name, since.astimezone(UTC).date(), until.astimezone(UTC).date()):
            if since < at <= until:
                found.append((at, name))
    return sorted(found)


def local_label(at, profile):
    return f"{at.astimezone(zoneinfo.ZoneInfo(profile.timezone)):%H:%M} {place_of(profile)}"


def slot_out(me, them, starts_at, ends_at, now, summit=None):
    changes = clock_changes_between([me.timezone, them.timezone], now, starts_at)
    result = {
        "starts_at": starts_at.astimezone(UTC),
        "ends_at": ends_at.astimezone(UTC),
        "local": {
            "you": starts_at.astimezone(zoneinfo.ZoneInfo(me.timezone)),
            "them": starts_at.astimezone(zoneinfo.ZoneInfo(them.timezone)),
        },
        "label": f"{local_label(starts_at, me)} · {local_label(starts_at, them)}",
        "clock_change_before": bool(changes),
        "clock_changes": [{"at": at, "timezone": name} for at, name in changes],
    }
    if summit is not None:
        result["outside_hours"] = {
            "you": minutes_outside(me, summit, starts_at, ends_at),
            "them": minutes_outside(them, summit, starts_at, ends_at),
        }
    return result


def check_duration(minutes):
    if minutes not in DURATIONS:
        raise Invalid(_("A meeting lasts one of %(allowed)s minutes.") % {"allowed": ", ".join(map(str, DURATIONS))})
    return dt.timedelta(minutes=minutes)


def check_step(minutes):
    if minutes not in STEPS:
        raise Invalid(_("step must be one of %(allowed)s minutes.") % {"allowed": ", ".join(map(str, STEPS))})
    return dt.timedelta(minutes=minutes)


def office_grid(profile, summit, length, step, whole_day=False):
    """Start instants on the profile's own wall clock: office start + k * step (or the whole day)."""
    tz = zoneinfo.ZoneInfo(profile.timezone)
    first = dt.time(0) if whole_day else profile.office_start
    last_minute = 24 * 60 if whole_day else _minutes(profile.office_end)
    for day in meeting_days(summit):
        wall = dt.datetime.combine(day, first)
        while _minutes(wall.time()) + length.total_seconds() / 60 <= last_minute and wall.date() == day:
            at = wall.replace(tzinfo=tz).astimezone(UTC)
            if at.astimezone(tz).replace(tzinfo=None) == wall:  # skip wall times a clock change jumps over
                yield at
            wall += step
