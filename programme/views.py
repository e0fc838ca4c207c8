"""The organisers' programme editor: each view parses a form, calls one service, renders.

Every view starts with `access_editor`, the organiser check of the API; a service's refusal
(`Invalid`, in the organiser's language) is shown on the form it came from with status 422.
"""

import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from events import services as events
from events.models import Company, Room, Session, Speaker, Track
from programme import services
from programme.forms import CompanyForm, RoomForm, SessionForm, SpeakerForm, ThemesForm, TrackForm
from summit.errors import Invalid, NotFound


def _zones(summit):
    own = timezone.get_current_timezone()
    return {"own_zone": str(own), "other_zone": services.other_party_zone(summit, own)}


def _render_form(request, template, context, form, error=None):
    if error is not None:
        form.add_error(None, error.detail)
    status = 422 if form.is_bound and form.errors else 200
    return render(request, template, {**context, "form": form}, status=status)


# --- sessions -------------------------------------------------------------------------------------


def session_list(request, slug):
    summit = services.access_editor(request.user, slug)
    tz = timezone.get_current_timezone()
    rooms = services.editor_rooms(summit)
    days = services.programme_days(summit, tz)
    chosen = {
        "day": request.GET.get("day", ""),
        "room": request.GET.get("room", ""),
        "track": request.GET.get("track", ""),
        "status": request.GET.get("status", ""),
    }
    day = next((d for d in days if d.isoformat() == chosen["day"]), None)
    room = next((r for r in rooms if r.slug == chosen["room"]), None)
    track = summit.tracks.filter(slug=chosen["track"]).first() if chosen["track"] else None
    status = chosen["status"] if chosen["status"] in Session.Status.values else None
    context = {
        "summit": summit,
        **_zones(summit),
        "days": days,
        "rooms": rooms,
        "tracks": summit.tracks.all(),
        "statuses": Session.Status.choices,
        "chosen": chosen,
        "sessions": services.editor_sessions(summit, tz, day=day, room=room, track=track, status=status),
    }
    return render(request, "programme/session_list.html", context)


def _warn_about_speakers(request, session):
    for warning in events.speaker_clash_warnings(session):
        messages.warning(request, warning)


@require_http_methods(["GET", "POST"])
def session_new(request, slug):
    summit = services.access_editor(request.user, slug)
    rooms = services.editor_rooms(summit)
    context = {"summit": summit, **_zones(summit), "session": None}
    if request.method != "POST":
        initial = {"language": summit.languages[0] if summit.languages else "en", "room": request.GET.get("room")}
        return _render_form(
            request, "programme/session_form.html", context, SessionForm(summit, rooms, initial=initial)
        )
    form = SessionForm(summit, rooms, request.POST)
    if not form.is_valid():
        return _render_form(request, "programme/session_form.html", context, form)
    try:
        session = events.do_create_session(request.user, summit, form.change())
    except Invalid as error:
        return _render_form(request, "programme/session_form.html", context, form, error)
    messages.success(request, _("“%(title)s” is on the programme.") % {"title": session.title})
    _warn_about_speakers(request, session)
    return redirect("programme-session", slug=summit.slug, session_id=session.pk)


@require_http_methods(["GET", "POST"])
def session_edit(request, slug, session_id):
    summit = services.access_editor(request.user, slug)
    session = services.access_item(Session, summit, session_id)
    rooms = services.editor_rooms(summit)
    context = {"summit": summit, **_zones(summit), "session": session}
    if request.method != "POST":
        context["clashes"] = events.speaker_clashes(session)
        form = SessionForm(summit, rooms, initial=SessionForm.initial_for(session))
        return _render_form(request, "programme/session_form.html", context, form)
    form = SessionForm(summit, rooms, request.POST)
    if not form.is_valid():
        return _render_form(request, "programme/session_form.html", context, form)
    try:
        session = events.do_update_session(request.user, session, form.change(keep_status=session.is_cancelled))
    except Invalid as error:
        return _render_form(request, "programme/session_form.html", context, form, error)
    messages.success(request, _("“%(title)s” is saved; attendees see the change now.") % {"title": session.title})
    _warn_about_speakers(request, session)
    return redirect("programme-session", slug=summit.slug, session_id=session.pk)


@require_POST
def session_cancel(request, slug, session_id):
    summit = services.access_editor(request.user, slug)
    session = events.do_cancel_session(request.user, services.access_item(Session, summit, session_id))
    messages.success(
        request, _("“%(title)s” is cancelled; attendees who saved it are told.") % {"title": session.title}
    )
    return redirect("programme-session", slug=summit.slug, session_id=session.pk)


@require_POST
def session_restore(request, slug, session_id):
    summit = services.access_editor(request.user, slug)
    session = services.access_item(Session, summit, session_id)
    try:
        session = events.do_restore_session(request.user, session)
    except Invalid as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("“%(title)s” is back on the programme.") % {"title": session.title})
        _warn_about_speakers(request, session)
    return redirect("programme-session", slug=summit.slug, session_id=session.pk)


def run_sheet(request, slug, day):
    summit = services.access_editor(request.user, slug)
    tz = timezone.get_current_timezone()
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        raise NotFound(_("No such day.")) from None
    context = {
        "summit": summit,
        **_zones(summit),
        "date": date,
        "sessions": services.run_sheet(summit, date, tz),
        "days": services.programme_days(summit, tz),
    }
    return render(request, "programme/run_sheet.html", context)


# --- rooms, tracks and themes, speakers, companies ------------------------------------------------


def _item_context(summit, item, titles, list_url_name, **extra):
    """What every item editor's page shows: the item (None while new), its title (edit, new), the way back."""
    new = item.pk is None
    return {
        "summit": summit,
        "item": None if new else item,
        "title": titles[1] if new else titles[0],
        "back": reverse(list_url_name, args=[summit.slug]),
        **extra,
    }


def _save_item(request, context, form, save, list_url_name):
    """The tail every item editor shares: show the form until it is valid, save through the service
    (its refusal shown on the form), then go back to the list with a confirmation."""
    if request.method != "POST" or not form.is_valid():
        return _render_form(request, "programme/item_form.html", context, form)
    try:
        item = save(form.save(commit=False))
    except Invalid as error:
        return _render_form(request, "programme/item_form.html", context, form, error)
    messages.success(request, _("“%(name)s” is saved.") % {"name": item.name})
    return redirect(list_url_name, slug=context["summit"].slug)


def room_list(request, slug):
    summit = services.access_editor(request.user, slug)
    return render(request, "programme/room_list.html", {"summit": summit, "rooms": services.editor_rooms(summit)})


@require_http_methods(["GET", "POST"])
def room_edit(request, slug, room_id=None):
    summit = services.access_editor(request.user, slug)
    rooms = services.editor_rooms(summit)
    room = services.access_item(Room, summit, room_id, rooms) if room_id else Room(summit=summit)
    context = _item_context(summit, room, (_("Edit the room"), _("New room")), "programme-rooms")
    form = RoomForm(summit, request.POST or None, instance=room)
    return _save_item(
        request, context, form, lambda item: services.do_save_room(request.user, summit, item), "programme-rooms"
    )


@require_http_methods(["GET", "POST"])
def track_list(request, slug):
    """Tracks, and the summit's themes (which partnering profiles and companies pick from)."""
    summit = services.access_editor(request.user, slug)
    themes = ThemesForm(summit, request.POST or None)
    if request.method == "POST" and themes.is_valid():
        services.do_set_themes(request.user, summit, themes.theme_rows())
        messages.success(request, _("The themes are saved."))
        return redirect("programme-tracks", slug=summit.slug)
    return render(
        request,
        "programme/track_list.html",
        {"summit": summit, "tracks": summit.tracks.all(), "form": themes},
        status=422 if themes.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def track_edit(request, slug, track_id=None):
    summit = services.access_editor(request.user, slug)
    track = services.access_item(Track, summit, track_id) if track_id else Track(summit=summit)
    context = _item_context(
        summit,
        track,
        (_("Edit the track"), _("New track")),
        "programme-tracks",
        delete=reverse("programme-track-delete", args=[summit.slug, track.pk]) if track_id else None,
    )
    form = TrackForm(summit, request.POST or None, instance=track)
    return _save_item(
        request, context, form, lambda item: services.do_save_track(request.user, summit, item), "programme-tracks"
    )


@require_http_methods(["GET", "POST"])
def track_delete(request, slug, track_id):
    """A track that sessions use is deleted only once confirmed on a page that lists them (no script needed)."""
    summit = services.access_editor(request.user, slug)
    track = services.access_item(Track, summit, track_id)
    sessions = list(track.sessions.select_related("room").order_by("starts_at", "pk"))
    if request.method == "GET" or (sessions and request.POST.get("confirmed") != "yes"):
        context = {"summit": summit, "track": track, "sessions": sessions}
        return render(request, "programme/track_delete.html", context)
    name = services.do_delete_track(request.user, summit, track)
    messages.success(request, _("“%(name)s” is deleted; its sessions stay, without a track.") % {"name": name})
    return redirect("programme-tracks", slug=summit.slug)


def speaker_list(request, slug):
    summit = services.access_editor(request.user, slug)
    speakers = summit.speakers.select_related("company")
    return render(request, "programme/speaker_list.html", {"summit": summit, "speakers": speakers})


@require_http_methods(["GET", "POST"])
def speaker_edit(request, slug, speaker_id=None):
    summit = services.access_editor(request.user, slug)
    speaker = services.access_item(Speaker, summit, speaker_id) if speaker_id else Speaker(summit=summit)
    context = _item_context(
        summit, speaker, (_("Edit the speaker"), _("New speaker")), "programme-speakers", image=speaker.photo
    )
    form = SpeakerForm(summit, request.POST or None, request.FILES or None, instance=speaker)

    def save(item):
        return services.do_save_speaker(request.user, summit, item, photo=form.cleaned_data["photo_upload"])

    return _save_item(request, context, form, save, "programme-speakers")


def company_list(request, slug):
    summit = services.access_editor(request.user, slug)
    companies = summit.companies.prefetch_related("members")
    return render(request, "programme/company_list.html", {"summit": summit, "companies": companies})


@require_http_methods(["GET", "POST"])
def company_edit(request, slug, company_id=None):
    summit = services.access_editor(request.user, slug)
    company = services.access_item(Company, summit, company_id) if company_id else Company(summit=summit)
    context = _item_context(
        summit, company, (_("Edit the company"), _("New company")), "programme-companies", image=company.logo
    )
    form = CompanyForm(summit, request.POST or None, request.FILES or None, instance=company)

    def save(item):
        return services.do_save_company(
            request.user, summit, item, member_emails=form.emails(), logo=form.cleaned_data["logo_upload"]
        )

    return _save_item(request, context, form, save, "programme-companies")
