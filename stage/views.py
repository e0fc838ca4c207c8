"""Pages of the stage (Go live, replays) and the media server's HTTP callbacks.

The callbacks are async: they run in Daphne's event loop, so `stage.state` goes out through that
loop's room hubs (livechat/hub.py), to every socket of the room on every process.
"""

from asgiref.sync import async_to_sync
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseRedirectBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from events.services import is_organiser
from livechat.db import call
from livechat.hub import hubs
from stage.services import channels, media, restream
from summit.errors import NotFound, ServiceError


class RtmpRedirect(HttpResponseRedirectBase):
    """nginx-rtmp follows a 302 to rtmp://… by relaying the stream there."""

    status_code = 302
    allowed_schemes = ["rtmp"]


# --- the media server's callbacks ------------------------------------------------------------


def _answer(error):
    return HttpResponse(str(error.detail), status=error.status, content_type="text/plain")


def _checked_form(request):
    if request.method != "POST":
        return None, HttpResponseNotAllowed(["POST"])
    try:
        media.check_media_secret(request.headers.get(media.SECRET_HEADER))
    except ServiceError as error:
        return None, _answer(error)
    return request.POST, None


async def _announce(room_id):
    frame = await call(channels.stage_state_frame, room_id)
    await hubs().broadcast(room_id, frame)


def announce(room_id):
    """`stage.state` to the room's sockets from a sync view (Daphne runs it on its loop's hubs)."""
    async_to_sync(_announce)(room_id)


@csrf_exempt
async def media_publish(request):
    """`on_publish` of the ingest application: a valid key is relayed under its public name."""
    form, refusal = _checked_form(request)
    if refusal:
        return refusal
    try:
        location = await call(media.do_authorise_publish, form.get("app", ""), form.get("name", ""))
    except ServiceError as error:
        return _answer(error)
    return RtmpRedirect(location)


async def _callback(request, service, *fields):
    """One media-server callback: check the shared secret, then `service(app, name, *fields)`.

    Returns (what the service returned, None), or (None, the answer that refuses the call).
    """
    form, refusal = _checked_form(request)
    if refusal:
        return None, refusal
    try:
        result = await call(service, form.get("app", ""), form.get("name", ""), *(form.get(f, "") for f in fields))
    except ServiceError as error:
        return None, _answer(error)
    return result, None


def _ok():
    return HttpResponse("ok", content_type="text/plain")


@csrf_exempt
async def media_update(request):
    """`on_update` while publishing: a rotated key ends the stream; a backstage stream goes on air once
    its session has started (this check runs every 10 s)."""
    _result, refusal = await _callback(request, media.check_still_publishing)
    if refusal:
        return refusal
    room_id = await call(channels.do_go_on_air_when_the_session_starts, request.POST.get("name", ""))
    if room_id is not None:
        await _announce(room_id)
    return _ok()


@csrf_exempt
async def media_relay(request):
    """`on_publish` of a room's relay application: only the platform's 302, with its relay token."""
    _result, refusal = await _callback(request, media.check_relay_publish, "token")
    return refusal or _ok()


@csrf_exempt
async def media_restream(request):
    """`on_publish` of a restream target's application: the target is checked again as the relay starts."""
    _result, refusal = await _callback(request, restream.check_relay_may_start, "token")
    return refusal or _ok()


@csrf_exempt
async def media_started(request):
    room_id, refusal = await _callback(request, media.do_stream_started, "token")
    if refusal:
        return refusal
    await _announce(room_id)
    return _ok()


@csrf_exempt
async def media_stopped(request):
    room_id, refusal = await _callback(request, media.do_stream_stopped)
    if refusal:
        return refusal
    await _announce(room_id)
    return _ok()


@csrf_exempt
async def media_recorded(request):
    _result, refusal = await _callback(request, media.do_recording_done, "path")
    return refusal or _ok()


# --- pages ------------------------------------------------------------------------------------


def go_live(request, slug, room_slug):
    """The presenter's page: server, keys, OBS settings, the backstage preview, state; organisers also put
    the stream on air and manage restreams."""
    room = channels.access_ingest(request.user, slug, room_slug)
    organiser = is_organiser(request.user, room.summit)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "on-air":
                announce(channels.do_put_on_air(request.user, room))
                messages.success(request, _("On air: attendees see the stream now."))
            elif action == "rotate":
                channels.do_rotate_keys(room)
                messages.success(request, _("New keys are ready: the old ones no longer work."))
            elif action == "add-target":
                restream.do_add_restream_target(
                    request.user, room, request.POST.get("url"), request.POST.get("stream_key")
                )
                messages.success(request, _("Restream target added: it receives the next publish."))
            elif action == "remove-target":
                target_id = request.POST.get("target", "")
                if not target_id.isdigit():
                    raise NotFound(_("No such restream target in this room."))
                restream.do_remove_restream_target(request.user, room, int(target_id))
                messages.success(request, _("Restream target removed."))
            else:
                messages.error(request, _("Nothing to do."))
        except ServiceError as error:
            messages.error(request, error.detail)
        return redirect(reverse("go-live", args=[room.summit.slug, room.slug]))
    context = {
        "summit": room.summit,
        "room": room,
        "ingest": channels.ingest_for(room),
        "state": channels.stage_state(room),
        "preview_url": channels.preview_url(room),
        "ingest_url": reverse("api:ingest", kwargs={"slug": room.summit.slug, "room": room.slug}),
        "labels": channels.go_live_labels(),
        "latency": channels.latency_advice(),
        "presenting": channels.presenting_session(request.user, room),
        "stage_latency": settings.STAGE_LATENCY,
        "targets": restream.restream_targets(request.user, room) if organiser else None,
        "is_organiser": organiser,
    }
    return render(request, "stage/go_live.html", context)


def replay(request, slug, recording_slug):
    """A replay on its own page, for whoever may enter its room."""
    recording = channels.access_replay(request.user, slug, recording_slug)
    context = {
        "summit": recording.room.summit,
        "room": recording.room,
        "recording": recording,
        "view": channels.recording_view(recording),
        "minutes": max(1, round(recording.duration_s / 60)) if recording.duration_s else None,
    }
    return render(request, "stage/replay.html", context)
