"""What the media server tells the platform, and what the platform answers (nginx-rtmp's HTTP callbacks).

The presenter publishes to the `live` application with a stream key. `on_publish` there asks
`do_authorise_publish`: a valid key gets a 302 to `rtmp://127.0.0.1:RTMP_PORT/<internal app>/<public
name>?token=…`, which nginx-rtmp follows by relaying the stream into that internal application. The
internal applications take a publish from 127.0.0.1 only, and only with a relay token
(`publish_token`) for that application and name, checked by their own `on_publish`: a local process
that knows a public name still cannot put a stream on a stage. The internal application cuts HLS and
records under the public name, so no file or URL ever carries the key, and its own callbacks say when
the stream really started and stopped and where the recording is. `on_update` re-checks the key while
publishing: a rotated key is cut off at the next check.

Playlists and replays of a private room are served only under a signed, expiring grant
(`media_url`): nginx's `secure_link` checks it on every playlist and segment.
"""

import base64
import hashlib
import hmac
import math
import time
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from events.services import live_session
from stage import tasks
from stage.models import ORIGINAL, Channel, Recording, RestreamTarget
from stage.services.backstage import backstage_session
from summit.errors import Forbidden, NotFound

INGEST_APP = "live"
STAGE_APP = "stage"
RELAY_APP_PREFIX = "relay_"
RESTREAM_APP_PREFIX = "restream_"
# A relay token in a 302 (the only kind nginx-rtmp writes to its log) expires: the relay starts at once.
REDIRECT_TOKEN_SECONDS = 600
# Grants are rounded up to this step, so everyone entering a room for a while gets the same URL.
GRANT_STEP_SECONDS = 600
SECRET_HEADER = "X-Media-Secret"


def relay_app(room_id):
    """The internal application of a room with restream targets: it pushes to the stage and to each target."""
    return f"{RELAY_APP_PREFIX}{room_id}"


def restream_app(target_id):
    """The internal application of one restream target: its `on_publish` re-checks the address, then ffmpeg relays."""
    return f"{RESTREAM_APP_PREFIX}{target_id}"


def check_media_secret(secret):
    if not hmac.compare_digest(str(secret or ""), settings.MEDIA_SECRET):
        raise NotFound(_("Not found."))


def publish_token(app, name, expires=0):
    """What lets the platform's own relays publish `name` to the internal application `app`.

    `expires` (a Unix time) for the 302 of `on_publish`; 0 for the static pushes of the rendered
    configuration, which only the media server's user can read.
    """
    value = f"{app}/{name}/{expires}"
    signature = salted_hmac("stage.relay-publish", value, secret=settings.MEDIA_SECRET, algorithm="sha256")
    return f"{expires}-{signature.hexdigest()[:40]}"


def check_publish_token(app, name, token, now=None):
    """Forbidden unless `token` is a valid, unexpired relay token for publishing `name` to `app`."""
    expires, _sep, _signature = str(token or "").partition("-")
    if not expires.isdigit() or len(expires) > 12:
        raise Forbidden(_("Only the platform's own relays publish here."))
    if not hmac.compare_digest(str(token), publish_token(app, name, int(expires))):
        raise Forbidden(_("Only the platform's own relays publish here."))
    if int(expires) and int(expires) < (now if now is not None else time.time()):
        raise Forbidden(_("Only the platform's own relays publish here."))


def grant_secret():
    """The secret of nginx's `secure_link_md5` (in the rendered configuration, never in a URL)."""
    return salted_hmac("stage.media-grants", "", secret=settings.MEDIA_SECRET, algorithm="sha256").hexdigest()


def grant_prefix(kind, name, now=None):
    """`/grant/<expires>/<token>`: what lets a player fetch `kind/name/…` (hls or replays) until it expires."""
    now = now if now is not None else time.time()
    expires = math.ceil((now + settings.MEDIA_GRANT_SECONDS) / GRANT_STEP_SECONDS) * GRANT_STEP_SECONDS
    digest = hashlib.md5(f"{expires}/{kind}/{name} {grant_secret()}".encode(), usedforsecurity=False).digest()
    token = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    return f"/grant/{expires}/{token}"


def media_url(kind, name, *, private, now=None):
    """The playlist of a live channel (`hls`) or a replay (`replays`): signed and expiring for a private
    room, plain (and cacheable by anyone) otherwise."""
    prefix = grant_prefix(kind, name, now) if private else ""
    return f"{settings.MEDIA_ORIGIN}{prefix}/{kind}/{name}/index.m3u8"


def _channel(**lookup):
    channel = Channel.objects.select_related("room").filter(**lookup).first()
    if channel is None:
        raise Forbidden(_("Unknown stream."))
    return channel


def do_authorise_publish(app, stream_key):
    """Where a publish to the ingest application goes: the internal URL, or Forbidden for a bad key."""
    if app != INGEST_APP or not stream_key:
        raise Forbidden(_("Publish to the live application with a stream key."))
    channel = _channel(stream_key=stream_key)
    target = STAGE_APP
    if channel.language == ORIGINAL and RestreamTarget.objects.filter(room_id=channel.room_id).exists():
        target = relay_app(channel.room_id)
    token = publish_token(target, channel.public_name, int(time.time()) + REDIRECT_TOKEN_SECONDS)
    return f"rtmp://127.0.0.1:{settings.RTMP_PORT}/{target}/{channel.public_name}?token={token}"


def check_relay_publish(app, public_name, token):
    """`on_publish` of a room's relay application: the platform's 302 relaying that room's original."""
    check_publish_token(app, public_name, token)
    channel = _channel(public_name=public_name, language=ORIGINAL)
    if app != relay_app(channel.room_id):
        raise Forbidden(_("Not this room's relay."))


def check_still_publishing(app, stream_key):
    """`on_update`: a key rotated (or a room deleted) since the publish began ends the stream."""
    if app == INGEST_APP:
        _channel(stream_key=stream_key)


def _check_internal_app(app):
    if app != STAGE_APP:
        raise Forbidden(_("Not the stage application."))


def do_stream_started(app, public_name, token, now=None):
    """The relayed stream reached the internal application: the channel is live (on air, or a preview
    in the backstage before a session) and being recorded.

    Only with the relay token of the platform's 302 or of a room's relay. Returns the room's id, whose
    sockets must hear the new `stage.state`.
    """
    _check_internal_app(app)
    check_publish_token(app, public_name, token)
    now = now or timezone.now()
    with transaction.atomic():
        channel = _channel(public_name=public_name)
        waiting_for = backstage_session(channel.room, now)
        Channel.objects.filter(pk=channel.pk).update(live_since=now, on_air=waiting_for is None)
        Recording.objects.create(
            room=channel.room,
            session=live_session(channel.room, now) or waiting_for,
            language=channel.language,
            public_name=public_name,
            started_at=now,
        )
    return channel.room_id


def do_stream_stopped(app, public_name, now=None):
    """Publishing ended: the channel is offline. Returns the room's id."""
    _check_internal_app(app)
    channel = _channel(public_name=public_name)
    Channel.objects.filter(pk=channel.pk).update(live_since=None, on_air=False)
    Recording.objects.filter(public_name=public_name, status=Recording.Status.RECORDING, ended_at=None).update(
        ended_at=now or timezone.now()
    )
    return channel.room_id


def check_recording_path(path):
    """Only a file the media server wrote under its recordings folder may become a replay."""
    folder = (Path(settings.MEDIA_DIR) / "recordings").resolve()
    resolved = Path(path).resolve()
    if resolved.parent != folder or resolved.suffix != ".flv":
        raise Forbidden(_("Not a recording of this media server."))
    return str(resolved)


def do_recording_done(app, public_name, path):
    """The recording file is closed: attach it to its publish and queue the remux into a replay.

    Returns the recording's id, or None when nothing was waiting for this file (a repeated callback).
    """
    _check_internal_app(app)
    path = check_recording_path(path)
    with transaction.atomic():
        recording = (
            Recording.objects.select_for_update()
            .filter(public_name=public_name, status=Recording.Status.RECORDING)
            .order_by("-started_at")
            .first()
        )
        if recording is None:
            return None
        recording.source_path = path
        recording.status = Recording.Status.PROCESSING
        recording.ended_at = recording.ended_at or timezone.now()
        recording.save(update_fields=["source_path", "status", "ended_at"])
        transaction.on_commit(lambda: tasks.remux_recording.delay(recording.pk))
    return recording.pk


def do_forget_live_streams():
    """The media server is (re)starting, so nothing publishes: a channel it left marked live (it stopped
    without its `on_publish_done`) is offline again. Returns how many were."""
    return Channel.objects.exclude(live_since=None).update(live_since=None, on_air=False)
