"""Replays: a finished recording remuxed by the real ffmpeg into a replay of its session, offered on its
pages and hidden by organisers."""

import datetime as dt
import re
import shutil
import subprocess

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from stage.models import Channel, Recording
from stage.services import mediaconfig, replays
from tests.conftest import csrf_headers, make_session
from tests.stage_helpers import INGEST, STAGE, callback

# The callbacks are async views whose database calls run on another thread: rows must be committed.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("stage_media_dir")]


# --- replays ----------------------------------------------------------------------------------------


def _flv(path, seconds=3):
    subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=160x120:rate=25",
            "-f",
            "lavfi",
            "-i",
            "sine",
            "-t",
            str(seconds),
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-g",
            "25",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-f",
            "flv",
            str(path),
        ],
        check=True,
    )


@pytest.fixture
def recorded(settings, organiser_client, live_pitch, client):
    """A finished publish of the pitch: its FLV written where the media server writes, the callback made."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is missing: make system-packages installs it")
    settings.CELERY_TASK_ALWAYS_EAGER = True
    organiser_client.get(INGEST)
    channel = Channel.objects.get(room=live_pitch.room, language="original")
    callback(client, "started", app="stage", name=channel.public_name)
    callback(client, "stopped", app="stage", name=channel.public_name)
    folder = mediaconfig.media_dir() / "recordings"
    folder.mkdir(parents=True)
    flv = folder / f"{channel.public_name}-1700000000.flv"
    _flv(flv)
    return channel, flv


def test_finished_recording_is_remuxed_into_a_replay_of_the_session(recorded, client, attendee_client, live_pitch):
    channel, flv = recorded
    response = callback(client, "recorded", app="stage", name=channel.public_name, path=str(flv))
    assert response.status_code == 200
    recording = Recording.objects.get()
    assert recording.status == Recording.Status.READY and recording.session == live_pitch
    assert 2.5 <= recording.duration_s <= 3.5
    playlist = replays.replay_folder(recording) / "index.m3u8"
    text = playlist.read_text()
    assert "#EXT-X-PLAYLIST-TYPE:VOD" in text and "#EXT-X-ENDLIST" in text
    assert channel.stream_key not in text and re.search(r"segment\d+\.ts", text)
    listed = attendee_client.get(STAGE).json()["recordings"]
    assert [(r["id"], r["session_id"], r["url"]) for r in listed] == [
        (recording.pk, live_pitch.pk, f"{settings.MEDIA_ORIGIN}/replays/{recording.slug}/index.m3u8")
    ]
    # Twice is once: the task leaves a ready replay alone, a repeated callback finds nothing waiting.
    assert replays.do_remux(recording.pk) == Recording.Status.READY
    assert callback(client, "recorded", app="stage", name=channel.public_name, path=str(flv)).status_code == 200
    assert Recording.objects.count() == 1


def test_session_page_and_room_offer_the_replay_and_organisers_can_hide_it(
    recorded, client, attendee_client, organiser_client, live_pitch
):
    channel, flv = recorded
    callback(client, "recorded", app="stage", name=channel.public_name, path=str(flv))
    recording = Recording.objects.get()
    session_page = reverse("session-detail", args=["roadshow", live_pitch.pk])
    replay_page = reverse("replay", args=["roadshow", recording.slug])
    room_page = reverse("room", args=["roadshow", "fair-vision"])
    for page in (session_page, room_page):
        assert replay_page in attendee_client.get(page).content.decode()
    page = attendee_client.get(replay_page).content.decode()
    assert f'data-hls="{settings.MEDIA_ORIGIN}/replays/{recording.slug}/index.m3u8"' in page

    url = f"/api/summits/roadshow/recordings/{recording.pk}/"
    assert (
        attendee_client.patch(
            url, {"hidden": True}, content_type="application/json", headers=csrf_headers(attendee_client)
        ).status_code
        == 403
    )
    hidden = organiser_client.patch(
        url, {"hidden": True}, content_type="application/json", headers=csrf_headers(organiser_client)
    )
    assert hidden.status_code == 200 and hidden.json()["hidden"] is True
    assert attendee_client.get(STAGE).json()["recordings"] == []
    for page in (session_page, room_page):
        assert replay_page not in attendee_client.get(page).content.decode()
    assert attendee_client.get(replay_page).status_code == 404
    assert organiser_client.get(replay_page).status_code == 200
    assert [r["hidden"] for r in organiser_client.get(STAGE).json()["recordings"]] == [True]


def test_the_schedule_links_a_finished_session_to_its_replay_and_never_to_a_hidden_one(summit, main_stage, client):

    from stage.models import Recording

    over = make_session(summit, main_stage, "Yesterday's keynote", timezone.now() - dt.timedelta(days=1), 60)
    replay = Recording.objects.create(
        room=main_stage,
        session=over,
        public_name="main-stage",
        started_at=over.starts_at,
        status=Recording.Status.READY,
    )
    page = reverse("replay", args=[summit.slug, replay.slug])
    assert page in client.get(reverse("schedule", args=[summit.slug])).content.decode()
    Recording.objects.filter(pk=replay.pk).update(is_hidden=True)
    over.save()  # a programme change drops the cached schedule
    assert page not in client.get(reverse("schedule", args=[summit.slug])).content.decode()
