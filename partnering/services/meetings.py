"""1:1 meetings: request, accept, decline, cancel, propose another time, and how a meeting reads."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Company, Room
from events.services import check_aware, check_registered, is_organiser, registration_for
from partnering.models import Meeting, Participation, PartnerProfile
from partnering.services.profiles import access_partnering, access_profile, acts_for, profiles
from partnering.services.slots import is_busy
from partnering.services.timerules import (
    UTC,
    check_duration,
    in_office_hours,
    local_label,
    meeting_days,
    place_of,
    slot_out,
)
from partnering.signals import meeting_changed
from summit.errors import Conflict, Forbidden, Invalid, NotFound

MAX_MESSAGE = 2000


def meetings_of(user, summit=None):
    """Meetings where the person holds a seat or acts for one side through a company."""
    companies = Company.objects.filter(members=user)
    found = Meeting.objects.filter(
        Q(participations__user=user)
        | Q(requester__user=user)
        | Q(invitee__user=user)
        | Q(requester__company__in=companies)
        | Q(invitee__company__in=companies)
    )
    if summit is not None:
        found = found.filter(summit=summit)
    ids = found.values("pk")
    return (
        Meeting.objects.filter(pk__in=ids)
        .select_related(
            "summit",
            "room",
            "requester__user__profile",
            "requester__company",
            "invitee__user__profile",
            "invitee__company",
        )
        .prefetch_related("requester__company__members", "invitee__company__members")
        .order_by("starts_at", "pk")
    )


def side_of(user, meeting):
    """The profile the person acts for in this meeting, or None."""
    for profile in (meeting.requester, meeting.invitee):
        if acts_for(user, profile):
            return profile
    return None


def other_side(meeting, profile):
    return meeting.invitee if profile.pk == meeting.requester_id else meeting.requester


def access_meeting(user, meeting_id, *, act=False):
    """A meeting a party (or, to look only, an organiser) may see; others get 404 or 403.

    Returns (meeting, side) where side is the profile the person acts for.
    """
    meeting = (
        Meeting.objects.select_related(
            "summit",
            "room",
            "requester__user__profile",
            "requester__company",
            "invitee__user__profile",
            "invitee__company",
        )
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None or not user.is_authenticated:
        raise NotFound(_("No such meeting."))
    side = side_of(user, meeting)
    if side is None:
        if not act and is_organiser(user, meeting.summit):
            return meeting, None
        if registration_for(user, meeting.summit):
            raise Forbidden(_("This meeting is not yours."))
        raise NotFound(_("No such meeting."))
    return meeting, side


def _check_time(summit, starts_at, length, requester, invitee, outside_hours_ok, now):
    check_aware(starts_at, "starts_at")
    days = meeting_days(summit)
    try:
        starts_at = starts_at.astimezone(UTC)
        on_meeting_days = days[0] - dt.timedelta(days=1) <= starts_at.date() <= days[-1] + dt.timedelta(days=1)
    except OverflowError:
        on_meeting_days = False
    if not on_meeting_days:
        raise Invalid(
            _("Meetings take place on the summit's days, %(first)s to %(last)s.")
            % {"first": days[0].isoformat(), "last": days[-1].isoformat()}
        )
    if starts_at.second or starts_at.microsecond:
        raise Invalid(_("starts_at must be on a whole minute."))
    if starts_at <= now:
        raise Invalid(_("This time has already passed."))
    ends_at = starts_at + length
    if not in_office_hours(invitee, summit, starts_at, ends_at):
        raise Invalid(
            _("%(name)s is not available then: outside their office hours (%(when)s) or off the meeting days.")
            % {"name": invitee.name, "when": local_label(starts_at, invitee)}
        )
    if not outside_hours_ok and not in_office_hours(requester, summit, starts_at, ends_at):
        raise Invalid(
            _("This is outside your own office hours (%(when)s); confirm with outside_hours_ok to book it anyway.")
            % {"when": local_label(starts_at, requester)}
        )
    return starts_at, ends_at


def _check_free(profiles, starts_at, ends_at, exclude_meeting=None, user_ids=()):
    """Both sides, and every person who sits in for one, must be free; else 409."""
    for profile in profiles:
        if is_busy(profile, starts_at, ends_at, exclude_meeting):
            raise Conflict(_("%(name)s already has an accepted meeting at that time.") % {"name": profile.name})
    seats = Participation.objects.filter(
        user_id__in=user_ids, status=Meeting.Status.ACCEPTED, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    if exclude_meeting is not None:
        seats = seats.exclude(meeting=exclude_meeting)
    if user_ids and seats.exists():
        raise Conflict(_("Someone in this meeting already has an accepted meeting at that time."))


def _announce(meeting, change, actor):
    """After commit: reminders follow the change and the other side is told (the actor is not)."""
    transaction.on_commit(
        lambda: meeting_changed.send(
            Meeting, meeting_id=meeting.pk, change=change, actor_id=actor.pk, sequence=meeting.sequence
        )
    )


@dataclass
class MeetingRequest:
    with_profile: int
    starts_at: dt.datetime
    duration_minutes: int = 30
    message: str = ""
    outside_hours_ok: bool = False
    as_company: str | None = None


def access_acting_profile(user, summit, as_company=None):
    """The person's own profile, or their company's when they act for it."""
    if not as_company:
        return access_partnering(user, summit)
    check_registered(user, summit)
    profile = profiles(summit).filter(company__slug=as_company).first()
    if profile is None or not profile.company.members.filter(pk=user.pk).exists():
        raise Forbidden(_("You do not act for this company."))
    return profile


def do_request_meeting(user, summit, request, now=None):
    now = now or timezone.now()
    me = access_acting_profile(user, summit, request.as_company)
    them = access_profile(user, summit, request.with_profile)
    if them.pk == me.pk or acts_for(user, them):
        raise Invalid(_("You cannot meet yourself."))
    if len(request.message or "") > MAX_MESSAGE:
        raise Invalid(_("The message is too long."))
    length = check_duration(request.duration_minutes)
    starts_at, ends_at = _check_time(summit, request.starts_at, length, me, them, request.outside_hours_ok, now)
    with transaction.atomic():
        _lock_people([user.pk, them.user_id])
        _check_free([me, them], starts_at, ends_at, user_ids=[user.pk])
        meeting = Meeting.objects.create(
            summit=summit,
            requester=me,
            invitee=them,
            proposed_by=me,
            starts_at=starts_at,
            ends_at=ends_at,
            message=request.message or "",
        )
        seats = [
            Participation(
                meeting=meeting, user=user, profile=me, starts_at=starts_at, ends_at=ends_at, status=meeting.status
            )
        ]
        if them.user_id:
            seats.append(
                Participation(
                    meeting=meeting,
                    user_id=them.user_id,
                    profile=them,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    status=meeting.status,
                )
            )
        Participation.objects.bulk_create(seats)
        _announce(meeting, "requested", user)
    return meeting


def _lock_people(user_ids):
    """Serialises changes to the same people's meetings (row locks on PostgreSQL; SQLite has one writer)."""
    ids = sorted({pk for pk in user_ids if pk})
    list(get_user_model().objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))


def _lock_profiles(profile_ids):
    """A company is one calendar whichever member attends: serialise accepts per profile too."""
    list(PartnerProfile.objects.select_for_update().filter(pk__in=sorted(profile_ids)).order_by("pk").values_list("pk"))


def _locked(meeting):
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related(
            "summit", "requester__user__profile", "requester__company", "invitee__user__profile", "invitee__company"
        )
        .get(pk=meeting.pk)
    )


def _take_seat(meeting, user, side):
    """The person acting for a company side sits in for it, unless a colleague already does."""
    if not meeting.participations.filter(profile=side).exists():
        Participation.objects.create(
            meeting=meeting,
            user=user,
            profile=side,
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            status=meeting.status,
        )


def _sync_seats(meeting):
    meeting.participations.update(starts_at=meeting.starts_at, ends_at=meeting.ends_at, status=meeting.status)


def do_accept(user, meeting, now=None):
    now = now or timezone.now()
    meeting, side = access_meeting(user, meeting.pk, act=True)
    with transaction.atomic():
        meeting = _locked(meeting)
        if meeting.status != Meeting.Status.REQUESTED:
            raise Conflict(
                _("Only a requested meeting can be accepted; this one is %(status)s.")
                % {"status": meeting.get_status_display()}
            )
        if meeting.starts_at <= now:
            raise Invalid(_("This time has already passed; propose another one."))
        if meeting.proposed_by_id == side.pk:
            raise Forbidden(_("The other side answers this proposal."))
        _take_seat(meeting, user, side)
        seat_users = list(meeting.participations.values_list("user_id", flat=True))
        _lock_people(seat_users)
        _lock_profiles([meeting.requester_id, meeting.invitee_id])
        _check_free([meeting.requester, meeting.invitee], meeting.starts_at, meeting.ends_at, meeting, seat_users)
        meeting.status = Meeting.Status.ACCEPTED
        meeting.sequence += 1
        try:
            with transaction.atomic():
                meeting.save()
                _sync_seats(meeting)
        except IntegrityError:
            # The database's exclusion constraint caught an accept that raced this one.
            raise Conflict(_("Someone in this meeting already has an accepted meeting at that time.")) from None
        _open_room(meeting, seat_users)
        _announce(meeting, "accepted", user)
    return meeting


def _open_room(meeting, seat_users):
    """The meeting's private room: only its people are invited (organisers enter by role)."""
    if meeting.room_id is None:
        room = Room.objects.create(
            summit=meeting.summit,
            slug=f"meeting-{meeting.pk}",
            kind=Room.Kind.MEETING,
            is_private=True,
            name=f"Private meeting {meeting.pk}",
            position=1000,  # a room list must not tell who meets whom
        )
        meeting.room = room
        meeting.save(update_fields=["room"])
    meeting.room.invited.set(seat_users)


def do_decline(user, meeting, answer=""):
    meeting, side = access_meeting(user, meeting.pk, act=True)
    if len(answer or "") > MAX_MESSAGE:
        raise Invalid(_("The message is too long."))
    with transaction.atomic():
        meeting = _locked(meeting)
        if meeting.status != Meeting.Status.REQUESTED:
            raise Conflict(_("Only a requested meeting can be declined."))
        if meeting.proposed_by_id == side.pk:
            raise Forbidden(_("You cannot decline your own proposal; cancel it instead."))
        meeting.status = Meeting.Status.DECLINED
        meeting.answer = answer or ""
        meeting.sequence += 1
        meeting.save()
        _sync_seats(meeting)
        _announce(meeting, "declined", user)
    return meeting


def do_cancel(user, meeting):
    meeting, _side = access_meeting(user, meeting.pk, act=True)
    with transaction.atomic():
        meeting = _locked(meeting)
        if meeting.status not in (Meeting.Status.REQUESTED, Meeting.Status.ACCEPTED):
            raise Conflict(_("This meeting is already %(status)s.") % {"status": meeting.get_status_display()})
        meeting.status = Meeting.Status.CANCELLED
        meeting.sequence += 1
        meeting.save()
        _sync_seats(meeting)
        _announce(meeting, "cancelled", user)
    return meeting


def do_propose(user, meeting, starts_at, outside_hours_ok=False, now=None):
    """Moves a requested or accepted meeting to another time; it waits again for the other side."""
    now = now or timezone.now()
    meeting, side = access_meeting(user, meeting.pk, act=True)
    with transaction.atomic():
        meeting = _locked(meeting)
        if meeting.status not in (Meeting.Status.REQUESTED, Meeting.Status.ACCEPTED):
            raise Conflict(_("This meeting is already %(status)s.") % {"status": meeting.get_status_display()})
        them = other_side(meeting, side)
        length = meeting.ends_at - meeting.starts_at
        starts_at, ends_at = _check_time(meeting.summit, starts_at, length, side, them, outside_hours_ok, now)
        _check_free([side, them], starts_at, ends_at, meeting, [user.pk])
        _take_seat(meeting, user, side)
        meeting.starts_at, meeting.ends_at = starts_at, ends_at
        meeting.status = Meeting.Status.REQUESTED
        meeting.proposed_by = side
        meeting.sequence += 1
        meeting.save()
        _sync_seats(meeting)
        _announce(meeting, "proposed", user)
    return meeting


def do_set_video_url(user, meeting, url):
    meeting, _side = access_meeting(user, meeting.pk, act=True)
    url = (url or "").strip()
    if url:
        try:
            URLValidator(schemes=["https", "http"])(url)
        except ValidationError:
            raise Invalid(_("The video link must be an http(s) address.")) from None
        if len(url) > 200:
            raise Invalid(_("The video link is too long."))
    meeting.video_url = url
    meeting.sequence += 1
    meeting.save(update_fields=["video_url", "sequence", "updated_at"])
    _announce(meeting, "updated", user)
    return meeting


def reminder_targets(meeting_id, now=None):
    """For the scheduler's reminders: [(user, meeting as that user sees it)] for an accepted meeting.

    Each payload carries the person's own local time and `clock_change_before`,
    so a reminder can warn that a clock change falls in between. Empty when
    the meeting is gone or not accepted (nothing to remind of).
    """
    meeting = (
        Meeting.objects.select_related(
            "summit", "requester__user__profile", "requester__company", "invitee__user__profile", "invitee__company"
        )
        .prefetch_related("participations__user", "requester__company__members", "invitee__company__members")
        .filter(pk=meeting_id, status=Meeting.Status.ACCEPTED)
        .first()
    )
    if meeting is None:
        return []
    seats = sorted(meeting.participations.all(), key=lambda seat: seat.user_id)
    return [(seat.user, meeting_out(meeting, seat.user, now)) for seat in seats]


def meeting_out(meeting, user, now=None):
    """The meeting as its viewer sees it: "you" is the side they act for (the requester for organisers)."""
    now = now or timezone.now()
    me = side_of(user, meeting) or meeting.requester
    them = other_side(meeting, me)
    slot = slot_out(me, them, meeting.starts_at, meeting.ends_at, now, meeting.summit)
    awaiting = None
    if meeting.status == Meeting.Status.REQUESTED:
        awaiting = "them" if meeting.proposed_by_id == me.pk else "you"
    return {
        "id": meeting.pk,
        "summit": meeting.summit.slug,
        "status": meeting.status,
        "awaiting": awaiting,
        "starts_at": slot["starts_at"],
        "ends_at": slot["ends_at"],
        "duration_minutes": int((meeting.ends_at - meeting.starts_at).total_seconds() // 60),
        "local": slot["local"],
        "label": slot["label"],
        "clock_change_before": slot["clock_change_before"],
        "clock_changes": slot["clock_changes"],
        "outside_hours": {k: v > 0 for k, v in slot["outside_hours"].items()},
        "you": {
            "profile": me.pk,
            "name": me.name,
            "timezone": me.timezone,
            "city": place_of(me),
            "company": me.company.slug if me.company_id else None,
        },
        "with": {
            "profile": them.pk,
            "name": them.name,
            "organisation": them.organisation,
            "timezone": them.timezone,
            "city": place_of(them),
            "company": them.company.slug if them.company_id else None,
        },
        "message": meeting.message,
        "answer": meeting.answer,
        "video_url": meeting.video_url,
        "room": meeting.room.slug if meeting.room_id else None,
        "url": reverse("partnering-meeting", args=[meeting.summit.slug, meeting.pk]),
        "sequence": meeting.sequence,
    }
