"""Common meeting slots: the time rules applied to both parties' accepted meetings."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from partnering.models import Meeting, Participation
from partnering.services.timerules import (
    DEFAULT_STEP, UTC, check_duration, check_step, in_office_hours, meeting_days, minutes_outside, office_grid,
    slot_out,
)

NEAREST_COUNT = 5


def is_busy(profile, starts_at, ends_at, exclude_meeting=None):
    """True when the side has an accepted meeting overlapping [starts_at, ends_at)."""
    overlapping = Q(status=Meeting.Status.ACCEPTED, starts_at__lt=ends_at, ends_at__gt=starts_at)
    meetings = Meeting.objects.filter(overlapping & (Q(requester=profile) | Q(invitee=profile)))
    seats = Participation.objects.filter(overlapping, user_id=profile.user_id) if profile.user_id else None
    if exclude_meeting is not None:
        meetings = meetings.exclude(pk=exclude_meeting.pk)
        seats = seats.exclude(meeting=exclude_meeting) if seats is not None else None
    return meetings.exists() or (seats is not None and seats.exists())


def _accepted_spans(profile, summit):
    days = meeting_days(summit)
    since = dt.datetime.combine(days[0] - dt.timedelta(days=1), dt.time(0), tzinfo=UTC)
    until = dt.datetime.combine(days[-1] + dt.timedelta(days=2), dt.time(0), tzinfo=UTC)
    overlapping = Q(status=Meeting.Status.ACCEPTED, starts_at__lt=until, ends_at__gt=since)
    spans = set(Meeting.objects.filter(overlapping & (Q(requester=profile) | Q(invitee=profile)))
                .values_list("starts_at", "ends_at"))
    if profile.user_id:
        spans |= set(Participation.objects.filter(overlapping, user_id=profile.user_id)
                     .values_list("starts_at", "ends_at"))
    return spans


def common_slots(me, them, summit, duration, step=DEFAULT_STEP, now=None, nearest=False):
    """Slots inside both parties' office hours on the meeting days, free for both, after `now`.

    With `nearest`, when there is no common slot, returns instead up to
    NEAREST_COUNT slots inside THEIR hours that fall least outside yours
    (bookable with outside_hours_ok), each with `outside_hours` in minutes.
    Returns (slots, common: bool).
    """
    length, stride = check_duration(duration), check_step(step)
    now = now or timezone.now()
    busy = _accepted_spans(me, summit) | _accepted_spans(them, summit)

    def free(at):
        end = at + length
        return at > now and not any(s < end and e > at for s, e in busy)

    starts = sorted({at for p in (me, them) for at in office_grid(p, summit, length, stride)})
    found = [at for at in starts if free(at) and in_office_hours(me, summit, at, at + length)
             and in_office_hours(them, summit, at, at + length)]
    if found or not nearest:
        return [slot_out(me, them, at, at + length, now) for at in found], True
    candidates = []
    for at in sorted(set(office_grid(me, summit, length, stride, whole_day=True))):
        if free(at) and in_office_hours(them, summit, at, at + length):
            outside = minutes_outside(me, summit, at, at + length)
            if outside < 24 * 60:
                candidates.append((outside, at))
    candidates.sort()
    chosen = sorted(at for _outside, at in candidates[:NEAREST_COUNT])
    return [slot_out(me, them, at, at + length, now, summit) for at in chosen], False


