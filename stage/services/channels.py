"""Who may watch and who may go live: the stage as attendees see it, and the keys presenters get.

A room offers one channel per language: the original (floor) and one per summit language for
interpreters. Keys are shown only to organisers and to members of a company whose session in the
room is current or starts within the hour; rotating them refuses the old ones at the media server's
next ask.

The backstage: a stream that starts in the hour before a session (and no session is on) is a preview
that only the presenting company and the organisers see on the Go live page; attendees see the room
offline until the session starts or an organiser puts it on air (`Channel.on_air`).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Room, Session
from events.services import (
    access_room,
    access_summit,
    check_organiser,
    check_signed_in,
    is_organiser,
    live_session,
    profile_for,
)
from livechat.services import access_live_room
from stage.models import ORIGINAL, Channel, Recording, new_public_name, new_stream_key
from stage.services import media, mediaconfig
from stage.services.backstage import BACKSTAGE, backstage_session
from summit.errors import Conflict, Forbidden, NotFound, NotSignedIn

LANGUAGE_NAMES = dict(settings.LANGUAGES)
# Glass-to-glass delay per STAGE_LATENCY profile, measured by `make bench` (bench/stage_latency.py,
# docs/benchmarks.md): what the Go live page tells presenters, rounded to the second.
MEASURED_LATENCY_SECONDS = {"low": 2, "cdn": 6}


def label_for(language):
    if language == ORIGINAL:
        return _("Original")
    return str(LANGUAGE_NAMES.get(language, language))


def playlist_url(public_name, room):
    """A channel's live playlist: signed and expiring when the room is private (media.media_url)."""
    return media.media_url("hls", public_name, private=room.is_private)


def replay_url(recording):
    return media.media_url("replays", recording.slug, private=recording.room.is_private)


def _language_order(room):
    languages = [ORIGINAL, *room.summit.languages]
    return {language: position for position, language in enumerate(languages)}


# --- what attendees see ----------------------------------------------------------------


def access_stage_room(user, summit_slug, room_slug):
    """The room, if `user` may enter it: the room socket's own rule."""
    access = access_live_room(user, summit_slug, room_slug)
    return Room.objects.select_related("summit").get(pk=access["room_id"])


def stage_state(room, *, now=None):
    """`{status, streams}`: what `stage.state` and `room.state.stage` carry, the same for everybody.

    A channel on air is an HLS stream; otherwise its embedded player if it has one (the original
    falls back to the session's or room's player link), else an HLS stream that is not live and has
    no address: a stream in the backstage is a preview whose address attendees never get.
    """
    session = live_session(room, now)
    legacy_embed = session.effective_stream_url if session else room.stream_url
    order = _language_order(room)
    channels = sorted(Channel.objects.filter(room=room), key=lambda c: (order.get(c.language, 99), c.language))
    streams = []
    for channel in channels:
        embed = channel.embed_url or (legacy_embed if channel.language == ORIGINAL else "")
        on_air = channel.live_since is not None and channel.on_air
        if not on_air and embed:
            stream = {"kind": "embed", "url": embed, "live": True}
        else:
            stream = {"kind": "hls", "url": playlist_url(channel.public_name, room) if on_air else "", "live": on_air}
        streams.append({"language": channel.language, "label": label_for(channel.language), **stream})
    if not any(channel.language == ORIGINAL for channel in channels) and legacy_embed:
        streams.insert(
            0, {"language": ORIGINAL, "label": label_for(ORIGINAL), "kind": "embed", "url": legacy_embed, "live": True}
        )
    live = any(stream["kind"] == "hls" and stream["live"] for stream in streams)
    return {"status": "live" if live else "offline", "streams": streams}


def stage_state_frame(room_id):
    """The `stage.state` frame every socket of the room receives when a channel starts or stops."""
    room = Room.objects.select_related("summit").get(pk=room_id)
    return {"type": "stage.state", **stage_state(room)}


def recordings_for(*, room=None, session=None, include_hidden=False):
    """Replays ready to play, newest first, of a room or of a session; hidden ones only for organisers."""
    recordings = Recording.objects.filter(status=Recording.Status.READY).select_related("room__summit")
    recordings = recordings.filter(session=session) if session is not None else recordings.filter(room=room)
    if not include_hidden:
        recordings = recordings.filter(is_hidden=False)
    return [recording_view(recording) for recording in recordings]


def replay_pages_for(sessions):
    """{session id: the page of its newest ready, visible replay}: the schedule's "Watch the replay" links.

    Answers events.signals.replay_urls (stage/receivers.py), so the programme links to replays
    without importing the stage. One query for any number of sessions.
    """
    ready = Recording.objects.filter(
        session__in=[session.pk for session in sessions], status=Recording.Status.READY, is_hidden=False
    ).order_by("started_at")
    return {
        session_id: reverse("replay", args=[summit_slug, slug])
        for session_id, summit_slug, slug in ready.values_list("session_id", "room__summit__slug", "slug")
    }


def recording_view(recording):
    return {
        "id": recording.pk,
        "session_id": recording.session_id,
        "language": recording.language,
        "language_label": label_for(recording.language),
        "started_at": recording.started_at,
        "duration_s": recording.duration_s,
        "url": replay_url(recording),
        "page_url": reverse("replay", args=[recording.room.summit.slug, recording.slug]),
        "hidden": recording.is_hidden,
    }


def choose_stream(streams, language, choice=None):
    """The stream a viewer starts on (static/js/stage.js decides the same way, with their saved pick)."""
    live = [stream for stream in streams if stream["live"]]
    for wanted in (choice, language, ORIGINAL):
        found = next((stream for stream in live if stream["language"] == wanted), None)
        if found is not None:
            return found
    return live[0] if live else None


def stage_for(user, summit_slug, room_slug):
    """The stage endpoint: the room's state, its replays, and which channel this person starts on."""
    room = access_stage_room(user, summit_slug, room_slug)
    return {
        **stage_state(room),
        "default_language": default_language(user.pk),
        "recordings": recordings_for(room=room, include_hidden=is_organiser(user, room.summit)),
    }


def access_replay(user, summit_slug, recording_slug):
    """A ready replay, for whoever may enter its room; a hidden one for organisers only."""
    recording = (
        Recording.objects.select_related("room__summit", "session")
        .filter(slug=recording_slug, room__summit__slug=summit_slug, status=Recording.Status.READY)
        .first()
    )
    if recording is None:
        raise NotFound(_("No such replay."))
    access_live_room(user, summit_slug, recording.room.slug)
    if recording.is_hidden and not is_organiser(user, recording.room.summit):
        raise NotFound(_("No such replay."))
    return recording


def player_labels():
    """Every string static/js/stage.js shows: the script has no catalogue of its own."""
    return {
        "stream": _("Live stream"),
        "languages": {ORIGINAL: label_for(ORIGINAL), **{code: str(name) for code, name in settings.LANGUAGES}},
        "watch_replay_in": _("Watch the replay (%(language)s)"),
        "not_supported": _("This browser cannot play the stream."),
    }


def default_language(user_id):
    """The channel a person starts on when it is live: their profile's language."""
    return default_languages([user_id])[user_id]


def default_languages(user_ids):
    """`default_language` of several people, in one query."""
    users = get_user_model().objects.select_related("profile").filter(pk__in=set(user_ids))
    return {user.pk: profile_for(user).language for user in users}


def room_state_part(room_id, viewers):
    """`room.state.stage` of each viewer [(user_id, kind)]: the stage's state plus their default channel."""
    room = Room.objects.select_related("summit").get(pk=room_id)
    state = stage_state(room)
    languages = default_languages([user_id for user_id, _kind in viewers])
    # A person deleted while joining gets the summit's language; their socket is refused on its recheck.
    return [{**state, "default_language": languages.get(user_id, room.summit.language)} for user_id, _kind in viewers]


# --- who may go live -------------------------------------------------------------------


def presenting_session(user, room, now=None):
    """`user`'s company's session in `room` that is on now or starts within the hour, if any."""
    now = now or timezone.now()
    return (
        Session.objects.filter(
            room=room,
            status=Session.Status.PUBLISHED,
            company__members=user,
            starts_at__lte=now + BACKSTAGE,
            ends_at__gt=now,
        )
        .order_by("starts_at")
        .first()
    )


def check_can_go_live(user, room):
    """Organisers; members of a company whose session in the room is on now or starts within the hour."""
    check_signed_in(user)
    if is_organiser(user, room.summit):
        return
    if presenting_session(user, room) is not None:
        return
    raise Forbidden(_("Only organisers, and a company from an hour before its session in this room, may go live here."))


def can_go_live(user, room):
    try:
        check_can_go_live(user, room)
    except (Forbidden, NotSignedIn):
        return False
    return True


def access_ingest(user, summit_slug, room_slug):
    room = access_room(access_summit(summit_slug), room_slug)
    check_can_go_live(user, room)
    return room


def check_put_on_air(user, room):
    """Organisers put a room's backstage stream on air; something must be publishing."""
    check_organiser(user, room.summit)
    if not Channel.objects.filter(room=room).exclude(live_since=None).exists():
        raise Conflict(_("Nothing is streaming into this room yet: start the encoder first."))


def do_put_on_air(user, room):
    """Attendees see every channel publishing in the room from now on, session or not. Returns the room's id."""
    check_put_on_air(user, room)
    Channel.objects.filter(room=room, on_air=False).exclude(live_since=None).update(on_air=True)
    return room.pk


def do_go_on_air_when_the_session_starts(stream_key, now=None):
    """The media server's periodic check of a publishing key: once the backstage is over (a session
    started), its room's streams go on air. Returns the room's id when that happened now, else None."""
    channel = Channel.objects.select_related("room__summit").filter(stream_key=stream_key).first()
    if channel is None or channel.live_since is None or channel.on_air or backstage_session(channel.room, now):
        return None
    Channel.objects.filter(room=channel.room, on_air=False).exclude(live_since=None).update(on_air=True)
    return channel.room_id


def do_ensure_channels(room):
    """The original and one channel per summit language, made on first use."""
    created = False
    for language in [ORIGINAL, *room.summit.languages]:
        _channel, new = Channel.objects.get_or_create(
            room=room, language=language, defaults={"public_name": new_public_name()}
        )
        created |= new
    if created:  # the media server serves only the channels its configuration names
        transaction.on_commit(mediaconfig.refresh_config)
    order = _language_order(room)
    return sorted(Channel.objects.filter(room=room), key=lambda c: (order.get(c.language, 99), c.language))


def ingest_for(room):
    """`{server, keys}` for someone `check_can_go_live` let through; the room's channels are made on first use."""
    channels = do_ensure_channels(room)
    keys = [
        {
            "language": channel.language,
            "label": label_for(channel.language),
            "use": key_use(channel.language),
            "stream_key": channel.stream_key,
            "live": channel.live_since is not None,
            "on_air": channel.live_since is not None and channel.on_air,
            "preview_url": playlist_url(channel.public_name, room),
        }
        for channel in channels
    ]
    return {"server": settings.RTMP_SERVER_URL, "status": go_live_status(keys), "keys": keys}


def go_live_status(keys):
    """ "on_air" (attendees see it), "backstage" (a preview only), or "offline" (nothing publishing)."""
    if any(key["on_air"] for key in keys):
        return "on_air"
    return "backstage" if any(key["live"] for key in keys) else "offline"


def key_use(language):
    """Which key is whose, in the presenter's words."""
    if language == ORIGINAL:
        return _("Original: the language you speak. Your encoder streams with this key.")
    return _("Interpretation into %(language)s: for the interpreter into %(language)s, sound only is fine.") % {
        "language": label_for(language)
    }


def preview_url(room):
    """The original channel's playlist: what the Go live page previews, in the backstage as on air."""
    return playlist_url(Channel.objects.get(room=room, language=ORIGINAL).public_name, room)


def latency_advice():
    """What the Go live page says about the delay and the keyframe interval, from the chosen profile."""
    return {
        "seconds": MEASURED_LATENCY_SECONDS[settings.STAGE_LATENCY],
        "keyframe_seconds": settings.HLS_FRAGMENT_SECONDS,
    }


def go_live_labels():
    """The strings static/js/go-live.js shows as the stream starts, waits backstage and stops."""
    return {
        "on_air": _("On air: attendees see the stream now."),
        "backstage": _(
            "Backstage: only your company and the organisers see this preview. It goes on air when "
            "your session starts, or when an organiser puts it on air."
        ),
        "offline": _("Offline: nothing is streaming into this room. Start your encoder with the server and key below."),
    }


def do_rotate_keys(room):
    """New keys for every channel of the room: the media server refuses the old ones from now on."""
    with transaction.atomic():
        for channel in do_ensure_channels(room):
            channel.stream_key = new_stream_key()
            channel.save(update_fields=["stream_key"])
    return ingest_for(room)
