"""Recordings into replays: ffmpeg remuxes the media server's FLV into on-demand HLS, no re-encoding.

Idempotent: a replay already ready is left alone, and the remux writes into a scratch folder that
replaces the replay's folder only once complete, so a worker killed mid-remux leaves nothing half-made.
"""

import json
import logging
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from events.services import check_organiser
from stage.models import Recording
from summit.errors import NotFound

log = logging.getLogger(__name__)

REPLAY_SEGMENT_SECONDS = 4
FFMPEG_TIMEOUT = 60 * 60


def replay_folder(recording):
    return Path(settings.MEDIA_DIR) / "replays" / recording.slug


def _duration(playlist):
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", str(playlist)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return float(json.loads(probe.stdout)["format"]["duration"])


def do_remux(recording_id):
    """Turn a finished recording into a replay; returns the recording's status afterwards."""
    recording = Recording.objects.filter(pk=recording_id).first()
    if recording is None or recording.status != Recording.Status.PROCESSING:
        return recording.status if recording else "gone"
    source = Path(recording.source_path)
    folder = replay_folder(recording)
    scratch = folder.with_name(f".{folder.name}.partial")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    try:
        subprocess.run(
            [
                "ffmpeg",
                "-nostdin",
                "-v",
                "error",
                "-y",
                "-i",
                str(source),
                "-c",
                "copy",
                "-f",
                "hls",
                "-hls_time",
                str(REPLAY_SEGMENT_SECONDS),
                "-hls_playlist_type",
                "vod",
                "-hls_segment_filename",
                str(scratch / "segment%05d.ts"),
                str(scratch / "index.m3u8"),
            ],
            capture_output=True,
            text=True,
            timeout=FFMPEG_TIMEOUT,
            check=True,
        )
        duration = _duration(scratch / "index.m3u8")
    except (OSError, subprocess.SubprocessError, ValueError, KeyError) as error:
        shutil.rmtree(scratch, ignore_errors=True)
        detail = getattr(error, "stderr", "") or error
        log.warning("recording %s: remux of %s failed: %s", recording.pk, source, detail)
        Recording.objects.filter(pk=recording.pk).update(status=Recording.Status.FAILED)
        return Recording.Status.FAILED
    shutil.rmtree(folder, ignore_errors=True)
    scratch.rename(folder)
    recording.status, recording.duration_s = Recording.Status.READY, round(duration, 1)
    # A save, not an update: the media server serves only the replays its configuration names (stage/apps.py).
    recording.save(update_fields=["status", "duration_s"])
    return Recording.Status.READY


def access_recording(user, summit, recording_id):
    """A summit's recording, for its organisers."""
    check_organiser(user, summit)
    recording = Recording.objects.filter(pk=recording_id, room__summit=summit).first()
    if recording is None:
        raise NotFound(_("No such recording."))
    return recording


def do_set_hidden(recording, hidden):
    """A hidden replay is listed to organisers only and no longer served by the media server at all."""
    recording.is_hidden = bool(hidden)
    recording.save(update_fields=["is_hidden"])  # stage/apps.py: the media server's configuration follows
    return recording
