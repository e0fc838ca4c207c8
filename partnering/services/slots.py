"""Common meeting slots: the time rules applied to what each party already has on.

A slot is left out when it overlaps, for either party: an accepted meeting;
a published session the person bookmarked or speaks in; a published session
the company pitches (Session.company) or one of its speakers speaks in. A
slot that overlaps one of the booking side's own pending requests stays in
the list marked `requested` (the page shows it, not bookable, so nobody asks
for two meetings at once without noticing); the other side's pending
requests are theirs to know and change nothing.
"""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from events.models import Session
from partnering.models import Meeting, Participation
from partnering.services.timerules import (
    DEFAULT_STEP,
    UTC,
    check_duration,
    check_step,
    in_office_hours,
    meeting_days,
    minutes_outside,
    office_grid,
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


def _accepted_spans(profile, summit, exclude_meeting=None):
    since, until = _window(summit)
    overlapping = Q(status=Meeting.Status.ACCEPTED, starts_at__lt=until, ends_at__gt=since)
    meetings = Meeting.objects.filter(overlapping & (Q(requester=profile) | Q(invitee=profile)))
    seats = Participation.objects.filter(overlapping, user_id=profile.user_id)
    if exclude_meeting is not None:
        meetings = meetings.exclude(pk=exclude_meeting.pk)
        seats = seats.exclude(meeting=exclude_meeting)
    spans = set(meetings.values_list("starts_at", "ends_at"))
    if profile.user_id:
        spans |= set(seats.values_list("starts_at", "ends_at"))
    return spans


def _window(summit):
    days = meeting_days(summit)
    since = dt.datetime.combine(days[0] - dt.timedelta(days=1), dt.time(0), tzinfo=UTC)
    until = dt.datetime.combine(days[-1] + dt.timedelta(days=2), dt.time(0), tzinfo=UTC)
    return since, until


def _session_spans(profile, summit):
    """The published sessions that keep this party busy: bookmarked or spoken in; pitched by the company."""
    since, until = _window(summit)
    if profile.company_id:
        involved = Q(company_id=profile.company_id) | Q(speakers__company_id=profile.company_id)
    else:
        involved = Q(bookmarks__user_id=profile.user_id) | Q(speakers__user_id=profile.user_id)
    sessions = Session.objects.filter(
        involved, summit=summit, status=Session.Status.PUBLISHED, starts_at__lt=until, ends_at__gt=since
    )
    return set(sessions.values_list("starts_at", "ends_at").distinct())


def _requested_spans(profile, summit, exclude_meeting=None):
    """The side's own pending requests (asked or asked of it), as {(start, end): meeting id}."""
    since, until = _window(summit)
    pending = Meeting.objects.filter(
        Q(requester=profile) | Q(invitee=profile),
        summit=summit,
        status=Meeting.Status.REQUESTED,
        starts_at__lt=until,
        ends_at__gt=since,
    )
    if exclude_meeting is not None:
        pending = pending.exclude(pk=exclude_meeting.pk)
    return {(s, e): pk for pk, s, e in pending.values_list("pk", "starts_at", "ends_at")}


def common_slots(me, them, summit, duration, step=DEFAULT_STEP, now=None, nearest=False, exclude_meeting=None):
    """Slots inside both parties' office hours on the meeting days, free for both, after `now`.

    Each slot carries `requested`: the id of one of MY pending requests it
    overlaps, or None. `exclude_meeting` (the meeting being moved) keeps nobody busy.

    With `nearest`, when there is no common slot, returns instead up to
    NEAREST_COUNT slots inside THEIR hours that fall least outside yours
    (bookable with outside_hours_ok), each with `outside_hours` in minutes.
    Returns (slots, common: bool).
    """
    length, stride = check_duration(duration), check_step(step)
    now = now or timezone.now()
    busy = set()
    for party in (me, them):
        busy |= _accepted_spans(party, summit, exclude_meeting) | _session_spans(party, summit)
    requested = _requested_spans(me, summit, exclude_meeting)

    def free(at):
        end = at + length
        return at > now and not any(s < end and e > at for s, e in busy)

    def out(at, **extra):
        end = at + length
        slot = slot_out(me, them, at, end, now, **extra)
        slot["requested"] = next((pk for (s, e), pk in requested.items() if s < end and e > at), None)
        return slot

    starts = sorted({at for p in (me, them) for at in office_grid(p, summit, length, stride)})
    found = [
        at
        for at in starts
        if free(at) and in_office_hours(me, summit, at, at + length) and in_office_hours(them, summit, at, at + length)
    ]
    if found or not nearest:
        return [out(at) for at in found], True
    candidates = []
    for at in sorted(set(office_grid(me, summit, length, stride, whole_day=True))):
        if free(at) and in_office_hours(them, summit, at, at + length):
            outside = minutes_outside(me, summit, at, at + length)
            if outside < 24 * 60:
                candidates.append((outside, at))
    candidates.sort()
    chosen = sorted(at for _outside, at in candidates[:NEAREST_COUNT])
    return [out(at, summit=summit) for at in chosen], False
