"""The programme's JSON API: translation between HTTP and events.services, nothing more."""

import datetime as dt
from typing import Annotated, Literal

from django.conf import settings
from django.contrib.auth import authenticate, login
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.renderers import JSONRenderer
from ninja.security import django_auth
from pydantic import WithJsonSchema

from events import i18n, schedule_cache, services
from events.models import KNOWN_TIMEZONES, Summit
from summit.errors import Invalid
from summit.schemas import Input
from summit.throttling import check_registration_attempt, check_signin_attempt

router = Router()
# The API's own (default) renderer: a cached schedule is the bytes Ninja would have sent.
SCHEDULE_RENDERER = JSONRenderer()


# --- schemas ------------------------------------------------------------------------


class Detail(Schema):
    detail: str


# A translated field is a string in the reader's language plus every language under `<field>_i18n`.
Translations = dict[str, str]
# ... and is written as a string (the summit's main language) or as {language code: text}.
TextIn = str | dict[str, str | None]


class SummitOut(Schema):
    slug: str
    name: str
    name_i18n: Translations
    tagline: str
    tagline_i18n: Translations
    description: str
    description_i18n: Translations
    organised_with: str
    timezone: str
    language: str = Field(..., description="The summit's main language: the fallback for untranslated text.")
    languages: list[str]
    themes: list[str]
    starts_on: dt.date
    ends_on: dt.date


class SpeakerOut(Schema):
    id: int
    name: str
    title: str
    title_i18n: Translations
    organisation: str
    bio: str
    bio_i18n: Translations


class LocalTimes(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    timezone: str


class SessionOut(Schema):
    id: int
    title: str
    title_i18n: Translations
    description: str
    description_i18n: Translations
    room: str
    room_name: str
    room_name_i18n: Translations
    room_kind: str
    track: str | None
    track_name: str | None
    track_name_i18n: Translations | None
    company: str | None
    company_name: str | None
    company_name_i18n: Translations | None
    language: str = Field(..., description="The language the session is spoken in.")
    status: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    local: LocalTimes
    stream_url: str
    speakers: list[SpeakerOut]
    url: str


class ScheduleOut(Schema):
    summit: str
    timezone: str
    language: str = Field(..., description="The reader's language the texts are given in.")
    sessions: list[SessionOut]


class OrganiserSessionOut(SessionOut):
    """A session as its organiser changed it, with what deserves a second look (the change is made)."""

    warnings: list[str] = Field(description="E.g. a speaker due in another room at the same time.")


class SessionIn(Input):
    title: TextIn
    room: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    description: TextIn = ""
    track: str | None = None
    company: str | None = None
    language: str | None = None
    stream_url: str = Field("", max_length=200)
    speakers: list[int] | None = None
    status: Literal["draft", "published", "cancelled"] = "published"


class SessionPatch(Input):
    title: TextIn | None = None
    room: str | None = None
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    description: TextIn | None = None
    track: str | None = None
    company: str | None = None
    language: str | None = None
    stream_url: str | None = Field(None, max_length=200)
    speakers: list[int] | None = None
    status: Literal["draft", "published", "cancelled"] | None = None


class LoginIn(Input):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=200)


# What the rules of events.services accept, written into the schema so that it says so.
TIMEZONE_NAMES = sorted(KNOWN_TIMEZONES)
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
SOME_TEXT = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"  # not blank, no NUL
TimezoneParam = Annotated[str | None, WithJsonSchema({"type": "string", "enum": TIMEZONE_NAMES})]


class RegistrationIn(Input):
    name: str = Field(..., max_length=200, pattern=SOME_TEXT)
    email: str = Field(..., max_length=254, json_schema_extra={"format": "email"})
    organisation: str = Field("", max_length=200)
    country: str = Field("", pattern=r"^([A-Za-z]{2})?$", description="Two letters, e.g. FR or CN; or empty.")
    timezone: str = Field("UTC", json_schema_extra={"enum": TIMEZONE_NAMES})
    language: str = Field("en", json_schema_extra={"enum": LANGUAGE_CODES})


class RegistrationOut(Schema):
    id: int
    name: str
    email: str
    summit: str
    timezone: str
    language: str


class BookmarkOut(Schema):
    session: int
    bookmarked: bool


def summit_out(summit, language):
    return {
        "slug": summit.slug,
        **i18n.localized(summit, ("name", "tagline", "description"), language, summit.language),
        "organised_with": summit.organised_with,
        "timezone": summit.timezone,
        "language": summit.language,
        "languages": summit.languages,
        "themes": [label for _key, label in i18n.theme_labels(summit, language=language)],
        "starts_on": summit.starts_on,
        "ends_on": summit.ends_on,
    }


def _named(obj, language, main, prefix):
    """A session's room, track or company: its name in the reader's language and in all of them."""
    if obj is None:
        return {prefix + "name": None, prefix + "name_i18n": None}
    return i18n.localized(obj, ("name",), language, main, prefix=prefix)


def session_out(session, tz, language):
    main = session.summit.language
    return {
        "id": session.pk,
        **i18n.localized(session, ("title", "description"), language, main),
        "room": session.room.slug,
        **_named(session.room, language, main, "room_"),
        "room_kind": session.room.kind,
        "track": session.track.slug if session.track else None,
        **_named(session.track, language, main, "track_"),
        "company": session.company.slug if session.company else None,
        **_named(session.company, language, main, "company_"),
        "language": session.language,
        "status": session.status,
        "starts_at": session.starts_at.astimezone(dt.UTC),
        "ends_at": session.ends_at.astimezone(dt.UTC),
        "local": {
            "starts_at": timezone.localtime(session.starts_at, tz),
            "ends_at": timezone.localtime(session.ends_at, tz),
            "timezone": str(tz),
        },
        "stream_url": session.effective_stream_url,
        "speakers": [
            {
                "id": s.pk,
                "name": s.name,
                "organisation": s.organisation,
                **i18n.localized(s, ("title", "bio"), language, main),
            }
            for s in session.speakers.all()
        ],
        "url": reverse("session-detail", args=[session.summit.slug, session.pk]),
    }


def organiser_session_out(session, tz, language):
    with translation.override(language):
        warnings = services.speaker_clash_warnings(session)
    return {**session_out(session, tz, language), "warnings": warnings}


# --- auth ---------------------------------------------------------------------------


@router.get("/auth/csrf/", response={200: Detail}, tags=["auth"])
def csrf(request):
    """Sets the csrftoken cookie; send it back as X-CSRFToken on unsafe requests."""
    get_token(request)
    return {"detail": "CSRF cookie set."}


@router.post(
    "/auth/login/",
    response={200: Detail, 401: Detail, 429: Detail, 503: Detail},
    tags=["auth"],
)
def api_login(request, payload: LoginIn):
    """Throttled per client and per account, like every way of signing in (THROTTLE_LOGIN)."""
    check_signin_attempt(request, payload.username)
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        return Status(401, {"detail": "Wrong username or password."})
    login(request, user)
    return Status(200, {"detail": "Signed in."})


# --- summits and schedule -------------------------------------------------------------


LANG_DOC = (
    "Reader's language for translated texts (en, fr, zh-hans); default: your saved language, "
    "else Accept-Language, else the summit's main language."
)
# The schema names the languages, so a client (and schemathesis) knows what is accepted.
LangParam = Annotated[
    str | None, WithJsonSchema({"type": "string", "enum": list(i18n.LANGUAGE_CODES), "description": LANG_DOC})
]


@router.get("/summits/", response=list[SummitOut], tags=["summits"])
def list_summits(request, lang: LangParam = None):
    return [summit_out(s, i18n.reader_language(request, s.language)) for s in Summit.objects.filter(is_published=True)]


@router.get("/summits/{slug}/", response=SummitOut, tags=["summits"])
def get_summit(request, slug: str, lang: LangParam = None):
    summit = services.access_summit(slug)
    return summit_out(summit, i18n.reader_language(request, summit.language))


@router.get("/summits/{slug}/schedule/", response=ScheduleOut, tags=["summits"])
def get_schedule(request, slug: str, tz: TimezoneParam = None, lang: LangParam = None):
    """Built once per summit, zone and reader's language (events/schedule_cache.py); an unknown summit or
    zone is never kept."""
    requested = services.check_timezone(tz) if tz is not None else None  # a known zone name, or 422
    language = i18n.requested_language(request)  # None: the summit's main language, known once it is read

    def build():
        summit = services.access_summit(slug)
        zone = requested or services.check_timezone(summit.timezone)
        reading = language or summit.language
        sessions = [session_out(s, zone, reading) for s in services.visible_sessions(summit)]
        data = ScheduleOut.model_validate(
            {"summit": summit.slug, "timezone": str(zone), "language": reading, "sessions": sessions}
        )
        return SCHEDULE_RENDERER.render(request, data.model_dump(), response_status=200)

    body = schedule_cache.document("api", slug, str(requested or ""), language or "main", build)
    return HttpResponse(body, content_type=f"{SCHEDULE_RENDERER.media_type}; charset={SCHEDULE_RENDERER.charset}")


@router.post(
    "/summits/{slug}/registrations/",
    response={201: RegistrationOut, 202: Detail, 404: Detail, 429: Detail, 503: Detail},
    tags=["registration"],
)
def register(request, slug: str, payload: RegistrationIn):
    """Registers and signs in a new attendee; a known email gets a sign-in link by mail."""
    check_registration_attempt(request, payload.email)
    summit = services.access_summit(slug)
    user, created = services.do_register(summit, services.RegistrationForm(**payload.dict()))
    if not created:
        return Status(202, {"detail": "If this address is registered, a sign-in link is on its way."})
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    profile = user.profile
    return Status(
        201,
        {
            "id": user.pk,
            "name": profile.name,
            "email": user.email,
            "summit": summit.slug,
            "timezone": profile.timezone,
            "language": profile.language,
        },
    )


# --- organiser: sessions -------------------------------------------------------------------


def _change(payload):
    return services.SessionChange(**payload.dict(exclude_unset=True))


@router.post("/summits/{slug}/sessions/", response={201: OrganiserSessionOut}, auth=django_auth, tags=["organisers"])
def create_session(request, slug: str, payload: SessionIn):
    summit = services.access_summit(slug)
    change = services.SessionChange(**payload.dict())
    session = services.do_create_session(request.user, summit, change)
    language = i18n.reader_language(request, summit.language)
    return Status(201, organiser_session_out(session, services.check_timezone(summit.timezone), language))


@router.patch("/sessions/{session_id}/", response=OrganiserSessionOut, auth=django_auth, tags=["organisers"])
def update_session(request, session_id: int, payload: SessionPatch):
    session = services.access_session(session_id, include_unpublished=True)
    if not payload.dict(exclude_unset=True):
        raise Invalid(_("Nothing to change."))
    session = services.do_update_session(request.user, session, _change(payload))
    language = i18n.reader_language(request, session.summit.language)
    return organiser_session_out(session, services.check_timezone(session.summit.timezone), language)


@router.delete("/sessions/{session_id}/", response=OrganiserSessionOut, auth=django_auth, tags=["organisers"])
def cancel_session(request, session_id: int):
    """Cancels rather than erases: attendees' calendars and reminders need to hear of it."""
    session = services.access_session(session_id, include_unpublished=True)
    session = services.do_cancel_session(request.user, session)
    language = i18n.reader_language(request, session.summit.language)
    return organiser_session_out(session, services.check_timezone(session.summit.timezone), language)


# --- attendees: agenda ------------------------------------------------------------------


@router.post(
    "/sessions/{session_id}/bookmark/",
    response={200: BookmarkOut, 201: BookmarkOut, 409: Detail},
    auth=django_auth,
    tags=["agenda"],
)
def bookmark(request, session_id: int):
    session = services.access_session(session_id)
    created = services.do_bookmark(request.user, session)
    return Status(201 if created else 200, {"session": session.pk, "bookmarked": True})


@router.delete("/sessions/{session_id}/bookmark/", response=BookmarkOut, auth=django_auth, tags=["agenda"])
def unbookmark(request, session_id: int):
    session = services.access_session(session_id)
    services.do_unbookmark(request.user, session)
    return {"session": session.pk, "bookmarked": False}


@router.get("/me/agenda/", response=list[SessionOut], auth=django_auth, tags=["agenda"])
def my_agenda(request, tz: TimezoneParam = None, lang: LangParam = None):
    zone = services.check_timezone(tz or services.profile_for(request.user).timezone)
    return [
        session_out(s, zone, i18n.reader_language(request, s.summit.language)) for s in services.agenda(request.user)
    ]


# --- organisers: inviting people to register ------------------------------------------------


class InvitationsIn(Input):
    emails: list[str] = Field(..., max_length=100, examples=[["li.na@example.cn"]])


class InvitationsOut(Schema):
    invited: list[str]


@router.post(
    "/summits/{slug}/invitations/",
    response={202: InvitationsOut},
    auth=django_auth,
    tags=["organisers"],
)
def invite_to_register(request, slug: str, payload: InvitationsIn):
    """Mails each address an invitation to register for the summit; the answer is the same whether the
    address has an account or not (only registered people can be named jurors, members or speakers)."""
    summit = services.access_summit(slug)
    return Status(202, {"invited": services.do_invite_to_register(request.user, summit, payload.emails)})
