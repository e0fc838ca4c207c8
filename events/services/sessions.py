"""Sessions: creating, moving and cancelling them (with speaker-clash warnings), and the schedule's views of them."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from events.i18n import check_translations, set_translations, translations
from events.models import (
    Company,
    Registration,
    Room,
    Session,
    Speaker,
    Summit,
    Track,
)
from events.services.access import check_organiser
from events.services.checks import check_language, check_no_overlap, check_session_times, check_stream_url
from events.signals import replay_urls, session_changed
from summit.errors import Invalid, NotFound


@dataclass
class SessionChange:
    """What an organiser changes; `title` and `description` are a string (the summit's main language)
    or {language code: text}, as `events.i18n.check_translations` accepts."""

    title: str | dict | None = None
    description: str | dict | None = None
    room: str | None = None
    track: str | None = None
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    language: str | None = None
    stream_url: str | None = None
    company: str | None = None
    speakers: list[int] | None = None
    status: str | None = None


def _resolve(model, summit, slug, label):
    if slug in (None, ""):
        return None
    try:
        return model.objects.get(summit=summit, slug=slug)
    except model.DoesNotExist:
        raise Invalid(_("No %(label)s called “%(slug)s” in this summit.") % {"label": label, "slug": slug}) from None


def _apply_change(session, summit, change):
    if change.title is not None:
        titles = check_translations(change.title, "title", summit.language, max_length=200)
        set_translations(session, "title", {code: text.strip() for code, text in titles.items()})
        if not any(translations(session, "title").values()):
            raise Invalid(_("A session needs a title."))
    if change.description is not None:
        set_translations(
            session,
            "description",
            check_translations(change.description, "description", summit.language, max_length=10000),
        )
    if change.room is not None:
        session.room = _resolve(Room, summit, change.room, _("room"))
    if change.track is not None:
        session.track = _resolve(Track, summit, change.track, _("track"))
    if change.company is not None:
        session.company = _resolve(Company, summit, change.company, _("company"))
    if change.starts_at is not None:
        session.starts_at = change.starts_at
    if change.ends_at is not None:
        session.ends_at = change.ends_at
    if change.language is not None:
        session.language = check_language(change.language)
    if change.stream_url is not None:
        session.stream_url = check_stream_url(change.stream_url)
    if change.status is not None:
        if change.status not in Session.Status.values:
            raise Invalid(_("Unknown status “%(status)s”.") % {"status": change.status})
        session.status = change.status
    if session.room_id is None:
        raise Invalid(_("A session needs a room."))
    check_session_times(session.starts_at, session.ends_at)


def _set_speakers(session, summit, speaker_ids):
    speakers = list(Speaker.objects.filter(summit=summit, pk__in=speaker_ids))
    if len(speakers) != len(set(speaker_ids)):
        raise Invalid(_("Some speakers are not part of this summit."))
    session.speakers.set(speakers)


def _lock_room(room):
    Room.objects.select_for_update().filter(pk=room.pk).first()


def session_timing(session):
    """What `save_session` compares to tell a reschedule or cancellation from an edit."""
    return (session.starts_at, session.ends_at, session.status)


def save_session(session, before=None):
    """Stores a new (`before` None) or edited session under its room's lock, refusing overlaps.

    Edits bump SEQUENCE for calendar clients; listeners hear of the change after commit.
    Call inside a transaction.
    """
    _lock_room(session.room)
    if session.status != Session.Status.CANCELLED:
        check_no_overlap(session.room, session.starts_at, session.ends_at, exclude_id=session.pk)
    if before is None:
        kind = "created"
    elif session.status == Session.Status.CANCELLED and before[2] != Session.Status.CANCELLED:
        kind = "cancelled"
    elif before[2] == Session.Status.CANCELLED:
        kind = "restored"
    elif (session.starts_at, session.ends_at) != before[:2]:
        kind = "rescheduled"
    else:
        kind = "updated"
    if before is not None:
        session.sequence += 1
    session.save()
    transaction.on_commit(lambda: session_changed.send(Session, session_id=session.pk, change=kind))
    return session


def do_create_session(user, summit, change):
    check_organiser(user, summit)
    if change.title is None or change.starts_at is None or change.ends_at is None or not change.room:
        raise Invalid(_("title, room, starts_at and ends_at are required."))
    session = Session(summit=summit, language=summit.languages[0] if summit.languages else "en")
    with transaction.atomic():
        _apply_change(session, summit, change)
        save_session(session)
        if change.speakers is not None:
            _set_speakers(session, summit, change.speakers)
    return session


def do_update_session(user, session, change):
    """Edit, reschedule, publish or cancel a session."""
    summit = session.summit
    check_organiser(user, summit)
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        before = session_timing(session)
        _apply_change(session, summit, change)
        save_session(session, before)
        if change.speakers is not None:
            _set_speakers(session, summit, change.speakers)
    return session


def do_cancel_session(user, session):
    return do_update_session(user, session, SessionChange(status=Session.Status.CANCELLED))


def do_restore_session(user, session):
    """Puts a cancelled session back on the programme, where the room must still be free."""
    return do_update_session(user, session, SessionChange(status=Session.Status.PUBLISHED))


def speaker_clashes(session):
    """Where the session's speakers are due in another room at the same time.

    A warning, not a refusal: a speaker may well leave a panel early for a pitch.
    Returns `[(speaker, other_session), ...]`.
    """
    if session.pk is None or session.status == Session.Status.CANCELLED:
        return []
    others = (
        Session.objects.filter(
            speakers__in=session.speakers.all(), starts_at__lt=session.ends_at, ends_at__gt=session.starts_at
        )
        .exclude(pk=session.pk)
        .exclude(room=session.room_id)
        .exclude(status=Session.Status.CANCELLED)
        .select_related("room")
        .prefetch_related("speakers")
        .distinct()
        .order_by("starts_at")
    )
    mine = {s.pk: s for s in session.speakers.all()}
    return [(mine[speaker.pk], other) for other in others for speaker in other.speakers.all() if speaker.pk in mine]


def speaker_clash_warnings(session):
    """`speaker_clashes` said in the reader's language: what the editor and the API warn about."""
    return [
        _("%(speaker)s is also in “%(title)s” (%(room)s) at that time.")
        % {"speaker": speaker.name, "title": other.title, "room": other.room.name}
        for speaker, other in speaker_clashes(session)
    ]


def visible_sessions(summit):
    return (
        Session.objects.filter(summit=summit)
        .exclude(status=Session.Status.DRAFT)
        .select_related("summit", "room", "track", "company")
        .prefetch_related("speakers")
        .order_by("starts_at", "room__position", "pk")
    )


def published_summits():
    return Summit.objects.filter(is_published=True)


def upcoming_sessions(summit, now=None):
    """Sessions that have not ended yet, in start order: what `now_and_next` splits into live and next."""
    return visible_sessions(summit).filter(ends_at__gt=now or timezone.now())


def next_session_in(room, now=None):
    """The next published session in `room` after `now`, for a room page with nothing on."""
    return (
        visible_sessions(room.summit)
        .filter(room=room, starts_at__gt=now or timezone.now(), status=Session.Status.PUBLISHED)
        .first()
    )


def company_pitches(summit, company):
    return visible_sessions(summit).filter(company=company)


def access_company(summit, company_slug):
    try:
        return Company.objects.get(summit=summit, slug=company_slug)
    except Company.DoesNotExist:
        raise NotFound(_("No company called “%(slug)s” in this summit.") % {"slug": company_slug}) from None


def organiser_overview(user, summit):
    """The organiser dashboard's figures: every session with its bookmarks, registrations by kind."""
    check_organiser(user, summit)
    sessions = (
        Session.objects.filter(summit=summit)
        .select_related("room", "track")
        .annotate(bookmark_count=Count("bookmarks"))
        .order_by("starts_at")
    )
    registrations = summit.registrations.aggregate(
        total=Count("pk"),
        attendees=Count("pk", filter=Q(role=Registration.Role.ATTENDEE)),
        staff=Count("pk", filter=~Q(role=Registration.Role.ATTENDEE)),
    )
    return sessions, registrations


# The schedule grid has a column per room in use that day; CSS places each session in its column
# (static/css/summit.css .col-N), so one list in time order reads by room on a wide screen and by
# time on a phone.
SCHEDULE_COLUMNS = 8


def schedule_days(summit, tz):
    """Sessions grouped by local day, in start order, each day with the rooms in use; every session
    gets `column`, its room's place among that day's rooms (1-based)."""
    days = {}
    for session in attach_replays(list(visible_sessions(summit))):
        day = timezone.localtime(session.starts_at, tz).date()
        days.setdefault(day, []).append(session)
    rooms = list(summit.rooms.all())
    result = []
    for day, sessions in sorted(days.items()):
        used = [room for room in rooms if any(s.room_id == room.pk for s in sessions)]
        column = {room.pk: min(index, SCHEDULE_COLUMNS) for index, room in enumerate(used, start=1)}
        for session in sessions:
            session.column = column[session.room_id]
        result.append(
            {"date": day, "rooms": [{"room": room, "column": column[room.pk]} for room in used], "sessions": sessions}
        )
    return result


def now_and_next(sessions, now=None, upcoming=4, within=None):
    """Of `sessions` (in start order): what is on now, then the next `upcoming` to start (within the
    `within` timedelta, when given); cancelled ones left out. The top of the schedule during a summit,
    and what a phone shows first."""
    now = now or timezone.now()
    sessions = [s for s in sessions if s.status == Session.Status.PUBLISHED and s.ends_at > now]
    soon = [s for s in sessions if s.starts_at > now and (within is None or s.starts_at <= now + within)]
    return {"live": [s for s in sessions if s.starts_at <= now], "next": soon[:upcoming]}


def attach_replays(sessions):
    """Sets `replay_url` on each finished session: its replay's address, "" when there is none (yet)."""
    over = [s for s in sessions if s.is_over]
    urls = {}
    for part in replay_urls.parts(sessions=over):  # the app that records sessions (the stage) answers
        urls.update(part)
    for session in sessions:
        session.replay_url = urls.get(session.pk, "")
    return sessions


def listed_rooms(summit):
    """Rooms shown to everyone: private 1:1 meeting rooms are nobody else's business."""
    return summit.rooms.exclude(kind=Room.Kind.MEETING).select_related("company")


def live_session(room, at=None):
    """The session on in `room` at `at` (now by default), if any."""
    return sessions_live_in(room, at).first()


def sessions_live_in(room, at=None):
    """The sessions on in `room` at `at` (now by default), the one live_session picks first: a writer can store
    the live session's id in its INSERT as a subquery instead of reading it in a round trip of its own."""
    at = at or timezone.now()
    return Session.objects.filter(
        room=room, starts_at__lte=at, ends_at__gt=at, status=Session.Status.PUBLISHED
    ).order_by("starts_at")
