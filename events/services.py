"""The programme's rules: who may do what to summits, sessions, registrations and agendas.

Views, the API, consumers and tasks call these; they raise `summit.errors`
and never build responses. Functions named `access_*` look up and check
permission, `check_*` validate, `do_*` change state.

Past 500 lines for now: sessions, registrations, agendas and the people's
preferences share the look-ups above; the sign-in links already moved to
events/signin.py, and registration and agendas are the next to become modules
of an events/services package (as partnering's did).
"""

import datetime as dt
import secrets
import zoneinfo
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from events.i18n import check_translations, set_translations, translations, use_summit_fallback
from events.models import (
    KNOWN_TIMEZONES,
    AgendaFeed,
    Bookmark,
    Company,
    Profile,
    Registration,
    Room,
    Session,
    SigninLink,
    Speaker,
    Summit,
    Track,
)
from events.signals import bookmark_changed, replay_urls, session_changed
from events.tasks import send_invitation, send_signin_link
from summit.celery import delay_on_commit
from summit.errors import Conflict, Forbidden, Invalid, NotFound, NotSignedIn
from summit.throttling import mail_allowed

User = get_user_model()

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
# The zones offered first in time-zone pickers: the roadshow's two sides, then the usual others.
COMMON_TIMEZONES = [
    "Europe/Paris",
    "Asia/Shanghai",
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Asia/Singapore",
]


# --- look-ups and permissions -------------------------------------------------


def access_summit(slug):
    """The published summit `slug`. What is read of it afterwards (in this request or task) falls back
    to its main language where a translation is missing."""
    try:
        summit = Summit.objects.get(slug=slug, is_published=True)
    except Summit.DoesNotExist:
        raise NotFound(_("No summit called “%(slug)s”.") % {"slug": slug}) from None
    use_summit_fallback(summit)
    return summit


def access_room(summit, room_slug):
    try:
        return Room.objects.select_related("summit", "company").get(summit=summit, slug=room_slug)
    except Room.DoesNotExist:
        raise NotFound(_("No room called “%(slug)s” in this summit.") % {"slug": room_slug}) from None


def access_session(session_id, *, include_unpublished=False):
    sessions = Session.objects.select_related("summit", "room", "track", "company")
    if not include_unpublished:
        sessions = sessions.exclude(status=Session.Status.DRAFT)
    try:
        return sessions.get(pk=session_id)
    except Session.DoesNotExist:
        raise NotFound(_("No such session.")) from None


def registration_for(user, summit):
    if not user.is_authenticated:
        return None
    return Registration.objects.filter(summit=summit, user=user).first()


def role_in(user, summit):
    """The person's role in this summit, the one definition every app asks: their registration's
    role, ORGANISER for the platform's superusers, None for anyone not registered (or signed out).

    Django's `is_staff` flag only opens the admin site; it gives no role in a summit.
    """
    return roles_in([user], summit)[user.pk]


def roles_in(users, summit):
    """`role_in` for several people at once, {user pk: role}: one query whatever their number (a join storm)."""
    registered = [user.pk for user in users if user.is_authenticated and not user.is_superuser]
    roles = dict(
        Registration.objects.filter(summit=summit, user_id__in=registered).values_list("user_id", "role")
        if registered
        else ()
    )
    return {
        user.pk: (Registration.Role.ORGANISER if user.is_superuser else roles.get(user.pk))
        if user.is_authenticated
        else None
        for user in users
    }


def is_organiser(user, summit):
    return role_in(user, summit) == Registration.Role.ORGANISER


def check_signed_in(user):
    if not user.is_authenticated:
        raise NotSignedIn(_("Sign in first."))


def check_organiser(user, summit):
    check_signed_in(user)
    if not is_organiser(user, summit):
        raise Forbidden(_("Only the summit's organisers may do this."))


def check_registered(user, summit):
    check_signed_in(user)
    if role_in(user, summit) is None:
        raise Forbidden(_("Register for this summit first."))


# --- validation -------------------------------------------------------------------


def check_timezone(name):
    if not name or name not in KNOWN_TIMEZONES:
        raise Invalid(_("“%(tz)s” is not a known time zone, e.g. Europe/Paris or Asia/Shanghai.") % {"tz": name})
    return zoneinfo.ZoneInfo(name)


def check_language(code):
    if code not in LANGUAGE_CODES:
        raise Invalid(_("Language must be one of %(codes)s.") % {"codes": ", ".join(LANGUAGE_CODES)})
    return code


def check_aware(value, field):
    if timezone.is_naive(value):
        raise Invalid(_("%(field)s needs a time zone offset, e.g. 2027-03-29T09:00:00+02:00.") % {"field": field})
    return value


# Sessions happen in this window: far-off dates are typing mistakes, and at the edges of what
# Python's datetime holds (year 1, year 9999 with an offset) time zone arithmetic overflows.
EARLIEST_SESSION = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST_SESSION = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


def check_session_time(value, field):
    check_aware(value, field)
    if not EARLIEST_SESSION <= value < LATEST_SESSION:
        raise Invalid(_("%(field)s must fall between the years 2000 and 2099.") % {"field": field})
    return value


def check_session_times(starts_at, ends_at):
    check_session_time(starts_at, "starts_at")
    check_session_time(ends_at, "ends_at")
    if ends_at <= starts_at:
        raise Invalid(_("A session must end after it starts."))


def stream_origins():
    """The origins a session's stream may come from: STREAM_HOSTS, the hosts the CSP lets pages frame."""
    return {origin.rstrip("/").lower() for origin in settings.STREAM_HOSTS}


def check_stream_url(url):
    """An https:// address on one of STREAM_HOSTS, or "" for none: anything else would be framed or linked
    from the session page (a `javascript:` address would run in the platform's origin)."""
    url = (url or "").strip()
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        parts, port = None, None
    origin = ""
    if parts is not None and parts.scheme == "https" and parts.hostname and "@" not in parts.netloc:
        origin = f"https://{parts.hostname}" + (f":{port}" if port else "")
    if origin not in stream_origins():
        raise Invalid(
            _("The stream must be an https:// address on one of: %(hosts)s.")
            % {"hosts": ", ".join(sorted(stream_origins()))}
        )
    return url


def check_no_overlap(room, starts_at, ends_at, *, exclude_id=None):
    """Call inside a transaction that holds the room's row lock."""
    clashes = Session.objects.filter(room=room, starts_at__lt=ends_at, ends_at__gt=starts_at).exclude(
        status=Session.Status.CANCELLED
    )
    if exclude_id:
        clashes = clashes.exclude(pk=exclude_id)
    clash = clashes.first()
    if clash:
        raise Invalid(
            _("%(room)s already has “%(title)s” at that time: %(when)s.")
            % {"room": room.name, "title": clash.title, "when": when_text(clash.starts_at, clash.ends_at)}
        )


def when_text(starts_at, ends_at):
    """“Mon 30 Mar 2027, 10:00–10:30 (Europe/Paris)”: in the reader's time zone (the active one) and language."""
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    end_format = "TIME_FORMAT" if end.date() == start.date() else "SHORT_DATETIME_FORMAT"
    return "%s–%s (%s)" % (
        formats.date_format(start, "SHORT_DATETIME_FORMAT"),
        formats.date_format(end, end_format),
        timezone.get_current_timezone_name(),
    )


# --- sessions ---------------------------------------------------------------------


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
    at = at or timezone.now()
    return (
        Session.objects.filter(room=room, starts_at__lte=at, ends_at__gt=at, status=Session.Status.PUBLISHED)
        .order_by("starts_at")
        .first()
    )


# --- people -----------------------------------------------------------------------


@dataclass
class RegistrationForm:
    name: str
    email: str
    organisation: str = ""
    country: str = ""
    timezone: str = "UTC"
    language: str = "en"


def check_registration(form):
    name = (form.name or "").strip()
    if not name:
        raise Invalid(_("Tell us your name."))
    if len(name) > 200:
        raise Invalid(_("Your name is too long."))
    email = (form.email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise Invalid(_("“%(email)s” is not an email address.") % {"email": form.email}) from None
    country = (form.country or "").strip().upper()
    if country and (len(country) != 2 or not country.isalpha()):
        raise Invalid(_("Country must be a two-letter code such as FR or CN."))
    check_timezone(form.timezone)
    check_language(form.language)
    if len(form.organisation or "") > 200:
        raise Invalid(_("The organisation name is too long."))
    return RegistrationForm(name, email, (form.organisation or "").strip(), country, form.timezone, form.language)


def do_register(summit, form):
    """Register a new person, or mail a sign-in link to one we know.

    Returns `(user, created)`. When the email is already known nobody is
    signed in: whoever typed it may not own it, so the owner gets a link.
    """
    form = check_registration(form)
    existing = User.objects.filter(email__iexact=form.email).first()
    if existing:
        do_request_signin_link(existing, summit)
        return existing, False
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=form.email, email=form.email)
            Profile.objects.create(
                user=user,
                name=form.name,
                organisation=form.organisation,
                country=form.country,
                timezone=form.timezone,
                language=form.language,
            )
            Registration.objects.create(summit=summit, user=user)
    except IntegrityError:
        # Two registrations with one email raced: the loser is treated as "already known".
        existing = User.objects.get(username=form.email)
        do_request_signin_link(existing, summit)
        return existing, False
    return user, True


MAX_NAMED_PEOPLE = 100


def check_email_list(emails):
    """Lower-cased, de-duplicated addresses in the order given; a malformed one is refused by name."""
    if not isinstance(emails, list) or not all(isinstance(e, str) for e in emails):
        raise Invalid(_("emails must be a list of email addresses."))
    wanted, malformed = [], []
    for email in emails:
        email = email.strip().lower()
        if not email or email in wanted:
            continue
        try:
            validate_email(email)
        except ValidationError:
            malformed.append(email)
            continue
        wanted.append(email)
    if malformed:
        raise Invalid(_("Not an email address: %(emails)s.") % {"emails": ", ".join(malformed)})
    if len(wanted) > MAX_NAMED_PEOPLE:
        raise Invalid(_("Name up to %(max)d people at once.") % {"max": MAX_NAMED_PEOPLE})
    return wanted


def registered_people_by_email(summit, emails):
    """Who an organiser may name (a juror, a company's member, a speaker): people registered for the summit.

    Returns ({email: user} for the registered ones, [the other addresses]). Whether another address has
    an account on the platform is never told apart, so naming people cannot probe accounts; the caller
    offers to invite the others (do_invite_to_register).
    """
    wanted = check_email_list(emails)
    matches = Q()
    for email in wanted:
        matches |= Q(email__iexact=email)
    found = {}
    if wanted:
        # The platform's superusers hold a role in every summit (role_in), so they count as registered.
        holders = Q(registrations__summit=summit) | Q(is_superuser=True)
        for person in User.objects.filter(matches, holders, is_active=True).distinct():
            found[person.email.lower()] = person
    return {email: found[email] for email in wanted if email in found}, [e for e in wanted if e not in found]


def check_registered_emails(summit, emails):
    """The registered people behind `emails`, or 422 naming the addresses that are not registered for the summit."""
    found, others = registered_people_by_email(summit, emails)
    if others:
        raise Invalid(
            _(
                "Not registered for this summit: %(emails)s. Only registered people can be named; "
                "invite them to register by mail first."
            )
            % {"emails": ", ".join(others)}
        )
    return list(found.values())


def do_invite_to_register(user, summit, emails):
    """Mails each address an invitation to register (by a worker, once this commits); returns the addresses.

    The same for an address with an account, without one, or already registered: the answer tells the
    organiser nothing about anyone's account.
    """
    check_organiser(user, summit)
    wanted = check_email_list(emails)
    for email in wanted:
        if mail_allowed(email):
            delay_on_commit(send_invitation, summit.pk, email, user.pk)
    return wanted


def do_join_summit(user, summit):
    Registration.objects.get_or_create(summit=summit, user=user)


def do_request_signin_link(user, summit=None):
    """Replaces the person's sign-in link with a new one, mailed by a worker once this commits.

    At most THROTTLE_SIGNIN_LINK mails an hour reach one address; beyond that nothing is sent
    and nothing says so (the caller answers the same either way).
    """
    if not mail_allowed(user.email):
        return
    with transaction.atomic():
        SigninLink.objects.filter(user=user).delete()
        link = SigninLink.objects.create(user=user, summit=summit)
    delay_on_commit(send_signin_link, link.pk)


def profile_for(user):
    """The person's profile, made on first use for accounts created outside registration (admin, seed)."""
    profile = getattr(user, "profile", None)  # a missing reverse one-to-one is an AttributeError
    if profile is None:
        profile, _created = Profile.objects.get_or_create(
            user=user, defaults={"name": user.get_full_name() or user.get_username()}
        )
    return profile


def do_update_preferences(user, *, timezone_name=None, language=None):
    profile = profile_for(user)
    if timezone_name is not None:
        check_timezone(timezone_name)
        profile.timezone = timezone_name
    if language is not None:
        profile.language = check_language(language)
    profile.save(update_fields=["timezone", "language"])
    return profile


# --- agenda -----------------------------------------------------------------------


def do_bookmark(user, session):
    check_registered(user, session.summit)
    if session.status == Session.Status.CANCELLED:
        raise Conflict(_("This session has been cancelled."))
    if session.is_over:
        raise Conflict(_("This session is over."))
    _bookmark, created = Bookmark.objects.get_or_create(user=user, session=session)
    if created:
        transaction.on_commit(
            lambda: bookmark_changed.send(Bookmark, user_id=user.pk, session_id=session.pk, added=True)
        )
    return created


def do_unbookmark(user, session):
    check_signed_in(user)
    deleted, _rows = Bookmark.objects.filter(user=user, session=session).delete()
    if deleted:
        transaction.on_commit(
            lambda: bookmark_changed.send(Bookmark, user_id=user.pk, session_id=session.pk, added=False)
        )
    return bool(deleted)


def agenda(user, summit=None):
    sessions = Session.objects.filter(bookmarks__user=user).exclude(status=Session.Status.DRAFT)
    if summit is not None:
        sessions = sessions.filter(summit=summit)
    return (
        sessions.select_related("room", "summit", "track", "company").prefetch_related("speakers").order_by("starts_at")
    )


def bookmarked_ids(user, summit):
    if not user.is_authenticated:
        return set()
    return set(Bookmark.objects.filter(user=user, session__summit=summit).values_list("session_id", flat=True))


def agenda_feed_token(user):
    feed, _created = AgendaFeed.objects.get_or_create(user=user, defaults={"token": secrets.token_urlsafe(32)})
    return feed.token


def access_agenda_feed(token):
    feed = AgendaFeed.objects.select_related("user").filter(token=token).first()
    if feed is None:
        raise NotFound(_("No such calendar feed."))
    return feed.user
