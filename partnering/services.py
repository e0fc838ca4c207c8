"""Partnering rules: profiles, matchmaking, common slots across time zones, and 1:1 meetings.

Views, the API and tests call these; they raise `summit.errors` and never
build responses. `access_*` look up and check permission, `check_*`
validate, `do_*` change state.

Time rules, in one place:
- A slot is inside a party's office hours when, on that party's own wall
  clock (zoneinfo, so clock changes are honoured), it starts and ends on the
  same local date, that date is one of the summit's meeting days
  (Summit.starts_on..ends_on) and one of the party's office weekdays, and it
  lies within office_start..office_end.
- `clock_change_before` is true when either party's zone changes its UTC
  offset after the reference instant (now, when the answer is computed) and
  at or before the slot's start: the meeting keeps its true instant, but a
  calendar read "at the usual offset" would be wrong, so pages warn.
"""

import datetime as dt
import functools
import zoneinfo
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, DateTimeField, DurationField, ExpressionWrapper, F, Min, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from events.calendar import add_event, calendar_uid, new_calendar, site_url
from events.models import Company, Profile, Registration, Room
from events.services import (
    check_aware, check_registered, check_signed_in, check_timezone, is_organiser, registration_for,
)
from livechat.models import Attendance, Question
from partnering.models import NEEDS, Meeting, Participation, PartnerProfile
from partnering.signals import meeting_changed
from summit.csvfile import csv_text
from summit.errors import Conflict, Forbidden, Invalid, NotFound

UTC = dt.UTC
DURATIONS = (15, 30, 45, 60, 90, 120)
STEPS = (15, 30, 60)
DEFAULT_STEP = 30
NEAREST_COUNT = 5
MAX_MESSAGE = 2000


# --- profiles -------------------------------------------------------------------------


def zone_city(tz_name):
    """"Europe/Paris" -> "Paris": the words people use beside a local time."""
    return tz_name.rsplit("/", 1)[-1].replace("_", " ")


def place_of(profile):
    return profile.city or zone_city(profile.timezone)


def ensure_profiles(summit):
    """Gives every registered person and pitching company a profile with defaults, in a few queries.

    Profiles are created lazily so that nobody has to fill anything in to be found.
    """
    have_users = PartnerProfile.objects.filter(summit=summit, user__isnull=False).values("user_id")
    missing_people = (
        Registration.objects.filter(summit=summit).exclude(user_id__in=have_users).select_related("user__profile")
    )
    have_companies = PartnerProfile.objects.filter(summit=summit, company__isnull=False).values("company_id")
    missing_companies = Company.objects.filter(summit=summit).exclude(pk__in=have_companies)
    fresh = [_person_defaults(summit, r.user) for r in missing_people]
    fresh += [_company_defaults(summit, c) for c in missing_companies]
    if fresh:
        PartnerProfile.objects.bulk_create(fresh, ignore_conflicts=True)


def _person_defaults(summit, user):
    try:
        profile = user.profile
    except Profile.DoesNotExist:
        profile = None
    return PartnerProfile(
        summit=summit,
        user=user,
        organisation=profile.organisation if profile else "",
        country=profile.country if profile else "",
        timezone=profile.timezone if profile else summit.timezone,
    )


def _company_defaults(summit, company):
    return PartnerProfile(
        summit=summit, company=company, organisation=company.name, country=company.country,
        timezone=summit.timezone, themes=[t for t in company.themes if t in summit.themes],
    )


def access_partnering(user, summit):
    """Only registered people of the summit see partnering; returns the person's own profile."""
    check_registered(user, summit)
    return my_profile(user, summit)


def my_profile(user, summit):
    profile = PartnerProfile.objects.select_related("user__profile").filter(summit=summit, user=user).first()
    if profile is None:
        try:
            with transaction.atomic():
                profile = _person_defaults(summit, user)
                profile.save()
        except IntegrityError:
            profile = PartnerProfile.objects.get(summit=summit, user=user)
    return profile


def profiles(summit):
    return PartnerProfile.objects.filter(summit=summit).select_related("user__profile", "company", "summit")


def access_profile(user, summit, profile_id):
    """A visible profile of this summit (or one the person acts for); hidden ones are not found."""
    access_partnering(user, summit)
    ensure_profiles(summit)
    profile = profiles(summit).filter(pk=profile_id).first()
    if profile is None or not (profile.visible or acts_for(user, profile)):
        raise NotFound(_("No such partner profile."))
    return profile


def acts_for(user, profile):
    """A person acts for their own profile and for the profiles of the companies they belong to."""
    if profile.user_id:
        return profile.user_id == user.pk
    return any(member.pk == user.pk for member in profile.company.members.all())  # uses a prefetch if any


def company_slugs_by_user(summit):
    pairs = Company.members.through.objects.filter(company__summit=summit).values_list("user_id", "company__slug")
    result = {}
    for user_id, slug in pairs.order_by("company__name"):
        result.setdefault(user_id, slug)
    return result


@dataclass
class DirectoryFilter:
    q: str = ""
    theme: str = ""
    country: str = ""
    offers: str = ""
    seeks: str = ""


def directory(user, summit, filters):
    """Visible profiles matching the filters, by name.

    Text search is icontains on name, organisation and company so it behaves
    alike on SQLite and PostgreSQL; list filters run in Python because SQLite
    cannot look inside JSON lists.
    """
    access_partnering(user, summit)
    ensure_profiles(summit)
    found = profiles(summit).filter(visible=True)
    q = (filters.q or "").strip()
    if q:
        member_of = Company.members.through.objects.filter(company__summit=summit, company__name__icontains=q)
        found = found.filter(
            Q(user__profile__name__icontains=q) | Q(organisation__icontains=q) | Q(company__name__icontains=q)
            | Q(user_id__in=member_of.values("user_id"))
        )
    if filters.country:
        found = found.filter(country__iexact=filters.country.strip())
    result = [
        p for p in found
        if (not filters.theme or filters.theme in p.themes)
        and (not filters.offers or filters.offers in p.offers)
        and (not filters.seeks or filters.seeks in p.seeks)
    ]
    return sorted(result, key=lambda p: (p.name.lower(), p.pk))


def need_label(code):
    return str(NEEDS.get(code, code))


def suggestions(user, summit):
    """Visible profiles ranked by what the two sides have in common, each with its reasons.

    Score: 3 per need you seek that they offer, 2 per need they seek that you
    offer, 1 per shared theme. Ties by name then id, so the order never
    wavers. Profiles with nothing in common are left out, as are your own and
    your companies'.
    """
    me = access_partnering(user, summit)
    ensure_profiles(summit)
    mine = set(Company.objects.filter(summit=summit, members=user).values_list("pk", flat=True))
    ranked = []
    for other in profiles(summit).filter(visible=True).exclude(pk=me.pk):
        if other.company_id in mine:
            continue
        score, reasons = match(me, other)
        if score:
            ranked.append((other, score, reasons))
    ranked.sort(key=lambda item: (-item[1], item[0].name.lower(), item[0].pk))
    return ranked


def match(me, other):
    score, reasons = 0, []
    for need in [n for n in me.seeks if n in other.offers]:
        score += 3
        reasons.append(_("you seek %(need)s, they offer it") % {"need": need_label(need)})
    for need in [n for n in other.seeks if n in me.offers]:
        score += 2
        reasons.append(_("they seek %(need)s, you offer it") % {"need": need_label(need)})
    for theme in [t for t in me.themes if t in other.themes]:
        score += 1
        reasons.append(_("both in %(theme)s") % {"theme": theme})
    return score, reasons


@dataclass
class ProfileChange:
    organisation: str | None = None
    country: str | None = None
    city: str | None = None
    timezone: str | None = None
    office_start: str | None = None
    office_end: str | None = None
    office_weekdays: list[int] | None = None
    themes: list[str] | None = None
    offers: list[str] | None = None
    seeks: list[str] | None = None
    about: str | None = None
    visible: bool | None = None


def check_clock(value, field):
    try:
        return dt.time.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        raise Invalid(_("%(field)s must be a time like 09:00.") % {"field": field}) from None


def check_needs(values, field):
    unknown = [v for v in values if v not in NEEDS]
    if unknown:
        raise Invalid(_("%(field)s must be among %(codes)s; unknown: %(bad)s.")
                      % {"field": field, "codes": ", ".join(NEEDS), "bad": ", ".join(map(str, unknown))})
    return list(dict.fromkeys(values))


def do_update_profile(user, profile, change):
    if not acts_for(user, profile):
        raise Forbidden(_("You may only edit your own profile or your company's."))
    summit = profile.summit
    if change.organisation is not None:
        if len(change.organisation) > 200:
            raise Invalid(_("The organisation name is too long."))
        profile.organisation = change.organisation.strip()
    if change.country is not None:
        country = change.country.strip().upper()
        if country and (len(country) != 2 or not country.isalpha()):
            raise Invalid(_("Country must be a two-letter code such as FR or CN."))
        profile.country = country
    if change.city is not None:
        if len(change.city) > 100:
            raise Invalid(_("The city name is too long."))
        profile.city = change.city.strip()
    if change.timezone is not None:
        check_timezone(change.timezone)
        profile.timezone = change.timezone
    if change.office_start is not None:
        profile.office_start = check_clock(change.office_start, "office_hours.start")
    if change.office_end is not None:
        profile.office_end = check_clock(change.office_end, "office_hours.end")
    if profile.office_end <= profile.office_start:
        raise Invalid(_("Office hours must end after they start."))
    if change.office_weekdays is not None:
        if not change.office_weekdays or any(d not in range(1, 8) for d in change.office_weekdays):
            raise Invalid(_("Office weekdays are numbers from 1 (Monday) to 7 (Sunday), at least one."))
        profile.office_weekdays = sorted(set(change.office_weekdays))
    if change.themes is not None:
        unknown = [t for t in change.themes if t not in summit.themes]
        if unknown:
            raise Invalid(_("Themes must be among the summit's: %(themes)s.") % {"themes": ", ".join(summit.themes)})
        profile.themes = list(dict.fromkeys(change.themes))
    if change.offers is not None:
        profile.offers = check_needs(change.offers, "offers")
    if change.seeks is not None:
        profile.seeks = check_needs(change.seeks, "seeks")
    if change.about is not None:
        if len(change.about) > 4000:
            raise Invalid(_("The description is too long."))
        profile.about = change.about
    if change.visible is not None:
        profile.visible = change.visible
    profile.save()
    return profile


def profile_out(profile, companies_by_user=None):
    if profile.company_id:
        company = profile.company.slug
    elif companies_by_user is not None:
        company = companies_by_user.get(profile.user_id)
    else:
        company = (Company.objects.filter(summit_id=profile.summit_id, members=profile.user_id)
                   .values_list("slug", flat=True).first())
    return {
        "id": profile.pk,
        "kind": "company" if profile.company_id else "person",
        "name": profile.name,
        "organisation": profile.organisation,
        "company": company,
        "country": profile.country,
        "city": place_of(profile),
        "timezone": profile.timezone,
        "office_hours": office_hours_out(profile),
        "themes": profile.themes,
        "offers": profile.offers,
        "seeks": profile.seeks,
        "about": profile.about,
    }


def office_hours_out(profile):
    return {
        "start": profile.office_start.strftime("%H:%M"),
        "end": profile.office_end.strftime("%H:%M"),
        "weekdays": profile.office_weekdays,
    }


# --- time ------------------------------------------------------------------------------


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
    if start.date() != end.date() and not (end.date() == start.date() + dt.timedelta(days=1)
                                           and end.time() == dt.time(0)):
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


def _grid(profile, summit, length, step, whole_day=False):
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


def _busy(profile, starts_at, ends_at, exclude_meeting=None):
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

    starts = sorted({at for p in (me, them) for at in _grid(p, summit, length, stride)})
    found = [at for at in starts if free(at) and in_office_hours(me, summit, at, at + length)
             and in_office_hours(them, summit, at, at + length)]
    if found or not nearest:
        return [slot_out(me, them, at, at + length, now) for at in found], True
    candidates = []
    for at in sorted(set(_grid(me, summit, length, stride, whole_day=True))):
        if free(at) and in_office_hours(them, summit, at, at + length):
            outside = minutes_outside(me, summit, at, at + length)
            if outside < 24 * 60:
                candidates.append((outside, at))
    candidates.sort()
    chosen = sorted(at for _outside, at in candidates[:NEAREST_COUNT])
    return [slot_out(me, them, at, at + length, now, summit) for at in chosen], False


# --- meetings ---------------------------------------------------------------------------


def meetings_of(user, summit=None):
    """Meetings where the person holds a seat or acts for one side through a company."""
    companies = Company.objects.filter(members=user)
    found = Meeting.objects.filter(
        Q(participations__user=user)
        | Q(requester__user=user) | Q(invitee__user=user)
        | Q(requester__company__in=companies) | Q(invitee__company__in=companies)
    )
    if summit is not None:
        found = found.filter(summit=summit)
    ids = found.values("pk")
    return (Meeting.objects.filter(pk__in=ids)
            .select_related("summit", "room", "requester__user__profile", "requester__company",
                            "invitee__user__profile", "invitee__company")
            .prefetch_related("requester__company__members", "invitee__company__members")
            .order_by("starts_at", "pk"))


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
    meeting = (Meeting.objects.select_related("summit", "room", "requester__user__profile", "requester__company",
                                              "invitee__user__profile", "invitee__company")
               .filter(pk=meeting_id).first())
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
        raise Invalid(_("Meetings take place on the summit's days, %(first)s to %(last)s.")
                      % {"first": days[0].isoformat(), "last": days[-1].isoformat()})
    if starts_at.second or starts_at.microsecond:
        raise Invalid(_("starts_at must be on a whole minute."))
    if starts_at <= now:
        raise Invalid(_("This time has already passed."))
    ends_at = starts_at + length
    if not in_office_hours(invitee, summit, starts_at, ends_at):
        raise Invalid(_("%(name)s is not available then: outside their office hours (%(when)s) or off the "
                        "meeting days.") % {"name": invitee.name, "when": local_label(starts_at, invitee)})
    if not outside_hours_ok and not in_office_hours(requester, summit, starts_at, ends_at):
        raise Invalid(_("This is outside your own office hours (%(when)s); confirm with outside_hours_ok to book "
                        "it anyway.") % {"when": local_label(starts_at, requester)})
    return starts_at, ends_at


def _check_free(profiles, starts_at, ends_at, exclude_meeting=None, user_ids=()):
    """Both sides, and every person who sits in for one, must be free; else 409."""
    for profile in profiles:
        if _busy(profile, starts_at, ends_at, exclude_meeting):
            raise Conflict(_("%(name)s already has an accepted meeting at that time.") % {"name": profile.name})
    seats = Participation.objects.filter(user_id__in=user_ids, status=Meeting.Status.ACCEPTED,
                                         starts_at__lt=ends_at, ends_at__gt=starts_at)
    if exclude_meeting is not None:
        seats = seats.exclude(meeting=exclude_meeting)
    if user_ids and seats.exists():
        raise Conflict(_("Someone in this meeting already has an accepted meeting at that time."))


def _announce(meeting, change):
    transaction.on_commit(lambda: meeting_changed.send(Meeting, meeting_id=meeting.pk, change=change))


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
    ensure_profiles(summit)
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
        meeting = Meeting.objects.create(summit=summit, requester=me, invitee=them, proposed_by=me,
                                         starts_at=starts_at, ends_at=ends_at, message=request.message or "")
        seats = [Participation(meeting=meeting, user=user, profile=me, starts_at=starts_at, ends_at=ends_at,
                               status=meeting.status)]
        if them.user_id:
            seats.append(Participation(meeting=meeting, user_id=them.user_id, profile=them, starts_at=starts_at,
                                       ends_at=ends_at, status=meeting.status))
        Participation.objects.bulk_create(seats)
        _announce(meeting, "requested")
    return meeting


def _lock_people(user_ids):
    """Serialises changes to the same people's meetings (row locks on PostgreSQL; SQLite has one writer)."""
    from django.contrib.auth import get_user_model

    ids = sorted({pk for pk in user_ids if pk})
    list(get_user_model().objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))


def _lock_profiles(profile_ids):
    """A company is one calendar whichever member attends: serialise accepts per profile too."""
    list(PartnerProfile.objects.select_for_update().filter(pk__in=sorted(profile_ids)).order_by("pk")
         .values_list("pk"))


def _locked(meeting):
    return (Meeting.objects.select_for_update(of=("self",)).select_related(
        "summit", "requester__user__profile", "requester__company", "invitee__user__profile", "invitee__company")
        .get(pk=meeting.pk))


def _take_seat(meeting, user, side):
    """The person acting for a company side sits in for it, unless a colleague already does."""
    if not meeting.participations.filter(profile=side).exists():
        Participation.objects.create(meeting=meeting, user=user, profile=side, starts_at=meeting.starts_at,
                                     ends_at=meeting.ends_at, status=meeting.status)


def _sync_seats(meeting):
    meeting.participations.update(starts_at=meeting.starts_at, ends_at=meeting.ends_at, status=meeting.status)


def do_accept(user, meeting, now=None):
    now = now or timezone.now()
    meeting, side = access_meeting(user, meeting.pk, act=True)
    with transaction.atomic():
        meeting = _locked(meeting)
        if meeting.status != Meeting.Status.REQUESTED:
            raise Conflict(_("Only a requested meeting can be accepted; this one is %(status)s.")
                           % {"status": meeting.get_status_display()})
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
        _announce(meeting, "accepted")
    return meeting


def _open_room(meeting, seat_users):
    """The meeting's private room: only its people are invited (organisers enter by role)."""
    if meeting.room_id is None:
        room = Room.objects.create(
            summit=meeting.summit, slug=f"meeting-{meeting.pk}", kind=Room.Kind.MEETING, is_private=True,
            name=f"Private meeting {meeting.pk}", position=1000,  # a room list must not tell who meets whom
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
        _announce(meeting, "declined")
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
        _announce(meeting, "cancelled")
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
        _announce(meeting, "proposed")
    return meeting


def do_set_video_url(user, meeting, url):
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

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
    _announce(meeting, "updated")
    return meeting


def reminder_targets(meeting_id, now=None):
    """For the scheduler's reminders: [(user, meeting as that user sees it)] for an accepted meeting.

    Each payload carries the person's own local time and `clock_change_before`,
    so a reminder can warn that a clock change falls in between. Empty when
    the meeting is gone or not accepted (nothing to remind of).
    """
    meeting = (Meeting.objects.select_related("summit", "requester__user__profile", "requester__company",
                                              "invitee__user__profile", "invitee__company")
               .prefetch_related("participations__user", "requester__company__members",
                                 "invitee__company__members")
               .filter(pk=meeting_id, status=Meeting.Status.ACCEPTED).first())
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
        "you": {"profile": me.pk, "name": me.name, "timezone": me.timezone, "city": place_of(me),
                "company": me.company.slug if me.company_id else None},
        "with": {"profile": them.pk, "name": them.name, "organisation": them.organisation,
                 "timezone": them.timezone, "city": place_of(them),
                 "company": them.company.slug if them.company_id else None},
        "message": meeting.message,
        "answer": meeting.answer,
        "video_url": meeting.video_url,
        "room": meeting.room.slug if meeting.room_id else None,
        "url": f"/summits/{meeting.summit.slug}/partnering/meetings/{meeting.pk}/",
        "sequence": meeting.sequence,
    }


# --- organisers and companies -------------------------------------------------------------


def _companies_by_member(summit):
    result = {}
    for user_id, company_id in Company.members.through.objects.filter(company__summit=summit).values_list(
            "user_id", "company_id"):
        result.setdefault(user_id, set()).add(company_id)
    return result


def _companies_of_side(profile, by_member):
    if profile.company_id:
        return {profile.company_id}
    return by_member.get(profile.user_id, set())


def dashboard(user, summit, now=None):
    """Meetings requested / accepted / held per company and per theme, in a fixed number of queries.

    A meeting counts for a company when the company or one of its members is
    a party; for a theme when either party lists it. "Requested" counts every
    meeting ever asked for, "accepted" those accepted now, "held" accepted
    ones that have ended.
    """
    from events.services import check_organiser

    check_organiser(user, summit)
    now = now or timezone.now()
    by_member = _companies_by_member(summit)
    companies = list(Company.objects.filter(summit=summit).order_by("name"))
    per_company = {c.pk: {"requested": 0, "accepted": 0, "held": 0} for c in companies}
    per_theme = {t: {"requested": 0, "accepted": 0, "held": 0} for t in summit.themes}
    totals = {"requested": 0, "accepted": 0, "held": 0}
    meetings = Meeting.objects.filter(summit=summit).select_related("requester", "invitee")
    for meeting in meetings:
        keys = ["requested"]
        if meeting.status == Meeting.Status.ACCEPTED:
            keys.append("accepted")
            if meeting.ends_at <= now:
                keys.append("held")
        involved = _companies_of_side(meeting.requester, by_member) | _companies_of_side(meeting.invitee, by_member)
        themes = set(meeting.requester.themes) | set(meeting.invitee.themes)
        for key in keys:
            totals[key] += 1
            for company_id in involved:
                per_company[company_id][key] += 1
            for theme in themes & per_theme.keys():
                per_theme[theme][key] += 1
    return {
        "totals": totals,
        "companies": [{"company": c, **per_company[c.pk]} for c in companies],
        "themes": [{"theme": t, **figures} for t, figures in per_theme.items()],
    }


# --- leads -------------------------------------------------------------------------------

LIVE_MEETING = (Meeting.Status.REQUESTED, Meeting.Status.ACCEPTED)
LEAD_COLUMNS = ["name", "email", "organisation", "country", "visits", "minutes", "first_visit", "questions",
                "meetings", "seeks"]


def access_company_leads(user, summit, company_slug):
    """A company's leads are for its own members and the organisers, nobody else."""
    check_signed_in(user)
    company = Company.objects.filter(summit=summit, slug=company_slug).first()
    if company is None:
        raise NotFound(_("No company called “%(slug)s” in this summit.") % {"slug": company_slug})
    if not (is_organiser(user, summit) or company.members.filter(pk=user.pk).exists()):
        raise Forbidden(_("Only %(company)s's team and the organisers see its leads.") % {"company": company.name})
    return company


def leads(summit, companies, now=None):
    """{company id: its leads}: who visited its pitch rooms, asked there or has a live meeting with it.

    The page, both CSVs and the attendance report all read this, in six
    queries for any number of companies and people (pinned in
    tests/test_leads.py). Anonymous questions make nobody a lead (the asker
    chose not to be known); a company's own members are not its leads; what
    someone seeks, and the organisation and country of their partner card,
    are shown only while that card is visible, as in the directory. A visit
    still open counts its minutes until `now`.
    """
    now = now or timezone.now()
    company_ids = [company.pk for company in companies]
    members, member_of = {company_id: set() for company_id in company_ids}, {}
    for company_id, user_id in Company.members.through.objects.filter(company_id__in=company_ids).values_list(
            "company_id", "user_id"):
        members[company_id].add(user_id)
        member_of.setdefault(user_id, set()).add(company_id)
    found = {}

    def lead(company_id, user_id):
        return found.setdefault((company_id, user_id), {
            "visits": 0, "minutes": 0, "first_visit": None, "questions": 0, "meetings": 0})

    in_pitch_rooms = Q(room__kind=Room.Kind.PITCH, room__company_id__in=company_ids)
    visited = Attendance.objects.filter(in_pitch_rooms)
    stay = ExpressionWrapper(
        Coalesce("left_at", "last_seen_at", Value(now, output_field=DateTimeField())) - F("joined_at"),
        output_field=DurationField(),
    )
    for row in (visited.values("room__company_id", "user_id").order_by()
                .annotate(visits=Count("pk"), first_visit=Min("joined_at"), stayed=Sum(stay))):
        lead(row["room__company_id"], row["user_id"]).update(
            visits=row["visits"], first_visit=row["first_visit"],
            minutes=round(row["stayed"].total_seconds() / 60, 1) if row["stayed"] else 0,
        )
    asked = Question.objects.filter(in_pitch_rooms, is_anonymous=False)
    for row in asked.values("room__company_id", "author_id").order_by().annotate(n=Count("pk")):
        lead(row["room__company_id"], row["author_id"])["questions"] = row["n"]
    ours = Q(company_id__in=company_ids) | Q(user_id__in=list(member_of))
    seats = Participation.objects.filter(meeting__summit=summit, meeting__status__in=LIVE_MEETING).filter(
        Q(meeting__requester__in=PartnerProfile.objects.filter(ours))
        | Q(meeting__invitee__in=PartnerProfile.objects.filter(ours))
    )
    met = {}
    for seat in seats.values("meeting_id", "user_id", "profile_id", "meeting__requester_id",
                             "meeting__requester__company_id", "meeting__requester__user_id",
                             "meeting__invitee__company_id", "meeting__invitee__user_id"):
        side = "invitee" if seat["profile_id"] == seat["meeting__requester_id"] else "requester"
        other_company, other_user = seat[f"meeting__{side}__company_id"], seat[f"meeting__{side}__user_id"]
        if other_company is not None:
            theirs = {other_company} & members.keys()
        else:
            theirs = member_of.get(other_user, set())
        for company_id in theirs:
            met.setdefault((company_id, seat["user_id"]), set()).add(seat["meeting_id"])
    for key, meetings in met.items():
        lead(*key)["meetings"] = len(meetings)
    for company_id, user_id in list(found):
        if user_id in members[company_id]:
            del found[company_id, user_id]

    someone = (Q(pk__in=visited.values("user_id")) | Q(pk__in=asked.values("author_id"))
               | Q(pk__in=seats.values("user_id")))
    people = {row["pk"]: row for row in get_user_model().objects.filter(someone).values(
        "pk", "email", "profile__name", "profile__organisation", "profile__country")}
    cards = {row["user_id"]: row for row in PartnerProfile.objects.filter(
        summit=summit, visible=True, user__in=get_user_model().objects.filter(someone)).values(
        "user_id", "pk", "organisation", "country", "seeks")}
    result = {company_id: [] for company_id in company_ids}
    for (company_id, user_id), figures in found.items():
        person, card = people.get(user_id), cards.get(user_id, {})
        if person is None:  # deleted meanwhile
            continue
        result[company_id].append({
            "user_id": user_id,
            "name": person["profile__name"] or person["email"],
            "email": person["email"],
            "organisation": card.get("organisation") or person["profile__organisation"] or "",
            "country": card.get("country") or person["profile__country"] or "",
            "profile_id": card.get("pk"),
            "seeks": card.get("seeks", []),
            **figures,
        })
    for rows in result.values():
        rows.sort(key=lambda r: (-r["meetings"], -r["questions"], -r["visits"], -r["minutes"], r["name"].casefold()))
    return result


def leads_csv(rows):
    """A company's leads as CSV: the page's download and the API's are this same text."""
    return csv_text(LEAD_COLUMNS, [
        {**row, "seeks": " ".join(row["seeks"]),
         "first_visit": row["first_visit"].isoformat() if row["first_visit"] else ""}
        for row in rows
    ])


def meeting_entries(user, summit=None):
    """The person's requested and accepted meetings as calendar entries; cancelled ones stay as CANCELLED."""
    for meeting in meetings_of(user, summit).exclude(status=Meeting.Status.DECLINED):
        me = side_of(user, meeting) or meeting.requester
        them = other_side(meeting, me)
        yield {
            "uid": calendar_uid("meeting", meeting.pk),
            "starts_at": meeting.starts_at,
            "ends_at": meeting.ends_at,
            "summary": _("Meeting with %(name)s") % {"name": them.name},
            "url": site_url(f"/summits/{meeting.summit.slug}/partnering/meetings/{meeting.pk}/"),
            "description": "\n\n".join(filter(None, [meeting.message, meeting.video_url])),
            "updated_at": meeting.updated_at,
            "sequence": meeting.sequence,
            "status": {Meeting.Status.ACCEPTED: "CONFIRMED", Meeting.Status.CANCELLED: "CANCELLED"}.get(
                meeting.status, "TENTATIVE"),
        }


def meetings_calendar(user, summit):
    cal = new_calendar(_("My meetings – %(summit)s") % {"summit": summit.name})
    for entry in meeting_entries(user, summit):
        add_event(cal, **entry)
    return cal.to_ical()