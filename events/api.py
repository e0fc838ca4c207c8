"""The programme's JSON API: translation between HTTP and events.services, nothing more."""

import datetime as dt
from typing import Literal

from django.contrib.auth import authenticate, login
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from django.http import HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.renderers import JSONRenderer
from ninja.security import django_auth

from events import schedule_cache, services
from events.models import Summit
from summit.errors import Invalid
from summit.throttling import Throttle

router = Router()
# The API's own (default) renderer: a cached schedule is the bytes Ninja would have sent.
SCHEDULE_RENDERER = JSONRenderer()


# --- schemas ------------------------------------------------------------------------


class Detail(Schema):
    detail: str


class SummitOut(Schema):
    slug: str
    name: str
    tagline: str
    description: str
    organised_with: str
    timezone: str
    languages: list[str]
    themes: list[str]
    starts_on: dt.date
    ends_on: dt.date


class SpeakerOut(Schema):
    id: int
    name: str
    title: str
    organisation: str


class LocalTimes(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    timezone: str


class SessionOut(Schema):
    id: int
    title: str
    description: str
    room: str
    room_name: str
    room_kind: str
    track: str | None
    company: str | None
    language: str
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
    sessions: list[SessionOut]


class SessionIn(Schema):
    title: str = Field(..., max_length=200)
    room: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    description: str = Field("", max_length=10000)
    track: str | None = None
    company: str | None = None
    language: str | None = None
    stream_url: str = Field("", max_length=200)
    speakers: list[int] | None = None
    status: Literal["draft", "published", "cancelled"] = "published"


class SessionPatch(Schema):
    title: str | None = Field(None, max_length=200)
    room: str | None = None
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    description: str | None = Field(None, max_length=10000)
    track: str | None = None
    company: str | None = None
    language: str | None = None
    stream_url: str | None = Field(None, max_length=200)
    speakers: list[int] | None = None
    status: Literal["draft", "published", "cancelled"] | None = None


class LoginIn(Schema):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=200)


class RegistrationIn(Schema):
    name: str = Field(..., max_length=200)
    email: str = Field(..., max_length=254)
    organisation: str = Field("", max_length=200)
    country: str = Field("", max_length=2)
    timezone: str = Field("UTC", max_length=64)
    language: str = Field("en", max_length=10)


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


def session_out(session, tz):
    return {
        "id": session.pk,
        "title": session.title,
        "description": session.description,
        "room": session.room.slug,
        "room_name": session.room.name,
        "room_kind": session.room.kind,
        "track": session.track.slug if session.track else None,
        "company": session.company.slug if session.company else None,
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
            {"id": s.pk, "name": s.name, "title": s.title, "organisation": s.organisation}
            for s in session.speakers.all()
        ],
        "url": reverse("session-detail", args=[session.summit.slug, session.pk]),
    }


# --- auth ---------------------------------------------------------------------------


@router.get("/auth/csrf/", response={200: Detail}, tags=["auth"])
def csrf(request):
    """Sets the csrftoken cookie; send it back as X-CSRFToken on unsafe requests."""
    get_token(request)
    return {"detail": "CSRF cookie set."}


@router.post(
    "/auth/login/",
    response={200: Detail, 401: Detail},
    throttle=[Throttle("login", "THROTTLE_LOGIN")],
    tags=["auth"],
)
def api_login(request, payload: LoginIn):
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        return Status(401, {"detail": "Wrong username or password."})
    login(request, user)
    return Status(200, {"detail": "Signed in."})


# --- summits and schedule -------------------------------------------------------------


@router.get("/summits/", response=list[SummitOut], tags=["summits"])
def list_summits(request):
    return Summit.objects.filter(is_published=True)


@router.get("/summits/{slug}/", response=SummitOut, tags=["summits"])
def get_summit(request, slug: str):
    return services.access_summit(slug)


@router.get("/summits/{slug}/schedule/", response=ScheduleOut, tags=["summits"])
def get_schedule(request, slug: str, tz: str | None = None):
    """Built once per summit, zone and language (events/schedule_cache.py); an unknown summit or zone is never kept."""

    requested = services.check_timezone(tz) if tz is not None else None  # a known zone name, or 422

    def build():
        summit = services.access_summit(slug)
        zone = requested or services.check_timezone(summit.timezone)
        sessions = [session_out(s, zone) for s in services.visible_sessions(summit)]
        data = ScheduleOut.model_validate({"summit": summit.slug, "timezone": str(zone), "sessions": sessions})
        return SCHEDULE_RENDERER.render(request, data.model_dump(), response_status=200)

    body = schedule_cache.document("api", slug, str(requested or ""), get_language(), build)
    return HttpResponse(body, content_type=f"{SCHEDULE_RENDERER.media_type}; charset={SCHEDULE_RENDERER.charset}")


@router.post(
    "/summits/{slug}/registrations/",
    response={201: RegistrationOut, 202: Detail},
    throttle=[Throttle("registration", "THROTTLE_REGISTRATION")],
    tags=["registration"],
)
def register(request, slug: str, payload: RegistrationIn):
    """Registers and signs in a new attendee; a known email gets a sign-in link by mail."""
    summit = services.access_summit(slug)
    user, created = services.do_register(summit, services.RegistrationForm(**payload.dict()))
    if not created:
        return Status(202, {"detail": "If this address is registered, a sign-in link is on its way."})
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    profile = user.profile
    return Status(201, {
        "id": user.pk,
        "name": profile.name,
        "email": user.email,
        "summit": summit.slug,
        "timezone": profile.timezone,
        "language": profile.language,
    })


# --- organiser: sessions -------------------------------------------------------------------


def _change(payload):
    return services.SessionChange(**payload.dict(exclude_unset=True))


@router.post("/summits/{slug}/sessions/", response={201: SessionOut}, auth=django_auth, tags=["organisers"])
def create_session(request, slug: str, payload: SessionIn):
    summit = services.access_summit(slug)
    change = services.SessionChange(**payload.dict())
    session = services.do_create_session(request.user, summit, change)
    return Status(201, session_out(session, services.check_timezone(summit.timezone)))


@router.patch("/sessions/{session_id}/", response=SessionOut, auth=django_auth, tags=["organisers"])
def update_session(request, session_id: int, payload: SessionPatch):
    session = services.access_session(session_id, include_unpublished=True)
    if not payload.dict(exclude_unset=True):
        raise Invalid(_("Nothing to change."))
    session = services.do_update_session(request.user, session, _change(payload))
    return session_out(session, services.check_timezone(session.summit.timezone))


@router.delete("/sessions/{session_id}/", response=SessionOut, auth=django_auth, tags=["organisers"])
def cancel_session(request, session_id: int):
    """Cancels rather than erases: attendees' calendars and reminders need to hear of it."""
    session = services.access_session(session_id, include_unpublished=True)
    session = services.do_cancel_session(request.user, session)
    return session_out(session, services.check_timezone(session.summit.timezone))


# --- attendees: agenda ------------------------------------------------------------------


@router.post("/sessions/{session_id}/bookmark/", response={200: BookmarkOut, 201: BookmarkOut},
             auth=django_auth, tags=["agenda"])
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
def my_agenda(request, tz: str | None = None):
    zone = services.check_timezone(tz or services.profile_for(request.user).timezone)
    return [session_out(s, zone) for s in services.agenda(request.user)]

